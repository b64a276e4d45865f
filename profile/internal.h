/* SPDX-License-Identifier: MIT */
/*
 * profile/internal.h - shared inside profile/ only: the line input of the
 * text readers (lines.c), for the folded (folded.c) and perf script
 * (perfscript.c) readers; JSON text scanned without a tree (jsontext.c),
 * for the native reader (json.c), which streams the stacks of a big
 * profile and reads integers exactly: positions are byte offsets into
 * data[0..len), and nothing is allocated.
 */
#ifndef SCORCH_PROFILE_INTERNAL_H
#define SCORCH_PROFILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct profile;
struct profile_read_opts;
struct scorch_err;

/*
 * lines.c: the lines of a text profile, read through a buffer of bounded
 * size: a line longer than PROFILE_MAX_LINE is refused (and its rest
 * skipped as it streams by), never held whole, so a file without newlines
 * costs the buffer, not its size. The bad-line policy of opts goes with
 * them: a refused line ends the read, or is counted and skipped.
 */
struct lines {
	FILE *fp;
	const char *name;		/* the file's, for errors */
	struct profile_read_opts *opts; /* NULL: no line is skipped */
	unsigned long lineno;		/* of the last line read, from 1 */
	char *buf;			/* cap + 1 bytes: a line gets its NUL */
	size_t cap;			/* 2 * PROFILE_MAX_LINE */
	size_t start, end;		/* unread bytes: buf[start..end) */
	bool eof;
	bool skip; /* the rest of the last line is to be skipped */
};
/* Start reading fp (name for errors); opts' counts are reset. */
void lines_init(struct lines *in, FILE *fp, const char *name,
		struct profile_read_opts *opts);
void lines_fini(struct lines *in);
/*
 * The next line, NUL-terminated in place without its newline (a '\r'
 * before it kept): 1 with *line and *len, valid until the next call; 0 at
 * EOF; -1 with line_err ("NAME:LINE: what") for a line holding a NUL
 * byte (binary data; within what was read of a long one) or longer than
 * PROFILE_MAX_LINE bytes: its rest is skipped by the next call, so a
 * reader that stops there reads no further.
 */
int lines_next(struct lines *in, char **line, size_t *len,
	       struct scorch_err *line_err);
/* A bad line, line_err saying why: -1 with *err = *line_err when opts do
 * not skip bad lines; else 0, counted in opts, the first one's message
 * kept in opts->first_bad. */
int lines_bad(struct lines *in, const struct scorch_err *line_err,
	      struct scorch_err *err);
/* -1 with err ("NAME: read error") when reading failed; else 0. */
int lines_read_error(const struct lines *in, struct scorch_err *err);
/* len without the line's trailing '\r', ' ' and '\t' bytes. */
size_t lines_trim(const char *line, size_t len);

/* folded.c: can p be written as folded lines (profile_check's folded
 * part)? The lines exactly as profile_write_folded() writes them: 0, or
 * -1 with err saying which stack and why (no file name). */
int folded_check(const struct profile *p, struct scorch_err *err);

/* jsontext.c */
/* The first offset from i that is not JSON blank (a NUL byte is not). */
size_t jsontext_skip_space(const char *data, size_t len, size_t i);
/* The index of the bracket closing the object or array at data[i], or
 * len when the text ends first. Strings are skipped. */
size_t jsontext_scan_value(const char *data, size_t len, size_t i);
/*
 * The member at *i of an object (*i just past '{' or a ','): its key's
 * text (between the quotes, escapes as written) at [*ks, *ke), its
 * value's at [*vs, *ve). *i moves past the value and blanks. false when
 * the text is not shaped so (cJSON then says what is wrong).
 */
bool jsontext_member(const char *data, size_t len, size_t *i, size_t *ks,
		     size_t *ke, size_t *vs, size_t *ve);
/* The value of member number idx of the object at data[obj] ('{'). */
bool jsontext_member_value(const char *data, size_t len, size_t obj, size_t idx,
			   size_t *vs, size_t *ve);
/* The array value of the top-level key "stacks" (its first occurrence, as
 * cJSON takes it): *start at '[', *end at its ']'. */
bool jsontext_find_stacks(const char *data, size_t len, size_t *start,
			  size_t *end);
/* A non-negative integer at data[*i] in JSON's plain form (no sign,
 * fraction, exponent or leading zero), at most max; moves *i past it. */
bool jsontext_uint(const char *data, size_t end, size_t *i, uint64_t max,
		   uint64_t *out);
/* The text [s, e) is exactly one plain integer (a '-' allowed) within
 * int64_t, or, for jsontext_exact_u64(), uint64_t: blanks around it. */
bool jsontext_exact_u64(const char *data, size_t s, size_t e, uint64_t *out);
bool jsontext_exact_i64(const char *data, size_t s, size_t e, int64_t *out);
/* Does data[*i] start with lit (after blanks)? Moves past it and blanks. */
bool jsontext_lit(const char *data, size_t end, size_t *i, const char *lit);
/* Does the text end inside a string, an object or an array? *nesting
 * (may be NULL) is set to its deepest nesting of objects and arrays. */
bool jsontext_ends_early(const char *data, size_t len, size_t *nesting);

/* json.c: is s valid UTF-8? A whole number item in [lo, hi] (-1 with
 * err naming where); v appended in decimal. */
struct cJSON;
struct strbuf;
struct scorch_err;
bool json_utf8(const char *s);
int json_get_int(const struct cJSON *item, double lo, double hi,
		 const char *name, const char *where, double *out,
		 struct scorch_err *err);
void json_add_u64(struct strbuf *sb, uint64_t v);

/* jsonsites.c: the "modules" and "sites" of version 1.2 (the keys and
 * the commas after them; nothing for a profile without). */
struct profile;
struct stack;
void json_write_sites(const struct profile *p, FILE *fp);
int json_read_sites(struct profile *p, const struct cJSON *root,
		    const char *name, struct scorch_err *err);
/* A stack's "sites": written after its frames; read by cJSON and by the
 * fast path (after `"sites"`), one id per frame into (*ids)[depth..),
 * the scratch space grown by json_ids_room(). */
void json_add_stack_sites(struct strbuf *sb, const struct stack *st);
void json_ids_room(uint32_t **ids, size_t *cap, size_t n);
int json_read_stack_sites(struct profile *p, const struct cJSON *s,
			  uint32_t depth, uint32_t **ids, size_t *cap,
			  const char *name, struct scorch_err *err);
bool json_fast_sites(struct profile *p, const char *data, size_t elem_end,
		     size_t *i, uint32_t depth, uint32_t **ids, size_t *cap);

#endif
