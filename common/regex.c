/* SPDX-License-Identifier: MIT */
/*
 * common/regex.c - a bounded POSIX extended regex engine: patterns from
 * budget files and the command line are parsed with a size cap (counted
 * repetition expanded, refused past REGEX_MAX_STATES) and searched by an
 * NFA simulation, so matching costs O(states x text) whatever the pattern.
 * glibc's regcomp() would expand ((a{1000}){1000}){1000} until memory ran
 * out; render/regex.js carries the same engine for the SVG's search box.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Groups and stacked repetitions nested deeper than this are refused, so
 * the recursive parser and compiler use a bounded stack. */
#define RX_MAX_DEPTH 64

/* States up to which regex_match() works in buffers on the stack. */
#define RX_SMALL 64

enum rx_node_type {
	RXN_EMPTY,
	RXN_CHAR,   /* byte c */
	RXN_ANY,    /* . */
	RXN_CLASS,  /* [...], \w, \s, \d: classes[set] */
	RXN_ASSERT, /* ^ $ \b \B \< \> : enum rx_assert */
	RXN_CAT,    /* kid, kid->next, ... in order */
	RXN_ALT,    /* kid | kid->next | ... */
	RXN_REPEAT, /* kid{min,max}; max < 0: no upper bound */
};

enum rx_assert { RXA_BOL, RXA_EOL, RXA_WORD, RXA_NWORD, RXA_WBEG, RXA_WEND };

struct rx_node {
	unsigned char type; /* enum rx_node_type */
	unsigned char c;    /* RXN_CHAR: the byte; RXN_ASSERT: the kind */
	int set;	    /* RXN_CLASS: index into classes */
	int kid, next;	    /* first child, next sibling; -1 for none */
	int min, max;	    /* RXN_REPEAT */
	size_t size;	    /* instructions once compiled */
};

/* A leaf node compiles to the instruction of the same number. */
enum rx_op {
	RXI_CHAR = RXN_CHAR,
	RXI_ANY = RXN_ANY,
	RXI_CLASS = RXN_CLASS,
	RXI_ASSERT = RXN_ASSERT,
	RXI_SPLIT,
	RXI_JMP,
	RXI_MATCH,
};

struct rx_inst {
	unsigned char op; /* enum rx_op */
	unsigned char c;  /* RXI_CHAR: byte; RXI_ASSERT: enum rx_assert */
	int x, y; /* RXI_SPLIT: both targets; RXI_JMP: x; RXI_CLASS: x */
};

struct rx_set {
	unsigned char bits[32]; /* one bit per byte value */
};

struct regex {
	struct rx_inst *insts;
	size_t ninsts;
	struct rx_set *sets;
	size_t nsets;
	/* Where no thread is alive, a match can only start on a byte of
	 * first (skip_ok: the pattern cannot match ""), or only at 0
	 * (anchored: every path starts with ^). */
	struct rx_set first;
	bool skip_ok, anchored;
};

struct rx_parser {
	const char *p; /* next byte of the pattern */
	struct rx_node *nodes;
	size_t nnodes, cap;
	struct rx_set *sets;
	size_t nsets, setcap;
	int depth;
	struct scorch_err *err;
};

static void
rx_set_add(struct rx_set *s, unsigned c)
{
	s->bits[c >> 3] |= (unsigned char)(1u << (c & 7));
}

static bool
rx_set_has(const struct rx_set *s, unsigned c)
{
	return s->bits[c >> 3] & (1u << (c & 7));
}

static bool
rx_is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* A node, or -1 (err set) when the pattern has too many. */
static int
rx_node_new(struct rx_parser *ps, enum rx_node_type type, size_t size)
{
	struct rx_node *n;

	/* Empty groups compile to nothing: a cap on nodes bounds them. */
	if (ps->nnodes >= 4 * REGEX_MAX_STATES) {
		err_set(ps->err, "too large (more than %d states)",
			REGEX_MAX_STATES);
		return -1;
	}
	if (ps->nnodes == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 16;
		ps->nodes = xreallocarray(ps->nodes, ps->cap, sizeof(*n));
	}
	n = &ps->nodes[ps->nnodes];
	memset(n, 0, sizeof(*n));
	n->type = (unsigned char)type;
	n->kid = n->next = -1;
	n->size = size;
	return (int)ps->nnodes++;
}

