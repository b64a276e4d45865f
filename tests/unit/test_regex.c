/* SPDX-License-Identifier: MIT */
/* tests/unit/test_regex.c - the bounded regex engine (common/regex.c),
 * checked against glibc's regexec() for ordinary patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

/* glibc's verdict: 1 match, 0 no match, -1 refused. */
static int
test_glibc(const char *pattern, const char *text)
{
	regex_t re;
	int hit;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return -1;
	hit = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return hit;
}

static int
test_ours(const char *pattern, const char *text)
{
	struct scorch_err err = { "" };
	struct regex *re = regex_new(pattern, &err);
	int hit;

	if (!re) {
		assert_true(err.msg[0] != '\0');
		return -1;
	}
	hit = regex_match(re, text);
	regex_free(re);
	return hit;
}

static const struct {
	const char *pattern, *text;
	int hit; /* 1 match, 0 no match, -1 refused */
} cases[] = {
	{ "^json_", "json_parse", 1 },
	{ "^json_", "my_json_parse", 0 },
	{ "^(memcpy|memmove)$", "memmove", 1 },
	{ "^(memcpy|memmove)$", "memmove2", 0 },
	{ "parse", "json_parse_value", 1 },
	{ "le[x]", "lexer", 1 },
	{ "^ev|ppl", "apply", 1 },
	{ "^ev|ppl", "leval", 0 },
	{ "hash_bytes_\\[i\\]$", "hash_bytes_[i]", 1 },
	{ "hash_bytes_\\[i\\]$", "hash_bytes_[k]", 0 },
	{ "a.c", "abc", 1 },
	{ "a.c", "ac", 0 },
	{ "a\\.c", "abc", 0 },
	{ "a\\.c", "a.c", 1 },
	{ "ab*c", "ac", 1 },
	{ "ab+c", "ac", 0 },
	{ "ab+c", "abbbc", 1 },
	{ "ab?c", "abbc", 0 },
	{ "^a{3}$", "aaa", 1 },
	{ "^a{3}$", "aaaa", 0 },
	{ "^a{2,3}$", "aaaa", 0 },
	{ "^a{2,3}$", "aa", 1 },
	{ "^a{2,}$", "aaaaaaa", 1 },
	{ "^a{2,}$", "a", 0 },
	{ "^a{,2}$", "aa", 1 },
	{ "^a{,2}$", "aaa", 0 },
	{ "^(ab){2}$", "abab", 1 },
	{ "^(ab|a)(bc|c)$", "abc", 1 },
	{ "x{0}", "anything", 1 },
	{ "^x{0}$", "", 1 },
	{ "[a-c]+d", "xxbcad", 1 },
	{ "[^a-c]", "abc", 0 },
	{ "[^a-c]", "abcd", 1 },
	{ "[]a]", "]", 1 },
	{ "[^]a]", "]", 0 },
	{ "[a-]", "-", 1 },
	{ "[\\.]", "\\", 1 }, /* backslash is ordinary inside brackets */
	{ "[[:digit:]]+", "v8", 1 },
	{ "^[[:alpha:]_][[:alnum:]_]*$", "_start2", 1 },
	{ "^[[:alpha:]_][[:alnum:]_]*$", "2start", 0 },
	{ "[[:space:]]", "a b", 1 },
	{ "[[:upper:]]", "abc", 0 },
	{ "[[:punct:]]", "a::b", 1 },
	{ "[[:xdigit:]]{4}", "0xBEEF", 1 },
	{ "[[.a.]]", "a", 1 },
	{ "[[=b=]]", "abc", 1 },
	{ "\\w+", "::", 0 },
	{ "\\W", "a_b", 0 },
	{ "\\s", "a\tb", 1 },
	{ "\\S", "   ", 0 },
	{ "\\bparse\\b", "json::parse()", 1 },
	{ "\\bparse\\b", "reparse", 0 },
	{ "\\Bparse", "reparse", 1 },
	{ "\\<main\\>", "int main(void)", 1 },
	{ "\\<main\\>", "domain", 0 },
	{ "std::vector<.*>::push_back",
	  "std::vector<int, std::allocator<int> >::push_back(int const&)", 1 },
	{ "operator\\(\\)", "Foo::operator()", 1 },
	{ "a|b|c", "xxc", 1 },
	{ "a||b", "x", 1 },
	{ "(|a)", "x", 1 },
	{ "()", "x", 1 },
	{ "", "x", 1 },
	{ "a)", "a)", 1 }, /* an unmatched ')' is an ordinary byte */
	{ "a^b", "a^b", 0 },
	{ "a$b", "a$b", 0 },
	{ "(^a)", "ba", 0 },
	{ "(a$)", "ab", 0 },
	{ "a**", "b", 1 },
	{ "(a*)*b", "aaab", 1 },
	{ "(a*)+$", "b", 1 },
	{ "(a|b)*abb$", "babababb", 1 },
	{ "(a|b)*abb$", "bababab", 0 },
	{ "\\{lambda", "{lambda()#1}", 1 },
	{ "}", "{lambda()#1}", 1 },
	{ "caf\xc3\xa9", "caf\xc3\xa9_au_lait", 1 },
	{ "caf.$", "caf\xc3\xa9", 0 }, /* bytes: two of them */
	{ "caf..$", "caf\xc3\xa9", 1 },
	/* where a match can start: skipping and anchoring */
	{ "a|^b", "cb", 0 },
	{ "a|^b", "ca", 1 },
	{ "(^a|^b)c", "xbc", 0 },
	{ "(^a|^b)c", "bc", 1 },
	{ "(^|_)x", "a_x", 1 },
	{ "(^|_)x", "ax", 0 },
	{ "b*c", "aaac", 1 },
	{ "xyz", "xxyxyz", 1 },
	{ "^$", "", 1 },
	{ "^$", "a", 0 },
	/* refused by both */
	{ "(", "", -1 },
	{ "(a", "a", -1 },
	{ "[a", "a", -1 },
	{ "[z-a]", "a", -1 },
	{ "*a", "a", -1 },
	{ "+a", "a", -1 },
	{ "a|*b", "a", -1 },
	{ "^*", "a", -1 },
	{ "a{", "a", -1 },
	{ "a{2", "a", -1 },
	{ "a{3,2}", "a", -1 },
	{ "a{ 1}", "a", -1 },
	{ "{lambda", "{lambda", -1 },
	{ "a\\", "a", -1 },
	{ "[[:nope:]]", "a", -1 },
	{ "(a)\\2", "aa", -1 },
};

