/* SPDX-License-Identifier: MIT */
/*
 * profile/perfscript.c - `perf script` text read as stackcollapse-perf.pl
 * collapses it by default: a sample is a header line "comm pid/tid [cpu]
 * time: period event:" and its frames "addr sym+off (dso)", leaf first,
 * up to a blank line. The stack is the process name (spaces as '_') then
 * the frames, root first, counted by the sample's period (1 when the text
 * has none); only the first event's samples are kept. A frame's "+0x..."
 * is cut, its name tidied as stackcollapse-perf.pl does (';' as ':', the
 * argument list and quotes dropped), an unknown symbol named after its
 * module ("[libc.so.6]") or "[unknown]". Kinds are kept where scorch's
 * model has them (folded output writes them as stackcollapse-perf.pl
 * --all does): a kernel module ("[kernel.kallsyms]", vmlinux) is kernel,
 * a perf map /tmp/perf-PID.map JIT, and frames after the first of an
 * "a->b" chain, or with the module "(inlined)", inlined.
 * The limits are the folded reader's (docs/FORMAT.md, "Limits").
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "profile.h"

/* A header line, parsed. */
struct perfscript_header {
	const char *comm;
	size_t comm_len;
	const char *event; /* NULL when the line names none */
	size_t event_len;
	uint64_t period; /* 0: none given */
};

struct perfscript_reader {
	struct profile *p;
	struct lines in; /* the text, in.name and in.lineno for errors */
	char *event;	 /* the first event seen: the one kept */
	bool in_sample;
	uint32_t root; /* the sample's process name frame */
	uint64_t period;
	uint32_t *ids; /* the sample's frames, leaf first */
	size_t nids, ids_cap;
	struct strbuf func;
	unsigned long samples;
};

static bool
perfscript_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Digits at s[*i]: moves *i past them; false when there are none. */
static bool
perfscript_digits(const char *s, size_t len, size_t *i)
{
	size_t start = *i;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i > start;
}

/*
 * stackcollapse-perf.pl's header pattern ^(\S.+?)\s+(\d+)/?(\d+)?\s+: the shortest
 * comm of two or more bytes followed by blanks, a pid (and /tid), a blank.
 */
static bool
perfscript_comm(const char *s, size_t len, size_t *comm_len)
{
	size_t e, i;

	if (len < 2 || perfscript_space(s[0]))
		return false;
	for (e = 2; e < len; e++) {
		if (!perfscript_space(s[e]))
			continue;
		for (i = e; i < len && perfscript_space(s[i]); i++)
			;
		if (!perfscript_digits(s, len, &i))
			continue;
		while (i < len && s[i] == '/')
			i++;
		perfscript_digits(s, len, &i);
		if (i < len && perfscript_space(s[i])) {
			*comm_len = e;
			return true;
		}
	}
	return false;
}

/*
 * The end of a header, /:\s*(\d+)*\s+(\S+):\s*$/: "time: PERIOD EVENT:",
 * the period optional. Returns -1 when the period overflows.
 */
static int
perfscript_event(const char *s, size_t len, struct perfscript_header *h)
{
	size_t end = len, tok, i, d;
	uint64_t v = 0;

	h->event = NULL;
	h->period = 0;
	while (end && isspace((unsigned char)s[end - 1]))
		end--;
	for (tok = end; tok && !isspace((unsigned char)s[tok - 1]); tok--)
		;
	if (end - tok < 2 || s[end - 1] != ':' || !tok)
		return 0;
	for (i = tok; i && perfscript_space(s[i - 1]); i--)
		;
	for (d = i; d && s[d - 1] >= '0' && s[d - 1] <= '9'; d--)
		;
	if (d < i) {
		size_t j;

		for (j = d; j < i; j++) {
			if (v > (UINT64_MAX - (uint64_t)(s[j] - '0')) / 10)
				return -1;
			v = v * 10 + (uint64_t)(s[j] - '0');
		}
		i = d;
	}
	while (i && perfscript_space(s[i - 1]))
		i--;
	if (!i || s[i - 1] != ':')
		return 0;
	h->event = s + tok;
	h->event_len = end - 1 - tok;
	h->period = v;
	return 0;
}

