/* SPDX-License-Identifier: MIT */
/*
 * common/regex.c - a bounded POSIX extended regex engine: patterns from
 * budget files and the command line are parsed with a size cap (counted
 * repetition expanded, refused past REGEX_MAX_STATES) and searched by an
 * NFA simulation, so matching costs O(states x text) whatever the pattern.
 * glibc's regcomp() would expand ((a{1000}){1000}){1000} until memory ran
 * out; render/flame.js carries the same engine for the SVG's search box.
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

enum rx_op {
	RXI_CHAR,
	RXI_ANY,
	RXI_CLASS,
	RXI_ASSERT,
	RXI_SPLIT,
	RXI_JMP,
	RXI_MATCH
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

	/* Every node but EMPTY and CAT compiles to at least one instruction
	 * and a CAT holds at least two nodes, so this bounds parsing too. */
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

static int
rx_class_node(struct rx_parser *ps, int set)
{
	int id = rx_node_new(ps, RXN_CLASS, 1);

	if (id >= 0)
		ps->nodes[id].set = set;
	return id;
}

/* Bytes of the named POSIX class ("alpha") into s; false when unknown.
 * Classes are those of the C locale, which scorch never changes. */
static bool
rx_posix_class(const char *name, size_t len, struct rx_set *s)
{
	static const char *const names[] = {
		"alpha", "digit", "alnum", "upper", "lower", "space",
		"blank", "punct", "print", "graph", "cntrl", "xdigit"
	};
	size_t k;
	unsigned c;

	for (k = 0; k < ARRAY_SIZE(names); k++)
		if (strlen(names[k]) == len && !memcmp(names[k], name, len))
			break;
	if (k == ARRAY_SIZE(names))
		return false;
	for (c = 0; c < 128; c++) {
		bool up = c >= 'A' && c <= 'Z', lo = c >= 'a' && c <= 'z';
		bool dig = c >= '0' && c <= '9',
		     sp = c == ' ' || (c >= '\t' && c <= '\r');
		bool print = c >= 0x20 && c < 0x7f;
		bool in[] = { up || lo,
			      dig,
			      up || lo || dig,
			      up,
			      lo,
			      sp,
			      c == ' ' || c == '\t',
			      print && c != ' ' && !up && !lo && !dig,
			      print,
			      print && c != ' ',
			      c < 0x20 || c == 0x7f,
			      dig || (c >= 'a' && c <= 'f') ||
				      (c >= 'A' && c <= 'F') };

		if (in[k])
			rx_set_add(s, c);
	}
	return true;
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
	int set, lo, hi, c;

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
	return rx_class_node(ps, set);
}

/* \w \W \s \S \d \D as a class node. */
static int
rx_parse_class_escape(struct rx_parser *ps, char e)
{
	int set = rx_set_new(ps), c;
	struct rx_set *s = &ps->sets[set];
	bool neg = e == 'W' || e == 'S' || e == 'D';

	for (c = 1; c < 256; c++) {
		bool in = e == 'w' || e == 'W' ? rx_is_word(c)
			  : e == 's' || e == 'S'
				  ? c == ' ' || (c >= '\t' && c <= '\r')
				  : c >= '0' && c <= '9';

		if (in != neg)
			rx_set_add(s, (unsigned)c);
	}
	return rx_class_node(ps, set);
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
			err_set(ps->err, "nested deeper than %d", RX_MAX_DEPTH);
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
			err_set(ps->err, "nested deeper than %d", RX_MAX_DEPTH);
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
	size_t *fix;

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
	fix = xcalloc((size_t)(n->max - n->min) + 1, sizeof(*fix));
	for (i = 0; i < (size_t)(n->max - n->min); i++) {
		fix[i] = rx_put(re, RXI_SPLIT, (int)re->ninsts + 1, 0);
		rx_emit(re, nodes, n->kid);
	}
	while (i--)
		re->insts[fix[i]].y = (int)re->ninsts;
	free(fix);
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
		re->insts[rx_put(re, RXI_CHAR, 0, 0)].c = n->c;
		break;
	case RXN_ANY:
		rx_put(re, RXI_ANY, 0, 0);
		break;
	case RXN_CLASS:
		rx_put(re, RXI_CLASS, n->set, 0);
		break;
	case RXN_ASSERT:
		re->insts[rx_put(re, RXI_ASSERT, 0, 0)].c = n->c;
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
	switch (in->op) {
	case RXI_CHAR:
		return in->c == c;
	case RXI_ANY:
		return true;
	default: /* RXI_CLASS */
		return rx_set_has(&re->sets[in->x], c);
	}
}

/* Walk the states reachable from the start without consuming a byte,
 * ^ passing unless bol_stops, every other assertion passing: the bytes
 * their consuming states take go to first (when not NULL). Returns 1 when
 * MATCH is among them, 0 when only consuming states are, -1 when none. */
static int
rx_reach(const struct regex *re, bool bol_stops, struct rx_set *first)
{
	bool *seen = xcalloc(re->ninsts, sizeof(*seen));
	int *stack = xcalloc(2 * re->ninsts + 1, sizeof(*stack));
	size_t sp = 0;
	int pc, ret = -1;
	unsigned c;

	stack[sp++] = 0;
	while (sp) {
		const struct rx_inst *in = &re->insts[pc = stack[--sp]];

		if (seen[pc])
			continue;
		seen[pc] = true;
		if (in->op == RXI_MATCH) {
			ret = 1;
		} else if (in->op == RXI_JMP) {
			stack[sp++] = in->x;
		} else if (in->op == RXI_SPLIT) {
			stack[sp++] = in->y;
			stack[sp++] = in->x;
		} else if (in->op == RXI_ASSERT) {
			if (!bol_stops || in->c != RXA_BOL)
				stack[sp++] = pc + 1;
		} else {
			ret = ret < 0 ? 0 : ret;
			for (c = 1; first && c < 256; c++)
				if (rx_step_ok(re, in, c))
					rx_set_add(first, c);
		}
	}
	free(stack);
	free(seen);
	return ret;
}

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
	re->skip_ok = rx_reach(re, false, &re->first) == 0;
	re->anchored = rx_reach(re, true, NULL) < 0;
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
};

static bool
rx_assert_holds(const struct rx_run *r, int kind, size_t pos)
{
	bool before = pos > 0 && rx_is_word(r->s[pos - 1]);
	bool after = pos < r->len && rx_is_word(r->s[pos]);

	switch (kind) {
	case RXA_BOL:
		return pos == 0;
	case RXA_EOL:
		return pos == r->len;
	case RXA_WORD:
		return before != after;
	case RXA_NWORD:
		return before == after;
	case RXA_WBEG:
		return !before && after;
	default: /* RXA_WEND */
		return before && !after;
	}
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
			if (rx_assert_holds(r, in->c, pos))
				r->stack[sp++] = pc + 1;
			break;
		default:
			list[(*n)++] = pc;
		}
	}
	return false;
}

bool
regex_match(const struct regex *re, const char *text)
{
	size_t m = re->ninsts, pos, i, nc = 0, nn;
	struct rx_run r = { (const unsigned char *)text, strlen(text), NULL,
			    NULL };
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