/* A fresh, empty byte set; its index, or -1 (err set). */
static int
rx_set_new(struct rx_parser *ps)
{
	if (ps->nsets == ps->setcap) {
		ps->setcap = ps->setcap ? 2 * ps->setcap : 4;
		ps->sets =
			xreallocarray(ps->sets, ps->setcap, sizeof(*ps->sets));
	}
	memset(&ps->sets[ps->nsets], 0, sizeof(*ps->sets));
	return (int)ps->nsets++;
}

/* The POSIX classes of the C locale, which scorch never changes, as byte
 * ranges: pairs of first and last (NUL is never in a class). */
static const struct {
	const char *name, *ranges;
} rx_classes[] = {
	/* clang-format off */
	{ "alpha", "AZaz" }, { "digit", "09" }, { "alnum", "09AZaz" },
	{ "upper", "AZ" }, { "lower", "az" }, { "space", "\t\r  " },
	{ "blank", "\t\t  " }, { "punct", "!/:@[`{~" }, { "print", " ~" },
	{ "graph", "!~" }, { "cntrl", "\x01\x1f\x7f\x7f" },
	{ "xdigit", "09AFaf" },
	/* clang-format on */
};

static void
rx_set_ranges(struct rx_set *s, const char *ranges)
{
	unsigned c;

	for (; ranges[0]; ranges += 2)
		for (c = (unsigned char)ranges[0];
		     c <= (unsigned char)ranges[1]; c++)
			rx_set_add(s, c);
}

/* Bytes of the named POSIX class ("alpha") into s; false when unknown. */
static bool
rx_posix_class(const char *name, size_t len, struct rx_set *s)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(rx_classes); k++)
		if (strlen(rx_classes[k].name) == len &&
		    !memcmp(rx_classes[k].name, name, len)) {
			rx_set_ranges(s, rx_classes[k].ranges);
			return true;
		}
	return false;
}

/* One element of a bracket expression at ps->p: a byte, or [:class:],
 * [.c.], [=c=] (single bytes only). Returns the byte, -2 for a class
 * (added to s), or -1 (err set). */
static int
rx_bracket_elem(struct rx_parser *ps, struct rx_set *s)
{
	const char *p = ps->p, *end;
	char kind;

	if (p[0] != '[' || (p[1] != ':' && p[1] != '.' && p[1] != '='))
		return (unsigned char)*ps->p++;
	kind = p[1];
	for (end = p + 2; *end && !(end[0] == kind && end[1] == ']'); end++)
		;
	if (!*end) {
		err_set(ps->err, "unmatched [%c", kind);
		return -1;
	}
	ps->p = end + 2;
	if (kind == ':') {
		if (rx_posix_class(p + 2, (size_t)(end - p - 2), s))
			return -2;
		err_set(ps->err, "unknown character class [:%.*s:]",
			(int)(end - p - 2), p + 2);
		return -1;
	}
	if (end - p - 2 != 1) {
		err_set(ps->err, "unsupported collating element [%c%.*s%c]",
			kind, (int)(end - p - 2), p + 2, kind);
		return -1;
	}
	return (unsigned char)p[2];
}

/* A bracket expression; ps->p is past the '['. Backslash is an ordinary
 * byte inside brackets, as POSIX says; ']' first is literal. */
static int
rx_parse_bracket(struct rx_parser *ps)
{
	struct rx_set s = { { 0 } };
	bool neg = false, first = true;
	int set, lo, hi, c, id;

	if (*ps->p == '^') {
		neg = true;
		ps->p++;
	}
	for (;; first = false) {
		if (!*ps->p) {
			err_set(ps->err, "unmatched [");
			return -1;
		}
		if (*ps->p == ']' && !first)
			break;
		lo = rx_bracket_elem(ps, &s);
		if (lo == -1)
			return -1;
		if (lo == -2)
			continue;
		if (ps->p[0] != '-' || ps->p[1] == ']' || !ps->p[1]) {
			rx_set_add(&s, (unsigned)lo);
			continue;
		}
		ps->p++;
		hi = rx_bracket_elem(ps, &s);
		if (hi == -1)
			return -1;
		if (hi == -2 || hi < lo) {
			err_set(ps->err, "invalid range in [...]");
			return -1;
		}
		for (c = lo; c <= hi; c++)
			rx_set_add(&s, (unsigned)c);
	}
	ps->p++;
	if (neg)
		for (c = 0; c < 32; c++)
			s.bits[c] = (unsigned char)~s.bits[c];
	s.bits[0] &= 0xfe; /* never NUL, which ends the text */
	set = rx_set_new(ps);
	ps->sets[set] = s;
	id = rx_node_new(ps, RXN_CLASS, 1);
	if (id >= 0)
		ps->nodes[id].set = set;
	return id;
}