static bool
perfscript_is_header(const char *line, size_t len)
{
	size_t comm_len;

	return perfscript_comm(line, len, &comm_len);
}

int
profile_perf_script_sniff(const char *data, size_t len, bool eof)
{
	const char *line = data, *nl, *end = data + len;
	struct perfscript_header h;
	size_t n;

	/* perf script --header's comment lines first. */
	while ((nl = memchr(line, '\n', (size_t)(end - line))) &&
	       line[0] == '#')
		line = nl + 1;
	if (!nl && !eof)
		return -1;
	n = nl ? (size_t)(nl - line) : (size_t)(end - line);
	if (n && line[n - 1] == '\r')
		n--;
	if (!n || line[0] == '#' || !perfscript_is_header(line, n))
		return 0;
	if (perfscript_event(line, n, &h) == 0 && h.event)
		return 1;
	/* No event named: a frame line must follow. */
	if (!nl || nl + 1 == end)
		return eof ? 0 : -1;
	return perfscript_space(nl[1]);
}

/* /^\s*(\w+)\s*(.+) \((.*)\)/: the address, the symbol and the module. */
static bool
perfscript_frame_split(char *s, size_t len, char **sym, size_t *sym_len,
		       char **mod, size_t *mod_len)
{
	size_t i = 0, pc, close, open;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	for (pc = i; i < len && (isalnum((unsigned char)s[i]) || s[i] == '_');
	     i++)
		;
	if (i == pc)
		return false;
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	for (close = len; close > i && s[close - 1] != ')'; close--)
		;
	if (close <= i)
		return false;
	close--; /* at the last ')' */
	for (open = close; open > i + 1; open--)
		if (s[open - 1] == ' ' && s[open] == '(')
			break;
	if (open <= i + 1 || s[open] != '(')
		return false;
	*sym = s + i;
	*sym_len = open - 1 - i;
	*mod = s + open + 1;
	*mod_len = close - open - 1;
	return true;
}

/* stackcollapse-perf.pl's tidy_generic, on the name in r->func. */
static void
perfscript_tidy(struct strbuf *f)
{
	char *s = f->buf, *paren, *dot;
	size_t i, n;

	for (i = 0; i < f->len; i++)
		if (s[i] == ';')
			s[i] = ':';
	/* Drop the argument list, unless a ".(...)." (Go) is in it. */
	dot = strstr(s, ".(");
	if (!(dot && strstr(dot + 2, ").")))
		for (paren = strchr(s, '('); paren;
		     paren = strchr(paren + 1, '('))
			if (strncmp(paren, "(anonymous namespace)", 21)) {
				f->len = (size_t)(paren - s);
				s[f->len] = '\0';
				break;
			}
	for (i = n = 0; i < f->len; i++)
		if (s[i] != '"' && s[i] != '\'')
			s[n++] = s[i];
	f->len = n;
	s[n] = '\0';
}

static bool
perfscript_kernel_mod(const char *mod, size_t len)
{
	if (memmem(mod, len, "unknown", 7))
		return false;
	return (len && mod[0] == '[') ||
	       (len >= 7 && !memcmp(mod + len - 7, "vmlinux", 7));
}

/* "/tmp/perf-PID.map" anywhere in mod. */
static bool
perfscript_jit_mod(const char *mod, size_t len)
{
	const char *s = mod, *end = mod + len, *hit;

	while ((hit = memmem(s, (size_t)(end - s), "/tmp/perf-", 10))) {
		const char *d = hit + 10, *q = d;

		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q > d && end - q >= 4 && !memcmp(q, ".map", 4))
			return true;
		s = hit + 1;
	}
	return false;
}

static int
perfscript_push(struct perfscript_reader *r, uint32_t id,
		struct scorch_err *err)
{
	/* The process name's frame comes on top. */
	if (r->nids + 1 >= PROFILE_MAX_DEPTH) {
		err_set(err, "%s:%lu: stack deeper than %d frames", r->in.name,
			r->in.lineno, PROFILE_MAX_DEPTH);
		return -1;
	}
	if (r->nids == r->ids_cap) {
		r->ids_cap = r->ids_cap ? r->ids_cap * 2 : 64;
		r->ids = xreallocarray(r->ids, r->ids_cap, sizeof(*r->ids));
	}
	r->ids[r->nids++] = id;
	return 0;
}

