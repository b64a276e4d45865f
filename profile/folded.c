/* SPDX-License-Identifier: MIT */
/* profile/folded.c - FlameGraph's folded stacks: "a;b;c COUNT" lines. */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "profile.h"

/* The limits of every format (profile.h). */
#define FOLDED_MAX_LINE PROFILE_MAX_LINE
#define FOLDED_MAX_DEPTH PROFILE_MAX_DEPTH

struct folded_line {
	char *text; /* "a;b;c" with kind suffixes */
	size_t len; /* of text */
	uint64_t count;
};

static int
folded_line_cmp(const void *a, const void *b)
{
	const struct folded_line *x = a, *y = b;

	return strcmp(x->text, y->text);
}

/* What an empty frame (no name, no suffix) is written as: the reader
 * refuses an empty frame. */
#define FOLDED_EMPTY "[unknown]"

/*
 * Append frame f as the folded reader will read it back: ';' (the frame
 * separator) becomes ':' as FlameGraph's collapsers write it, '\n' (the
 * line end) a space; the leaf loses trailing blanks (the reader takes them
 * for the space before the count); an empty frame is FOLDED_EMPTY.
 */
static void
folded_add_frame(struct strbuf *sb, const struct frame *f, bool leaf)
{
	size_t start = sb->len;
	char *c;

	strbuf_addstr(sb, f->name);
	strbuf_addstr(sb, frame_kind_suffix(f->kind));
	for (c = strpbrk(sb->buf + start, ";\n"); c; c = strpbrk(c + 1, ";\n"))
		*c = *c == ';' ? ':' : ' ';
	while (leaf && sb->len > start &&
	       (sb->buf[sb->len - 1] == ' ' || sb->buf[sb->len - 1] == '\t'))
		sb->buf[--sb->len] = '\0';
	if (sb->len == start)
		strbuf_addstr(sb, FOLDED_EMPTY);
}