/* \w \W \s \S \d \D as a class node. */
static int
rx_parse_class_escape(struct rx_parser *ps, char e)
{
	int set = rx_set_new(ps), c, id;
	struct rx_set *s = &ps->sets[set];

	rx_set_ranges(s, e == 'w' || e == 'W'	? "09AZ__az"
			 : e == 's' || e == 'S' ? "\t\r  "
						: "09");
	if (e == 'W' || e == 'S' || e == 'D')
		for (c = 0; c < 32; c++)
			s->bits[c] = (unsigned char)~s->bits[c];
	s->bits[0] &= 0xfe;
	id = rx_node_new(ps, RXN_CLASS, 1);
	if (id >= 0)
		ps->nodes[id].set = set;
	return id;
}

/* The escape after a backslash; ps->p is past the backslash. */
static int
rx_parse_escape(struct rx_parser *ps)
{
	static const char asserts[] = "bB<>";
	char e = *ps->p;
	const char *a;
	int id;

	if (!e) {
		err_set(ps->err, "trailing backslash");
		return -1;
	}
	ps->p++;
	if (strchr("wWsSdD", e))
		return rx_parse_class_escape(ps, e);
	if ((a = strchr(asserts, e))) {
		id = rx_node_new(ps, RXN_ASSERT, 1);
		if (id >= 0)
			ps->nodes[id].c =
				(unsigned char)(RXA_WORD + (a - asserts));
		return id;
	}
	if (e >= '1' && e <= '9') {
		err_set(ps->err, "back-references (\\%c) are not supported", e);
		return -1;
	}
	if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
		err_set(ps->err, "unsupported escape \\%c", e);
		return -1;
	}
	id = rx_node_new(ps, RXN_CHAR, 1);
	if (id >= 0)
		ps->nodes[id].c = (unsigned char)e;
	return id;
}

static int rx_parse_alt(struct rx_parser *ps);

/* One atom; -1 with err set on error. */
static int
rx_parse_atom(struct rx_parser *ps)
{
	char c = *ps->p++;
	int id;

	switch (c) {
	case '(':
		if (++ps->depth > RX_MAX_DEPTH) {
			err_set(ps->err, "nesting over %d levels",
				RX_MAX_DEPTH);
			return -1;
		}
		id = rx_parse_alt(ps);
		if (id < 0)
			return -1;
		if (*ps->p != ')') {
			err_set(ps->err, "unmatched (");
			return -1;
		}
		ps->p++;
		ps->depth--;
		return id;
	case '[':
		return rx_parse_bracket(ps);
	case '\\':
		return rx_parse_escape(ps);
	case '.':
		return rx_node_new(ps, RXN_ANY, 1);
	case '^':
	case '$':
		id = rx_node_new(ps, RXN_ASSERT, 1);
		if (id >= 0)
			ps->nodes[id].c = c == '^' ? RXA_BOL : RXA_EOL;
		return id;
	case '*':
	case '+':
	case '?':
	case '{':
		err_set(ps->err, "nothing to repeat before '%c'", c);
		return -1;
	default:
		id = rx_node_new(ps, RXN_CHAR, 1);
		if (id >= 0)
			ps->nodes[id].c = (unsigned char)c;
		return id;
	}
}

/* A decimal count at ps->p, at most REGEX_MAX_REPEAT; -1 when absent,
 * -2 (err set) when too big. */
static int
rx_parse_count(struct rx_parser *ps)
{
	int n = -1;

	while (*ps->p >= '0' && *ps->p <= '9') {
		n = (n < 0 ? 0 : n) * 10 + (*ps->p++ - '0');
		if (n > REGEX_MAX_REPEAT) {
			err_set(ps->err, "repetition count over %d",
				REGEX_MAX_REPEAT);
			return -2;
		}
	}
	return n;
}

/* {m}, {m,}, {m,n}, {,n}; ps->p is past the '{'. */
static int
rx_parse_interval(struct rx_parser *ps, int *min, int *max)
{
	*min = rx_parse_count(ps);
	if (*min == -2)
		return -1;
	*max = *min;
	if (*ps->p == ',') {
		ps->p++;
		*max = rx_parse_count(ps);
		if (*max == -2)
			return -1;
		if (*min < 0)
			*min = 0;
	} else if (*min < 0) {
		*max = -2; /* "{" with no count: invalid */
	}
	if (*ps->p != '}' || *max == -2 || (*max >= 0 && *max < *min)) {
		err_set(ps->err, "invalid interval {...}");
		return -1;
	}
	ps->p++;
	return 0;
}