/* One function of a frame line (a piece of an "a->b" chain). */
static uint32_t
perfscript_func(struct perfscript_reader *r, const char *fn, size_t len,
		const char *mod, size_t mod_len, bool inlined, bool java)
{
	enum frame_kind kind = FRAME_USER;
	struct strbuf *f = &r->func;

	strbuf_reset(f);
	if (len == 9 && !memcmp(fn, "[unknown]", 9)) {
		if (mod_len == 9 && !memcmp(mod, "[unknown]", 9)) {
			strbuf_addstr(f, "[unknown]");
			kind = FRAME_UNKNOWN;
		} else {
			const char *base = mod + mod_len;

			while (base > mod && base[-1] != '/')
				base--;
			strbuf_addch(f, '[');
			strbuf_add(f, base, (size_t)(mod + mod_len - base));
			strbuf_addch(f, ']');
		}
	} else {
		strbuf_add(f, fn, len);
	}
	perfscript_tidy(f);
	if (java && strchr(f->buf, '/') && f->buf[0] == 'L') {
		memmove(f->buf, f->buf + 1, f->len);
		f->len--;
	}
	if (kind == FRAME_UNKNOWN)
		;
	else if (inlined)
		kind = FRAME_INLINED;
	else if (perfscript_kernel_mod(mod, mod_len))
		kind = FRAME_KERNEL;
	else if (perfscript_jit_mod(mod, mod_len))
		kind = FRAME_JIT;
	if (!f->len)
		strbuf_addstr(f, "[unknown]");
	if (f->len > PROFILE_MAX_NAME)
		return UINT32_MAX;
	return profile_intern_frame(r->p, f->buf, "", kind);
}

static int
perfscript_long_name(struct perfscript_reader *r, struct scorch_err *err)
{
	err_set(err, "%s:%lu: frame name longer than %d bytes", r->in.name,
		r->in.lineno, PROFILE_MAX_NAME);
	return -1;
}

/* A frame line of the sample being read: 0, or -1 with err. */
static int
perfscript_frame(struct perfscript_reader *r, char *line, size_t len,
		 struct scorch_err *err)
{
	char *sym, *mod, *piece, *end, *arrow;
	size_t sym_len, mod_len, n, first;
	bool java, inlined_mod;
	uint32_t id;

	if (!perfscript_frame_split(line, len, &sym, &sym_len, &mod,
				    &mod_len)) {
		err_set(err, "%s:%lu: not a perf script frame line", r->in.name,
			r->in.lineno);
		return -1;
	}
	/* Cut "+0x1f" (lower-case hex, as perf prints it). */
	for (n = sym_len; n && isxdigit((unsigned char)sym[n - 1]) &&
			  !isupper((unsigned char)sym[n - 1]);
	     n--)
		;
	if (n < sym_len && n >= 3 && !memcmp(sym + n - 3, "+0x", 3))
		sym_len = n - 3;
	if (sym_len && sym[0] == '(')
		return 0; /* a process name, as stackcollapse-perf.pl skips */
	java = !strncmp(profile_frame(r->p, r->root)->name, "java", 4);
	inlined_mod = mod_len == 7 && !memcmp(mod, "inlined", 7);
	/* "a->b": the pieces after the first are inlined; leaf first here. */
	first = r->nids;
	end = sym + sym_len;
	for (piece = sym;; piece = arrow + 2) {
		arrow = memmem(piece, (size_t)(end - piece), "->", 2);
		n = arrow ? (size_t)(arrow - piece) : (size_t)(end - piece);
		id = perfscript_func(r, piece, n, mod, mod_len,
				     piece != sym || inlined_mod, java);
		if (id == UINT32_MAX)
			return perfscript_long_name(r, err);
		if (perfscript_push(r, id, err) < 0)
			return -1;
		if (!arrow)
			break;
	}
	/* The pieces go in leaf first: reverse this line's ones. */
	for (n = r->nids - 1; first < n; first++, n--) {
		uint32_t t = r->ids[first];

		r->ids[first] = r->ids[n];
		r->ids[n] = t;
	}
	return 0;
}

