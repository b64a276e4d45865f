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
 * atomic_open_new() creates a new file DIR/PREFIXxxxxxxSUFFIX (a unique
 * name, mode 0600: it may be in a shared /tmp) and writes it in place;
 * af->path names it; a failed commit or an abort removes it.
 * atomic_commit() flushes, fsyncs when af->durable (set it after opening;
 * most outputs are not precious, a recording is), closes and renames; on
 * any error it removes the temporary and returns -1, err naming the file
 * and the reason (strerror of the failed write, fsync, close or rename).
 * atomic_abort() closes and removes the temporary. Both free *af.
 */
struct atomic_file {
	FILE *fp; /* an atomic_stream() on fd */
	int fd;
	int werr;     /* errno of the first failed write, or 0 */
	char *path;   /* final name */
	char *tmp;    /* temporary name in the same directory, or NULL */
	bool durable; /* fsync before the rename */
};

int atomic_open(struct atomic_file *af, const char *path,
		struct scorch_err *err);
int atomic_open_new(struct atomic_file *af, const char *dir, const char *prefix,
		    const char *suffix, struct scorch_err *err);
int atomic_check(const char *path, struct scorch_err *err);
/* 1 when PATH would be written in place (device, FIFO, /dev/stdout). */
int atomic_in_place(const char *path);
int atomic_commit(struct atomic_file *af, struct scorch_err *err);
void atomic_abort(struct atomic_file *af);
/*
 * A buffered stream writing to fd (own: fclose closes fd) that retries a
 * write() interrupted by a signal and keeps the errno of the first failed
 * one in *err (zeroed here; it must outlive the stream), so a write error
 * can say why: stdio's own streams forget. NULL if stdio cannot make one.
 */
FILE *atomic_stream(int fd, bool own, int *err);

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

/*
 * escape.c: the one set of characters neutralized wherever text from input
 * is shown (terminal, text file, markdown, SVG, JSON, diagnostics): the C0
 * and C1 controls, DEL, the bidi controls (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069), U+2028, U+2029, U+FFFE and U+FFFF. Each
 * is shown as a visible \uXXXX (ESC as \u001b, CSI as \u009b, RLO as
 * \u202e), the spelling JSON itself uses; each byte that is not valid UTF-8
 * becomes U+FFFD. A backslash in the input is kept as it is.
 *
 * escape_next() classifies the character at s (n > 0 bytes left): returns
 * its length in bytes (>= 1; 1 for an invalid byte), with *cp the code
 * point (the byte, for ESCAPE_INVALID). 0 only when n is 0.
 * escape_needed() says whether str[0..n) holds any character that is not
 * ESCAPE_PLAIN (quickly for printable ASCII, so callers can skip a copy).
 * escape_add_visible() appends the visible form of a character that is not
 * ESCAPE_PLAIN; escape_text() appends str[0..n) with every such character
 * in its visible form (the output has no control, bidi or invalid byte).
 */
enum escape_class {
	ESCAPE_PLAIN,	/* shown as it is */
	ESCAPE_CONTROL, /* shown as \uXXXX */
	ESCAPE_INVALID, /* not UTF-8: shown as U+FFFD */
};

#define ESCAPE_INVALID_TEXT "\xef\xbf\xbd" /* U+FFFD in UTF-8 */
#define ESCAPE_CONTROL_FMT "\\u%04x"	   /* printf format of the rest */

size_t escape_next(const unsigned char *s, size_t n, unsigned *cp,
		   enum escape_class *cls);
bool escape_needed(const char *str, size_t n);
void escape_add_visible(struct strbuf *sb, unsigned cp, enum escape_class cls);
void escape_text(struct strbuf *sb, const char *str, size_t n);

/* json.c: write str as a JSON string literal, quotes included. What
 * escape.c neutralizes is written as a \uXXXX escape (so a JSON reader gets
 * the name back exactly, and no raw control or bidi byte is in the file);
 * invalid UTF-8 becomes U+FFFD, so the output is always valid JSON. */
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