/* Every case: our verdict is the table's, and glibc's is the same. */
static void
test_regex_match_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int ours = test_ours(cases[i].pattern, cases[i].text);
		int glibc = test_glibc(cases[i].pattern, cases[i].text);

		if (ours != cases[i].hit || glibc != cases[i].hit)
			fail_msg("'%s' on '%s': table %d, ours %d, glibc %d",
				 cases[i].pattern, cases[i].text, cases[i].hit,
				 ours, glibc);
	}
}

/* A small deterministic generator (xorshift), for reproducible runs. */
static uint32_t
test_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A random pattern over a, b: atoms, groups, alternation, one repetition
 * operator per atom (glibc stacks intervals oddly: a{1,2}{3}). Anchors
 * only around the whole pattern, and \b only in the table: glibc gets
 * (^$a{1,}|[^a][^a]?){2}\b wrong on " __ab" and (\b[^a]\w*){1,}.{2}$ on
 * "a_b_  bb" (says match; Python's re agrees with us: none). */
static void
test_gen(struct strbuf *sb, uint32_t *s, int depth)
{
	static const char *const atoms[] = { "a",    "b",    ".",
					     "[ab]", "[^a]", "\\w" };
	static const char *const reps[] = { "*",   "+",	    "?",
					    "{2}", "{0,2}", "{1,}" };
	int n = 1 + (int)(test_rand(s) % 3), k;

	for (k = 0; k < n; k++) {
		uint32_t r = test_rand(s) % 10;
		if (r < 2 && depth < 3) {
			strbuf_addch(sb, '(');
			test_gen(sb, s, depth + 1);
			if (test_rand(s) % 2) {
				strbuf_addch(sb, '|');
				test_gen(sb, s, depth + 1);
			}
			strbuf_addch(sb, ')');
		} else {
			strbuf_addstr(sb,
				      atoms[test_rand(s) % ARRAY_SIZE(atoms)]);
		}
		if (test_rand(s) % 3 == 0)
			strbuf_addstr(sb,
				      reps[test_rand(s) % ARRAY_SIZE(reps)]);
	}
}

/* Thousands of random patterns on random texts: where glibc compiles the
 * pattern, we compile it too and agree on every text. */
static void
test_regex_match_random(void **state)
{
	uint32_t s = 2463534242u;
	struct strbuf pat;
	char text[9];
	int i, t, compared = 0;

	(void)state;
	strbuf_init(&pat);
	for (i = 0; i < 3000; i++) {
		strbuf_reset(&pat);
		if (test_rand(&s) % 3 == 0)
			strbuf_addch(&pat, '^');
		test_gen(&pat, &s, 0);
		if (test_rand(&s) % 3 == 0)
			strbuf_addch(&pat, '$');
		for (t = 0; t < 8; t++) {
			size_t len = test_rand(&s) % 9, j;
			int g, o;

			for (j = 0; j < len; j++)
				text[j] = "ab_ "[test_rand(&s) % 4];
			text[len] = '\0';
			g = test_glibc(pat.buf, text);
			o = test_ours(pat.buf, text);
			if (g != o)
				fail_msg("'%s' on '%s': ours %d, glibc %d",
					 pat.buf, text, o, g);
			compared += g >= 0;
		}
	}
	assert_true(compared > 20000);
	strbuf_fini(&pat);
}

static double
test_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_refused(const char *pattern, const char *why)
{
	struct scorch_err err = { "" };
	double t0 = test_now();

	assert_null(regex_new(pattern, &err));
	if (!strstr(err.msg, why))
		fail_msg("'%.40s': '%s' does not say '%s'", pattern, err.msg,
			 why);
	/* Refusing takes no time: nothing is expanded first. */
	assert_true(test_now() - t0 < 1.0);
}

/* Patterns that blow up glibc (or any expanding compiler) are refused at
 * once, with the reason. */
static void
test_regex_new_bounded(void **state)
{
	char *big = xmalloc(1 << 20), *deep = xmalloc(2 * 100 + 2);
	struct scorch_err err = { "" };
	struct regex *re;
	int i;

	(void)state;
	test_refused("((a{1000}){1000}){1000}", "too large");
	test_refused("(a{1000}){1000}", "too large");
	test_refused("a{1001}", "repetition count over 1000");
	test_refused("a{99999999999999999999}", "repetition count over");
	test_refused("(((((((((((((((((((a{2}){2}){2}){2}){2}){2}){2}){2}){2}"
		     "){2}){2}){2}){2}){2}){2}){2}){2}){2}){2})",
		     "too large");
	memset(big, 'a', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	test_refused(big, "too large");
	for (i = 0; i < 100; i++)
		deep[i] = '(', deep[100 + i] = ')';
	deep[200] = '\0';
	test_refused(deep, "nesting over 64 levels");
	test_refused("a********************************************************"
		     "*************************************************",
		     "nesting over 64 levels");
	/* Nothing to repeat, however often: compiles to nothing, at once. */
	re = regex_new("((((){1000}){1000}){1000}){1000}", &err);
	assert_non_null(re);
	assert_int_equal(regex_states(re), 1);
	assert_true(regex_match(re, "x"));
	regex_free(re);
	/* The largest allowed: a{1000} twice is 2000 states. */
	re = regex_new("a{1000}b{999}", &err);
	assert_non_null(re);
	assert_int_equal(regex_states(re), 2000);
	regex_free(re);
	free(big);
	free(deep);
}

/* Backtracking engines take exponential time on these; the NFA takes
 * states x text steps. Each check runs well under a second on a loaded
 * machine where backtracking would take minutes to years. */
static void
test_regex_match_bounded(void **state)
{
	static const char *const pats[] = { "(a+)+$",	       "^(a*)*$",
					    "(a|aa)+$",	       "(a|a)+$",
					    "^(a?){30}a{30}$", "(.*a){20}$" };
	char text[4096];
	struct scorch_err err = { "" };
	size_t i;

	(void)state;
	memset(text, 'a', 30);
	strcpy(text + 30, "!");
	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		struct regex *re = regex_new(pats[i], &err);
		double t0 = test_now();

		assert_non_null(re);
		assert_false(regex_match(re, text));
		assert_true(test_now() - t0 < 1.0);
		regex_free(re);
	}
	/* The biggest pattern on a long name: 2000 states x 4095 bytes. */
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	{
		struct regex *re = regex_new("[ab]{0,999}c", &err);
		double t0 = test_now();

		assert_non_null(re);
		assert_true(regex_states(re) <= REGEX_MAX_STATES);
		assert_false(regex_match(re, text));
		assert_true(test_now() - t0 < 2.0);
		regex_free(re);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regex_match_table),
		cmocka_unit_test(test_regex_match_random),
		cmocka_unit_test(test_regex_new_bounded),
		cmocka_unit_test(test_regex_match_bounded),
	};

	return cmocka_run_group_tests_name("regex", tests, NULL, NULL);
}