/* The blank line after a sample: its stack, root first, is added. */
static int
perfscript_end(struct perfscript_reader *r, struct scorch_err *err)
{
	size_t i, n = r->nids;

	if (!r->in_sample)
		return 0;
	r->in_sample = false;
	if (UINT64_MAX - profile_total(r->p) < r->period) {
		err_set(err, "%s:%lu: sample count overflows", r->in.name,
			r->in.lineno);
		return -1;
	}
	if (perfscript_push(r, r->root, err) < 0)
		return -1;
	/* Leaf first, the process name last: reverse into root first. */
	for (i = 0; i < (n + 1) / 2; i++) {
		uint32_t t = r->ids[i];

		r->ids[i] = r->ids[n - i];
		r->ids[n - i] = t;
	}
	profile_add_stack(r->p, TASK_NONE, r->ids, (uint32_t)r->nids,
			  r->period);
	r->nids = 0;
	r->samples++;
	return 0;
}

/* A header line: a new sample, or one of another event to skip. */
static int
perfscript_header(struct perfscript_reader *r, char *line, size_t len,
		  struct scorch_err *err)
{
	struct perfscript_header h;
	struct strbuf *f = &r->func;
	size_t i;

	if (perfscript_end(r, err) < 0)
		return -1;
	r->nids = 0;
	perfscript_comm(line, len, &h.comm_len);
	if (perfscript_event(line, len, &h) < 0) {
		err_set(err, "%s:%lu: period overflows", r->in.name,
			r->in.lineno);
		return -1;
	}
	if (h.event) {
		if (!r->event)
			r->event = xstrndup(h.event, h.event_len);
		else if (strlen(r->event) != h.event_len ||
			 memcmp(r->event, h.event, h.event_len))
			return 0; /* another event: its frames are skipped */
	}
	r->in_sample = true;
	r->period = h.period ? h.period : 1;
	strbuf_reset(f);
	strbuf_add(f, line,
		   h.comm_len > PROFILE_MAX_NAME ? PROFILE_MAX_NAME
						 : h.comm_len);
	for (i = 0; i < f->len; i++)
		if (f->buf[i] == ' ')
			f->buf[i] = '_';
	r->root = profile_intern_frame(r->p, f->buf, "", FRAME_USER);
	return 0;
}

static int
perfscript_line(struct perfscript_reader *r, char *line, size_t len,
		struct scorch_err *err)
{
	if (!lines_trim(line, len))
		return perfscript_end(r, err);
	if (line[0] == '#')
		return 0;
	if (!isspace((unsigned char)line[0])) {
		if (!perfscript_is_header(line, len)) {
			err_set(err, "%s:%lu: not a perf script sample header",
				r->in.name, r->in.lineno);
			return -1;
		}
		return perfscript_header(r, line, len, err);
	}
	if (!r->in_sample)
		return 0; /* a frame of a skipped event */
	return perfscript_frame(r, line, len, err);
}

int
profile_read_perf_script(struct profile *p, FILE *fp, const char *name,
			 struct profile_read_opts *opts, struct scorch_err *err)
{
	struct perfscript_reader r = { .p = p };
	struct scorch_err line_err;
	char *line;
	size_t len;
	int ret = 0, got;

	lines_init(&r.in, fp, name, opts);
	strbuf_init(&r.func);
	while ((got = lines_next(&r.in, &line, &len, &line_err))) {
		if (got > 0 && perfscript_line(&r, line, len, &line_err) >= 0)
			continue;
		if (lines_bad(&r.in, &line_err, err) < 0) {
			ret = -1;
			break;
		}
		r.in_sample = false; /* the sample is not trusted whole */
		r.nids = 0;
	}
	/* Text cut after the last frame: that sample counts too. */
	if (!ret && perfscript_end(&r, err) < 0)
		ret = -1;
	if (!ret)
		ret = lines_read_error(&r.in, err);
	if (!ret && !r.samples) {
		err_set(err,
			"%s: perf script text without a sample with a "
			"stack (record with perf record -g)",
			name);
		ret = -1;
	}
	lines_fini(&r.in);
	strbuf_fini(&r.func);
	free(r.event);
	free(r.ids);
	return ret;
}
