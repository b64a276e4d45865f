/* SPDX-License-Identifier: MIT */
/*
 * common/common.h - small domain-free helpers: allocation that never returns
 * NULL, a growable string buffer, atomic file output and error context.
 *
 * Ownership: what xmalloc and friends return belongs to the caller.
 * A struct strbuf owns its buffer until strbuf_fini() or strbuf_detach().
 */
#ifndef SCORCH_COMMON_H
#define SCORCH_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifndef ARRAY_SIZE /* libiberty.h has the same one */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* xalloc.c: allocation failure prints one line and aborts the program. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* strbuf.c: a NUL-terminated growable buffer. */
struct strbuf {
	char *buf;  /* NUL-terminated; NULL only after strbuf_detach() */
	size_t len; /* bytes used, not counting the NUL */
	size_t cap; /* bytes allocated */
};

void strbuf_init(struct strbuf *sb);
void strbuf_fini(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Hand the buffer to the caller (free() it); sb is left empty with no
 * buffer: add to it again, or strbuf_fini() it (no-op). */
char *strbuf_detach(struct strbuf *sb);

/*
 * err.c: error context handed up from the rooms to cli/.
 * Rooms never print; they fill a struct scorch_err and return -errno or -1.
 */
struct scorch_err {
	char msg[512]; /* "what is wrong", without the "scorch: " prefix */
};

void err_set(struct scorch_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * atomic.c: write a file under a temporary name in the destination's
 * directory, then rename it into place, so a reader never sees half a file
 * and a failed run leaves nothing behind. Only a regular file or a new name
 * is replaced that way (a symlink's target is); a character device, a FIFO
 * or /dev/stdout, /dev/fd/N is written in place (tmp is NULL); a directory
 * or any other kind of file is refused. While a temporary exists, SIGINT,
 * SIGTERM and SIGHUP remove it and then end the process as they would have.
 *
 * atomic_open() returns a stream or NULL (err filled, errno kept).
 * atomic_check() says whether atomic_open() would work, without opening a
 * FIFO (which would take its reader).
 * atomic_commit() flushes, fsyncs nothing (profiles are not precious),
 * closes and renames; on any error it removes the temporary and returns -1.
 * atomic_abort() closes and removes the temporary. Both free *af.
 */
struct atomic_file {
	FILE *fp;
	char *path; /* final name */
	char *tmp;  /* temporary name in the same directory, or NULL */
};

int atomic_open(struct atomic_file *af, const char *path,
		struct scorch_err *err);
int atomic_check(const char *path, struct scorch_err *err);
/* 1 when PATH would be written in place (device, FIFO, /dev/stdout). */
int atomic_in_place(const char *path);
int atomic_commit(struct atomic_file *af, struct scorch_err *err);
void atomic_abort(struct atomic_file *af);

/* hash.c: 64-bit FNV-1a style mixing, for hash tables in the rooms. */
unsigned long long hash_bytes(const void *data, size_t len,
			      unsigned long long seed);

/*
 * intmap.c: an open-addressing map from a 64-bit key to a pointer-sized
 * value. intmap_get() returns NULL when absent; values are not owned.
 */
struct intmap {
	struct intmap_slot *slots;
	size_t nslots; /* power of two, or 0 before the first put */
	size_t len;
};

struct intmap_slot {
	unsigned long long key;
	void *value; /* NULL marks an empty slot */
};

void intmap_init(struct intmap *m);
void intmap_fini(struct intmap *m);
void *intmap_get(const struct intmap *m, unsigned long long key);
/* value must not be NULL. */
void intmap_put(struct intmap *m, unsigned long long key, void *value);

/*
 * utf8.c: decode one UTF-8 sequence at s (n bytes left). Returns its length
 * with *cp set, or 0 for an invalid sequence: a stray continuation byte, a
 * truncated sequence, an overlong form, a UTF-16 surrogate, or a code point
 * past U+10FFFF.
 */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

/* json.c: write str as a JSON string literal, quotes included. Control
 * characters are escaped; invalid UTF-8 becomes U+FFFD, so the output is
 * always valid JSON. */
void json_put_string(FILE *fp, const char *str);

/*
 * strpool.c: interned strings. Equal strings share one copy, so callers may
 * compare interned strings by pointer. The pool owns every string it
 * returns until strpool_fini().
 */
struct strpool {
	struct intmap map; /* hash -> char *, probing past collisions */
	char **all;
	size_t len, cap;
};

void strpool_init(struct strpool *sp);
void strpool_fini(struct strpool *sp);
const char *strpool_intern(struct strpool *sp, const char *s);

/*
 * regex.c: POSIX extended regular expressions with bounded cost, for
 * patterns scorch is handed (budget files, --focus): counted repetition is
 * expanded at compile time and a pattern of more than REGEX_MAX_STATES
 * states, or a count over REGEX_MAX_REPEAT, is refused; a match costs
 * O(states x text length) and never backtracks. Unanchored search, as
 * regexec() does; bytes, not characters (the C locale). Besides ERE:
 * \w \W \s \S \d \D classes and \b \B \< \> word assertions;
 * back-references are refused. render/regex.js has the same engine.
 *
 * regex_new() returns NULL with err saying what is wrong with the pattern
 * (without naming it: the caller knows where it came from).
 */
#define REGEX_MAX_STATES 2000
#define REGEX_MAX_REPEAT 1000

struct regex;

struct regex *regex_new(const char *pattern, struct scorch_err *err);
void regex_free(struct regex *re);
/* Does pattern re match anywhere in text? */
bool regex_match(const struct regex *re, const char *text);
/* The compiled size, for tests. */
size_t regex_states(const struct regex *re);

#endif