/* Decimal digits of v. */
static size_t
folded_digits(uint64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/*
 * The lines of p as the writer writes them: sorted, stacks with the same
 * text (differing only by task, or by what folded stacks do not carry)
 * merged into one. NULL with err, having built nothing, when a stack is
 * one the reader would refuse: deeper than FOLDED_MAX_DEPTH frames, or a
 * line longer than FOLDED_MAX_LINE bytes.
 */
static struct folded_line *
folded_lines(const struct profile *p, size_t *nlines, struct scorch_err *err)
{
	size_t i, j, n = profile_nstacks(p), nl = 0;
	struct folded_line *lines = xcalloc(n ? n : 1, sizeof(*lines));
	struct strbuf sb;

	strbuf_init(&sb);
	for (i = 0; i < n; i++) {
		const struct stack *st = profile_stack(p, i);
		uint32_t d;

		if (!st->count || !st->depth)
			continue;
		if (st->depth > FOLDED_MAX_DEPTH) {
			err_set(err,
				"a stack of %" PRIu32 " frames: folded stacks "
				"hold at most %d",
				st->depth, FOLDED_MAX_DEPTH);
			goto out_free;
		}
		strbuf_reset(&sb);
		for (d = 0; d < st->depth; d++) {
			if (d)
				strbuf_addch(&sb, ';');
			folded_add_frame(&sb, profile_frame(p, st->frames[d]),
					 d + 1 == st->depth);
		}
		lines[nl].text = xstrndup(sb.buf, sb.len);
		lines[nl].len = sb.len;
		lines[nl].count = st->count;
		nl++;
	}
	qsort(lines, nl, sizeof(*lines), folded_line_cmp);
	for (i = 0, j = 0; i < nl; i++) {
		if (j && !strcmp(lines[j - 1].text, lines[i].text)) {
			lines[j - 1].count += lines[i].count;
			free(lines[i].text);
			continue;
		}
		lines[j++] = lines[i];
	}
	nl = j;
	for (i = 0; i < nl; i++) {
		/* "TEXT COUNT", as the reader counts it (the newline aside). */
		size_t len = lines[i].len + 1 + folded_digits(lines[i].count);

		if (len > FOLDED_MAX_LINE) {
			err_set(err,
				"a stack of %zu bytes as a folded line: folded "
				"lines hold at most %d bytes",
				len, FOLDED_MAX_LINE);
			goto out_free;
		}
	}
	strbuf_fini(&sb);
	*nlines = nl;
	return lines;
out_free:
	for (i = 0; i < nl; i++)
		free(lines[i].text);
	free(lines);
	strbuf_fini(&sb);
	return NULL;
}

/* The length of frame f as folded_add_frame() writes it. */
static size_t
folded_frame_len(const struct frame *f, bool leaf)
{
	const char *suffix = frame_kind_suffix(f->kind);
	size_t n = strlen(f->name);

	if (leaf && !*suffix)
		while (n && (f->name[n - 1] == ' ' || f->name[n - 1] == '\t'))
			n--;
	n += strlen(suffix);
	return n ? n : strlen(FOLDED_EMPTY);
}

/*
 * Without writing: each line's length from its frames' lengths. The count
 * a line shows is the sum of the stacks merged into it, at least the
 * stack's own and at most the profile's total; only a line whose length
 * those two leave undecided (within 20 bytes of the limit) needs the
 * merged lines themselves.
 */
int
folded_check(const struct profile *p, struct scorch_err *err)
{
	size_t i, n = profile_nstacks(p), nf = profile_nframes(p), total_digits;
	size_t *flen = xcalloc(2 * (nf ? nf : 1), sizeof(*flen));
	struct folded_line *lines;

	/* flen[2 * id] as an inner frame, flen[2 * id + 1] as the leaf. */
	for (i = 0; i < nf; i++) {
		flen[2 * i] =
			folded_frame_len(profile_frame(p, (uint32_t)i), false);
		flen[2 * i + 1] =
			folded_frame_len(profile_frame(p, (uint32_t)i), true);
	}
	total_digits = folded_digits(profile_total(p));
	for (i = 0; i < n; i++) {
		const struct stack *st = profile_stack(p, i);
		size_t len = 1 + st->depth - 1; /* ";"s and " " */
		uint32_t d;

		if (!st->count || !st->depth)
			continue;
		if (st->depth > FOLDED_MAX_DEPTH)
			break;
		for (d = 0; d + 1 < st->depth; d++)
			len += flen[2 * (size_t)st->frames[d]];
		len += flen[2 * (size_t)st->frames[d] + 1];
		if (len + total_digits > FOLDED_MAX_LINE)
			break;
	}
	free(flen);
	if (i == n)
		return 0;
	/* Undecided or refused: the writer's own lines say which, and why. */
	lines = folded_lines(p, &n, err);
	if (!lines)
		return -1;
	for (i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
	return 0;
}

int
profile_write_folded(const struct profile *p, FILE *fp)
{
	struct scorch_err err;
	struct folded_line *lines;
	size_t i, n;
	int ret = 0;

	lines = folded_lines(p, &n, &err);
	if (!lines)
		return -1;
	for (i = 0; i < n; i++) {
		if (fprintf(fp, "%s %" PRIu64 "\n", lines[i].text,
			    lines[i].count) < 0)
			ret = -1;
		free(lines[i].text);
	}
	free(lines);
	return ret || ferror(fp) ? -1 : 0;
}

/* Strip a kind suffix ("_[k]") from the frame name at s, len bytes. */
static enum frame_kind
folded_kind(const char *s, size_t *len)
{
	static const struct {
		const char *suffix;
		enum frame_kind kind;
	} kinds[] = {
		{ "_[k]", FRAME_KERNEL },
		{ "_[j]", FRAME_JIT },
		{ "_[i]", FRAME_INLINED },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (*len > 4 && !memcmp(s + *len - 4, kinds[i].suffix, 4)) {
			*len -= 4;
			return kinds[i].kind;
		}
	}
	if (*len == 9 && !memcmp(s, "[unknown]", 9))
		return FRAME_UNKNOWN;
	return FRAME_USER;
}

/*
 * The frames of one read, by name: a big profile repeats the same few
 * thousand names millions of times, and looking them up is most of the
 * reading. An entry holds a 96-bit hash of (name, kind) and the frame id,
 * and a hit is decided by the hash alone: the names themselves (scattered
 * in the profile's string pool) are not touched. Two names of a profile
 * share a 96-bit hash with a probability below 2^-56 even for millions of
 * names; a crafted collision only mislabels a frame of the crafted file.
 * The open-addressing index holds 4-byte entry numbers, so index and
 * entries of a typical profile stay in the CPU's L2 cache.
 */
struct folded_entry {
	uint64_t h1;
	uint32_t h2;
	uint32_t id; /* frame id */
};

/* State of one folded read. */
struct folded_reader {
	struct profile *p;
	const char *name; /* file name for errors */
	uint32_t *index;  /* entry number + 1; 0 for an empty slot */
	size_t nslots;	  /* a power of two */
	struct folded_entry *entries;
	size_t nentries, entries_cap;
	uint32_t *ids; /* frame ids of the line being parsed */
	size_t ids_cap;
};

/*
 * Two independent hashes of a name and kind, eight bytes at a time. The
 * kind goes in after the name's bytes are mixed: put in with the length at
 * the start, its bits lined up with the first byte's, and the XOR of one
 * hash and the sum of the other cancelled alike ("malloc" and the kernel's
 * "lalloc" were one frame).
 */
static void
folded_hash(const char *s, size_t n, enum frame_kind kind, uint64_t *h1,
	    uint32_t *h2)
{
	uint64_t a = 0x9e3779b97f4a7c15ULL ^ n;
	uint64_t b = 0xc2b2ae3d27d4eb4fULL + n, w;
	uint64_t k = (uint64_t)kind + 1;

	while (n >= 8) {
		memcpy(&w, s, 8);
		a = (a ^ w) * 0xbf58476d1ce4e5b9ULL;
		a ^= a >> 31;
		b = (b + w) * 0x94d049bb133111ebULL;
		b ^= b >> 29;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	a = (a ^ w) * 0x94d049bb133111ebULL;
	a ^= a >> 29;
	a = (a ^ k * 0xd6e8feb86659fd93ULL) * 0xbf58476d1ce4e5b9ULL;
	b = (b + w) * 0xbf58476d1ce4e5b9ULL;
	b ^= b >> 32;
	b = (b + k * 0x9fb21c651e98df25ULL) * 0x94d049bb133111ebULL;
	*h1 = a ^ (a >> 32);
	*h2 = (uint32_t)(b >> 32);
}

static void
folded_grow(struct folded_reader *r)
{
	size_t n = r->nslots ? r->nslots * 2 : 4096, i, j;

	free(r->index);
	r->index = xcalloc(n, sizeof(*r->index));
	r->nslots = n;
	for (i = 0; i < r->nentries; i++) {
		for (j = r->entries[i].h1 & (n - 1); r->index[j];
		     j = (j + 1) & (n - 1))
			;
		r->index[j] = (uint32_t)i + 1;
	}
}

/* The frame id of name (len bytes, not NUL-terminated) with kind. */
static uint32_t
folded_frame(struct folded_reader *r, char *name, size_t len,
	     enum frame_kind kind)
{
	const struct folded_entry *e;
	uint64_t h1;
	uint32_t h2, id;
	size_t i;
	char saved;

	folded_hash(name, len, kind, &h1, &h2);
	for (i = h1 & (r->nslots - 1); r->index[i];
	     i = (i + 1) & (r->nslots - 1)) {
		e = &r->entries[r->index[i] - 1];
		if (e->h1 == h1 && e->h2 == h2)
			return e->id;
	}
	saved = name[len];
	name[len] = '\0';
	id = profile_intern_frame(r->p, name, "", kind);
	name[len] = saved;
	if (r->nentries == r->entries_cap) {
		r->entries_cap = r->entries_cap ? r->entries_cap * 2 : 1024;
		r->entries = xreallocarray(r->entries, r->entries_cap,
					   sizeof(*r->entries));
	}
	r->entries[r->nentries] = (struct folded_entry){ h1, h2, id };
	r->index[i] = (uint32_t)++r->nentries;
	if (r->nentries * 2 > r->nslots)
		folded_grow(r);
	return id;
}

/* Parse one line (no newline); 0, 1 for a blank line, or -1 with err. */
static int
folded_parse_line(struct folded_reader *r, char *line, size_t len,
		  unsigned long lineno, struct scorch_err *err)
{
	const char *name = r->name;
	char *sp, *c, *end, *frame;
	unsigned long long count;
	uint32_t depth = 0;

	len = lines_trim(line, len);
	line[len] = '\0';
	if (!len)
		return 1;
	sp = line + len;
	while (sp > line && sp[-1] != ' ' && sp[-1] != '\t')
		sp--;
	if (sp == line) {
		err_set(err, "%s:%lu: missing sample count", name, lineno);
		return -1;
	}
	c = sp;
	for (end = c; *end >= '0' && *end <= '9'; end++)
		;
	if (end == c || *end) {
		err_set(err, "%s:%lu: invalid sample count '%.40s'", name,
			lineno, c);
		return -1;
	}
	errno = 0;
	count = strtoull(c, NULL, 10);
	if (errno == ERANGE) {
		err_set(err, "%s:%lu: sample count overflows", name, lineno);
		return -1;
	}
	/* The stack is everything before the whitespace run. */
	end = sp;
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	if (end == line) {
		err_set(err, "%s:%lu: empty stack", name, lineno);
		return -1;
	}
	if (UINT64_MAX - profile_total(r->p) < count) {
		err_set(err, "%s:%lu: sample count overflows", name, lineno);
		return -1;
	}
	for (frame = line;; frame = c + 1) {
		size_t flen;
		enum frame_kind kind;

		c = memchr(frame, ';', (size_t)(end - frame));
		flen = c ? (size_t)(c - frame) : (size_t)(end - frame);
		if (!flen) {
			err_set(err, "%s:%lu: empty frame name", name, lineno);
			return -1;
		}
		if (depth == FOLDED_MAX_DEPTH) {
			err_set(err, "%s:%lu: stack deeper than %d frames",
				name, lineno, FOLDED_MAX_DEPTH);
			return -1;
		}
		kind = folded_kind(frame, &flen);
		if (flen > PROFILE_MAX_NAME) {
			err_set(err, "%s:%lu: frame name longer than %d bytes",
				name, lineno, PROFILE_MAX_NAME);
			return -1;
		}
		if (depth == r->ids_cap) {
			r->ids_cap = r->ids_cap ? r->ids_cap * 2 : 64;
			r->ids = xreallocarray(r->ids, r->ids_cap,
					       sizeof(*r->ids));
		}
		r->ids[depth++] = folded_frame(r, frame, flen, kind);
		if (!c)
			break;
	}
	profile_add_stack(r->p, TASK_NONE, r->ids, depth, count);
	return 0;
}

int
profile_read_folded_opts(struct profile *p, FILE *fp, const char *name,
			 struct profile_read_opts *opts, struct scorch_err *err)
{
	struct folded_reader r = { .p = p, .name = name };
	struct scorch_err line_err;
	struct lines in;
	char *line;
	size_t len;
	int ret = 0, got;

	lines_init(&in, fp, name, opts);
	folded_grow(&r);
	while ((got = lines_next(&in, &line, &len, &line_err))) {
		if (got > 0 &&
		    folded_parse_line(&r, line, len, in.lineno, &line_err) >= 0)
			continue;
		if (lines_bad(&in, &line_err, err) < 0) {
			ret = -1;
			break;
		}
	}
	if (!ret)
		ret = lines_read_error(&in, err);
	lines_fini(&in);
	free(r.ids);
	free(r.index);
	free(r.entries);
	return ret;
}

int
profile_read_folded(struct profile *p, FILE *fp, const char *name,
		    struct scorch_err *err)
{
	return profile_read_folded_opts(p, fp, name, NULL, err);
}
