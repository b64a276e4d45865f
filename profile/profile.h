/* SPDX-License-Identifier: MIT */
/*
 * profile/profile.h - the symbolic profile every room speaks: interned
 * frames, a table of unique stacks with sample counts, the tasks (threads)
 * the samples came from, and metadata. Readers and writers for folded
 * stacks and scorch's native JSON format (docs/FORMAT.md) live here too.
 *
 * Ownership: the profile owns every string, frame and stack it holds;
 * pointers returned by accessors are borrowed and live until profile_free()
 * (or until the next profile_add_* call for stack pointers, which may move).
 * Functions that take strings copy them.
 */
#ifndef SCORCH_PROFILE_H
#define SCORCH_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct scorch_err;

enum frame_kind {
	FRAME_USER = 0,	   /* native user-space code */
	FRAME_KERNEL = 1,  /* kernel code; folded suffix "_[k]" */
	FRAME_JIT = 2,	   /* JIT code named by a perf map; suffix "_[j]" */
	FRAME_INLINED = 3, /* an inlined call; suffix "_[i]" */
	FRAME_UNKNOWN =
		4, /* could not be named: "[module+0xOFF]", "[unknown]" */
	FRAME_PROCESS = 5, /* the process name recorded as a stack's root */
	FRAME_KIND_MAX
};

/*
 * An interned frame. Equal (name, module, kind, file, line) tuples share one
 * id. file:line is where the function (or the inlined function) is defined,
 * so one function is one frame wherever it was sampled.
 */
struct frame {
	const char *name;   /* function name, never NULL */
	const char *module; /* file name of the module, "" when not known */
	enum frame_kind kind;
	const char *file; /* source file of the definition, "" when not known */
	uint32_t line;	  /* line of the definition, 0 when not known */
};

/* A task the samples came from. Index into the profile's task table. */
struct task {
	int32_t pid;	    /* process id (thread group id) */
	int32_t tid;	    /* thread id */
	const char *comm;   /* process name */
	const char *thread; /* thread name ("" when not known) */
};

#define TASK_NONE UINT32_MAX /* a stack not tied to a task (folded input) */

/*
 * A unique stack: frame ids from the root to the leaf. Recorded stacks start
 * with a FRAME_PROCESS frame holding the process name, as FlameGraph's
 * collapsers do, so folded output and rendering need no special case.
 */
struct stack {
	uint32_t task;		/* index into the task table, or TASK_NONE */
	uint32_t depth;		/* number of frames */
	const uint32_t *frames; /* depth frame ids, root first */
	uint64_t count;		/* samples */
};

/* profile.c */
struct profile *profile_new(void);
void profile_free(struct profile *p);

/* Intern a frame; returns its id. module may be NULL (stored as ""). */
uint32_t profile_intern_frame(struct profile *p, const char *name,
			      const char *module, enum frame_kind kind);
/* The same, with the source location of the function's definition (file
 * NULL or "" and line 0 when not known). */
uint32_t profile_intern_frame_src(struct profile *p, const char *name,
				  const char *module, enum frame_kind kind,
				  const char *file, uint32_t line);
size_t profile_nframes(const struct profile *p);
const struct frame *profile_frame(const struct profile *p, uint32_t id);

/* Add (or find) a task; returns its index. Equal pid+tid share an index;
 * a later call updates the names. */
uint32_t profile_add_task(struct profile *p, int32_t pid, int32_t tid,
			  const char *comm, const char *thread);
size_t profile_ntasks(const struct profile *p);
const struct task *profile_task(const struct profile *p, uint32_t idx);

/* Add count samples of a stack (root first). Equal (task, frames) stacks
 * are merged. depth may be 0 (a sample with no frames at all). */
void profile_add_stack(struct profile *p, uint32_t task, const uint32_t *frames,
		       uint32_t depth, uint64_t count);
size_t profile_nstacks(const struct profile *p);
const struct stack *profile_stack(const struct profile *p, size_t idx);
uint64_t profile_total(const struct profile *p); /* sum of all counts */

/*
 * Metadata: an ordered list of keys, each a string or an integer. Setting an
 * existing key replaces its value. profile_meta_str() returns NULL when the
 * key is absent or not a string; profile_meta_int() returns def likewise.
 */
enum meta_type { META_STR, META_INT };

struct meta {
	const char *key;
	enum meta_type type;
	const char *str; /* META_STR */
	int64_t num;	 /* META_INT */
};

void profile_meta_set_str(struct profile *p, const char *key,
			  const char *value);
void profile_meta_set_int(struct profile *p, const char *key, int64_t value);
const char *profile_meta_str(const struct profile *p, const char *key);
int64_t profile_meta_int(const struct profile *p, const char *key, int64_t def);
size_t profile_nmeta(const struct profile *p);
const struct meta *profile_meta(const struct profile *p, size_t idx);

/* The folded-stack suffix for a kind ("" for user and unknown frames). */
const char *frame_kind_suffix(enum frame_kind kind);
const char *frame_kind_name(enum frame_kind kind); /* "user", "kernel", ... */
int frame_kind_parse(const char *name, enum frame_kind *kind); /* 0 or -1 */

/*
 * folded.c: FlameGraph's folded format, one "a;b;c COUNT" line per stack.
 *
 * profile_write_folded() writes frame names with their kind suffixes
 * ("_[k]"), merging stacks that differ only by task; lines are sorted so
 * output is deterministic. Returns 0, or -1 on a write error.
 *
 * profile_read_folded() reads lines from fp into p (which may already hold
 * stacks: counts add up). A frame ending in "_[k]", "_[j]" or "_[i]" gets
 * that kind with the suffix removed. name is the file name used in errors.
 * Returns 0, or -1 with err naming the file and line.
 *
 * profile_read_folded_opts() is the same with options (opts may be NULL):
 * with skip_bad, a malformed line (bad count, empty frame, binary data, an
 * over-long line) is skipped and counted instead of failing the read.
 * Lines are streamed: memory grows with unique stacks, not input size.
 */
struct profile_read_opts {
	int skip_bad;	       /* in: skip malformed lines */
	unsigned long skipped; /* out: lines skipped */
	char first_bad[512];   /* out: "FILE:LINE: what" of the first one */
};

int profile_write_folded(const struct profile *p, FILE *fp);
int profile_read_folded(struct profile *p, FILE *fp, const char *name,
			struct scorch_err *err);
int profile_read_folded_opts(struct profile *p, FILE *fp, const char *name,
			     struct profile_read_opts *opts,
			     struct scorch_err *err);

/*
 * json.c: scorch's native profile (docs/FORMAT.md), through cJSON.
 * profile_write_json() returns 0, or -1 on a write error.
 * profile_read_json() parses a whole document held in memory; -1 with err
 * naming the file and what is wrong (not JSON, unknown major version, a
 * frame id out of range, ...). On error p may hold part of the input.
 */
int profile_write_json(const struct profile *p, FILE *fp);
int profile_read_json(struct profile *p, const char *data, size_t len,
		      const char *name, struct scorch_err *err);

/*
 * load.c: read a profile file of either format ("-" for stdin), sniffing
 * the content: a JSON object is the native format, anything else is folded.
 * Folded input is streamed; JSON is read whole (at most 2 GiB).
 * Returns a new profile or NULL with err filled. profile_load_opts() passes
 * opts (may be NULL) to the folded reader.
 */
struct profile *profile_load(const char *path, struct scorch_err *err);
struct profile *profile_load_opts(const char *path,
				  struct profile_read_opts *opts,
				  struct scorch_err *err);

#endif