/* Instructions for kid{min,max} (see rx_emit_repeat); kid->size and the
 * counts are capped, so this cannot overflow. */
static size_t
rx_repeat_size(size_t kid, int min, int max)
{
	if (max < 0)
		return min ? (size_t)min * kid + 1 : kid + 2;
	return (size_t)min * kid + (size_t)(max - min) * (kid + 1);
}

/* An atom and the repetition operators after it. */
static int
rx_parse_repeat(struct rx_parser *ps)
{
	int id = rx_parse_atom(ps), rep, min, max, stacked = 0;
	char c;

	while (id >= 0 && (c = *ps->p) &&
	       (c == '*' || c == '+' || c == '?' || c == '{')) {
		ps->p++;
		if (ps->nodes[id].type == RXN_ASSERT) {
			err_set(ps->err, "nothing to repeat before '%c'", c);
			return -1;
		}
		if (++stacked + ps->depth > RX_MAX_DEPTH) {
			err_set(ps->err, "nesting over %d levels",
				RX_MAX_DEPTH);
			return -1;
		}
		min = c == '+';
		max = c == '?' ? 1 : -1;
		if (c == '{' && rx_parse_interval(ps, &min, &max) < 0)
			return -1;
		rep = rx_node_new(ps, RXN_REPEAT,
				  rx_repeat_size(ps->nodes[id].size, min, max));
		if (rep < 0)
			return -1;
		ps->nodes[rep].kid = id;
		ps->nodes[rep].min = min;
		ps->nodes[rep].max = max;
		id = rep;
		if (ps->nodes[id].size > REGEX_MAX_STATES) {
			err_set(ps->err,
				"too large (more than %d states once "
				"repetition is expanded)",
				REGEX_MAX_STATES);
			return -1;
		}
	}
	return id;
}

/* A CAT or ALT of the parts parse() returns, up to a stop byte. */
static int
rx_parse_list(struct rx_parser *ps, enum rx_node_type type,
	      int (*parse)(struct rx_parser *), const char *stops)
{
	int list = rx_node_new(ps, type, 0), last = -1, id, n = 0;

	while (list >= 0) {
		if (type == RXN_CAT && (!*ps->p || strchr(stops, *ps->p) ||
					(*ps->p == ')' && ps->depth > 0)))
			break;
		id = parse(ps);
		if (id < 0)
			return -1;
		if (last < 0)
			ps->nodes[list].kid = id;
		else
			ps->nodes[last].next = id;
		last = id;
		n++;
		ps->nodes[list].size +=
			ps->nodes[id].size + (type == RXN_ALT && n > 1 ? 2 : 0);
		if (ps->nodes[list].size > REGEX_MAX_STATES) {
			err_set(ps->err, "too large (more than %d states)",
				REGEX_MAX_STATES);
			return -1;
		}
		if (type == RXN_ALT) {
			if (*ps->p != '|')
				break;
			ps->p++;
		}
	}
	return list;
}

static int
rx_parse_cat(struct rx_parser *ps)
{
	return rx_parse_list(ps, RXN_CAT, rx_parse_repeat, "|");
}

static int
rx_parse_alt(struct rx_parser *ps)
{
	return rx_parse_list(ps, RXN_ALT, rx_parse_cat, "");
}

/* ---- compiling ----------------------------------------------------------- */

static size_t rx_emit(struct regex *re, const struct rx_node *nodes, int id);

static size_t
rx_put(struct regex *re, enum rx_op op, int x, int y)
{
	struct rx_inst *in = &re->insts[re->ninsts];

	in->op = (unsigned char)op;
	in->x = x;
	in->y = y;
	return re->ninsts++;
}

/* kid{min,}: (min-1) copies, then one looping back (kid+); kid{0,}: a
 * split around a loop. kid{min,max}: min copies, then (max-min) optional
 * ones, each split jumping to the common end. */
static void
rx_emit_repeat(struct regex *re, const struct rx_node *nodes,
	       const struct rx_node *n)
{
	size_t i, start, split;

	/* A kid of no instructions matches only "" (an assertion is one),
	 * and so does any repetition of it: emit nothing, or nesting such
	 * repetitions would loop 1000^depth times. */
	if (!nodes[n->kid].size)
		return;
	if (n->max < 0 && n->min == 0) {
		split = rx_put(re, RXI_SPLIT, (int)re->ninsts + 1, 0);
		rx_emit(re, nodes, n->kid);
		rx_put(re, RXI_JMP, (int)split, 0);
		re->insts[split].y = (int)re->ninsts;
		return;
	}
	for (i = 0; i + (n->max < 0) < (size_t)n->min; i++)
		rx_emit(re, nodes, n->kid);
	if (n->max < 0) {
		start = re->ninsts;
		rx_emit(re, nodes, n->kid);
		rx_put(re, RXI_SPLIT, (int)start, (int)re->ninsts + 1);
		return;
	}
	/* The splits' second targets are the end, filled in once known:
	 * the kid's own splits are complete when its rx_emit() returns. */
	start = re->ninsts;
	for (i = 0; i < (size_t)(n->max - n->min); i++) {
		rx_put(re, RXI_SPLIT, (int)re->ninsts + 1, -1);
		rx_emit(re, nodes, n->kid);
	}
	for (; start < re->ninsts; start++)
		if (re->insts[start].op == RXI_SPLIT && re->insts[start].y < 0)
			re->insts[start].y = (int)re->ninsts;
}

/* Emit node id; returns the index of its first instruction. */
static size_t
rx_emit(struct regex *re, const struct rx_node *nodes, int id)
{
	const struct rx_node *n = &nodes[id];
	size_t first = re->ninsts, split;
	int k;

	switch (n->type) {
	case RXN_CHAR:
	case RXN_ANY:
	case RXN_CLASS:
	case RXN_ASSERT:
		re->insts[rx_put(re, (enum rx_op)n->type, n->set, 0)].c = n->c;
		break;
	case RXN_CAT:
		for (k = n->kid; k >= 0; k = nodes[k].next)
			rx_emit(re, nodes, k);
		break;
	case RXN_ALT:
		/* split L1, next; L1: a; jmp end; next: split ... ; last */
		for (k = n->kid; nodes[k].next >= 0; k = nodes[k].next) {
			split = rx_put(re, RXI_SPLIT, (int)re->ninsts + 1, 0);
			rx_emit(re, nodes, k);
			rx_put(re, RXI_JMP, -1, 0);
			re->insts[split].y = (int)re->ninsts;
		}
		rx_emit(re, nodes, k);
		/* Every jmp of this alternation goes to its end. */
		for (split = first; split < re->ninsts; split++)
			if (re->insts[split].op == RXI_JMP &&
			    re->insts[split].x == -1)
				re->insts[split].x = (int)re->ninsts;
		break;
	case RXN_REPEAT:
		rx_emit_repeat(re, nodes, n);
		break;
	default: /* RXN_EMPTY */
		break;
	}
	return first;
}

static bool
rx_step_ok(const struct regex *re, const struct rx_inst *in, unsigned c)
{
	return in->op == RXI_CHAR  ? in->c == c
	       : in->op == RXI_ANY ? true
				   : rx_set_has(&re->sets[in->x], c);
}

static void rx_analyze(struct regex *re);

struct regex *
regex_new(const char *pattern, struct scorch_err *err)
{
	struct rx_parser ps = { .p = pattern, .err = err };
	struct regex *re = NULL;
	/* At the top level only the end stops parsing: a ')' there is an
	 * ordinary byte, as in glibc. */
	int root = rx_parse_alt(&ps);

	if (root < 0)
		goto out_free;
	re = xcalloc(1, sizeof(*re));
	re->insts = xcalloc(ps.nodes[root].size + 1, sizeof(*re->insts));
	rx_emit(re, ps.nodes, root);
	rx_put(re, RXI_MATCH, 0, 0);
	re->sets = ps.sets;
	re->nsets = ps.nsets;
	ps.sets = NULL;
	rx_analyze(re);
out_free:
	free(ps.nodes);
	free(ps.sets);
	return re;
}

void
regex_free(struct regex *re)
{
	if (!re)
		return;
	free(re->insts);
	free(re->sets);
	free(re);
}

size_t
regex_states(const struct regex *re)
{
	return re->ninsts;
}

/* ---- matching ------------------------------------------------------------ */

struct rx_run {
	const unsigned char *s;
	size_t len;
	size_t *mark; /* mark[pc] == pos + 1: pc is in the list for pos */
	int *stack;
	int reach; /* rx_analyze(): 1 every assertion passes, 2 all but ^ */
};

static bool
rx_assert_holds(const struct rx_run *r, int kind, size_t pos)
{
	bool before = pos > 0 && rx_is_word(r->s[pos - 1]);
	bool after = pos < r->len && rx_is_word(r->s[pos]);

	return kind == RXA_BOL	   ? pos == 0
	       : kind == RXA_EOL   ? pos == r->len
	       : kind == RXA_WORD  ? before != after
	       : kind == RXA_NWORD ? before == after
	       : kind == RXA_WBEG  ? !before && after
				   : before && !after; /* RXA_WEND */
}

/* Add pc and every state it reaches without consuming a byte to the list
 * for position pos; true when one of them is MATCH. */
static bool
rx_add(const struct regex *re, struct rx_run *r, int *list, size_t *n, int pc,
       size_t pos)
{
	const struct rx_inst *in;
	size_t sp = 0;

	r->stack[sp++] = pc;
	while (sp) {
		pc = r->stack[--sp];
		if (r->mark[pc] == pos + 1)
			continue;
		r->mark[pc] = pos + 1;
		in = &re->insts[pc];
		switch (in->op) {
		case RXI_MATCH:
			return true;
		case RXI_JMP:
			r->stack[sp++] = in->x;
			break;
		case RXI_SPLIT:
			r->stack[sp++] = in->y;
			r->stack[sp++] = in->x;
			break;
		case RXI_ASSERT:
			if (r->reach ? r->reach == 1 || in->c != RXA_BOL
				     : rx_assert_holds(r, in->c, pos))
				r->stack[sp++] = pc + 1;
			break;
		default:
			list[(*n)++] = pc;
		}
	}
	return false;
}

/* What can start a match, from the states reachable from the start
 * without consuming: with every assertion passing, the bytes they take
 * (none, when MATCH is among them: the pattern can match ""); with ^
 * stopping, whether any path gets past it. */
static void
rx_analyze(struct regex *re)
{
	size_t m = re->ninsts, n = 0, i;
	struct rx_run r = { (const unsigned char *)"", 0,
			    xcalloc(m, sizeof(*r.mark)),
			    xcalloc(2 * m + 1, sizeof(*r.stack)), 1 };
	int *list = xcalloc(m, sizeof(*list));
	unsigned c;

	re->skip_ok = !rx_add(re, &r, list, &n, 0, 0);
	for (i = 0; re->skip_ok && i < n; i++)
		for (c = 1; c < 256; c++)
			if (rx_step_ok(re, &re->insts[list[i]], c))
				rx_set_add(&re->first, c);
	r.reach = 2;
	n = 0;
	/* Position 1 only to mark a fresh list. */
	re->anchored = !rx_add(re, &r, list, &n, 0, 1) && !n;
	free(list);
	free(r.stack);
	free(r.mark);
}

bool
regex_match(const struct regex *re, const char *text)
{
	size_t m = re->ninsts, pos, i, nc = 0, nn;
	struct rx_run r = { (const unsigned char *)text, strlen(text), NULL,
			    NULL, 0 };
	/* Small patterns (most) match without touching the heap. */
	size_t mark_buf[RX_SMALL];
	int int_buf[5 * RX_SMALL + 1];
	int *lists, *clist, *nlist, *t;
	bool hit = false, small = m <= RX_SMALL;

	r.mark = small ? mark_buf : xmalloc(m * sizeof(*r.mark));
	memset(r.mark, 0, m * sizeof(*r.mark));
	/* Each state pushes two at most, once per position. */
	r.stack = small ? int_buf : xcalloc(2 * m + 1, sizeof(*r.stack));
	lists = small ? int_buf + 2 * m + 1 : xcalloc(2 * m, sizeof(*lists));
	clist = lists;
	nlist = lists + m;
	for (pos = 0; !hit; pos++) {
		if (!nc && pos && re->anchored)
			break;
		/* With no thread alive, skip to where a match can start. */
		while (!nc && re->skip_ok && pos < r.len &&
		       !rx_set_has(&re->first, r.s[pos]))
			pos++;
		/* Unanchored: a thread starts at every position. */
		hit = rx_add(re, &r, clist, &nc, 0, pos);
		if (hit || pos == r.len)
			break;
		nn = 0;
		for (i = 0; i < nc && !hit; i++)
			if (rx_step_ok(re, &re->insts[clist[i]], r.s[pos]))
				hit = rx_add(re, &r, nlist, &nn, clist[i] + 1,
					     pos + 1);
		t = clist, clist = nlist, nlist = t;
		nc = nn;
	}
	if (!small) {
		free(lists);
		free(r.stack);
		free(r.mark);
	}
	return hit;
}
