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

#include <stdbool.h>
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
	/* depth site ids, parallel to frames (0: none), or NULL when the
	 * profile holds no sites */
	const uint32_t *sites;
	/* nanoseconds the task spent off CPU, having left it at this stack
	 * (`record --off-cpu`; docs/FORMAT.md, "Values"); 0 in CPU samples.
	 * A stack holds CPU samples, off-CPU time, or both. */
	uint64_t off_cpu_ns;
};

/*
 * Where in a frame's code a stack was (docs/FORMAT.md, "Sites"): addr is
 * the file offset in the frame's module of the sampled instruction (for a
 * caller, of its call; the frames inlined there share it), line the source
 * line in the frame's function (for a frame with an inlined call below it,
 * the line of that call). Interned; site 0 is {0, 0}, "not known".
 */
struct site {
	uint64_t addr;
	uint32_t line;
};

/* A module frames name: its path and GNU build ID (hex), "" unknown. */
struct module_info {
	const char *name; /* as frames' module */
	const char *path;
	const char *build_id;
};

/*
 * Limits every reader and writer keeps, whatever the format (docs/FORMAT.md,
 * "Limits"): a reader refuses input past them with a line naming the file
 * and what is wrong, and profile_check() refuses to write a profile past
 * them, so every file scorch writes is one it reads back.
 *   - a stack holds at most PROFILE_MAX_DEPTH frames;
 *   - a frame name is 1 to PROFILE_MAX_NAME bytes (module and file names
 *     at most PROFILE_MAX_NAME bytes);
 *   - a count is an exact unsigned 64-bit integer, and so is the sum of a
 *     profile's counts (a read or merge past 2^64 - 1 is refused);
 *   - a folded line is at most PROFILE_MAX_LINE bytes, its newline aside;
 *   - a JSON document nests at most PROFILE_MAX_NESTING deep (cJSON's).
 * Formats of other tools narrow them: pprof stores signed 64-bit values,
 * speedscope JSON numbers that are doubles (exact up to 2^53).
 */
#define PROFILE_MAX_DEPTH 65535		      /* frames in a stack */
#define PROFILE_MAX_NAME 65535		      /* bytes in a frame name */
#define PROFILE_MAX_LINE (1 << 20)	      /* bytes in a folded line */
#define PROFILE_MAX_NESTING 1000	      /* CJSON_NESTING_LIMIT */
#define PROFILE_MAX_EXACT_DOUBLE (1ULL << 53) /* speedscope */

/* The formats profile_load() tells apart by their content. */
enum profile_read_format {
	PROFILE_READ_JSON,	  /* native: '{' first */
	PROFILE_READ_FOLDED,	  /* "frame;frame COUNT" lines */
	PROFILE_READ_PERF_SCRIPT, /* perf script text (perfscript.c) */
};

/* The formats profile_check() knows. */
enum profile_format {
	PROFILE_FMT_JSON,
	PROFILE_FMT_FOLDED,
	PROFILE_FMT_PPROF,
	PROFILE_FMT_SPEEDSCOPE,
};

/* profile.c */
struct profile *profile_new(void);
void profile_free(struct profile *p);

/* Intern a frame; returns its id. module may be NULL (stored as "").
 * Strings longer than PROFILE_MAX_NAME are cut to it, ending in "...". */
uint32_t profile_intern_frame(struct profile *p, const char *name,
			      const char *module, enum frame_kind kind);
/* The same, with the source location of the function's definition (file
 * NULL or "" and line 0 when not known). */
uint32_t profile_intern_frame_src(struct profile *p, const char *name,
				  const char *module, enum frame_kind kind,
				  const char *file, uint32_t line);
size_t profile_nframes(const struct profile *p);
const struct frame *profile_frame(const struct profile *p, uint32_t id);

/* Add (or find) a task; returns its index. Equal pid, tid and names share
 * an index: a process that exec'd, or a thread renamed, is a new task with
 * the same ids, so samples keep the name they were taken under. */
uint32_t profile_add_task(struct profile *p, int32_t pid, int32_t tid,
			  const char *comm, const char *thread);
size_t profile_ntasks(const struct profile *p);
const struct task *profile_task(const struct profile *p, uint32_t idx);

/* Add count samples of a stack (root first). Equal (task, frames) stacks
 * are merged. depth may be 0 (a sample with no frames at all). */
void profile_add_stack(struct profile *p, uint32_t task, const uint32_t *frames,
		       uint32_t depth, uint64_t count);
/* The same with a site id per frame (sites may be NULL): stacks that
 * differ only in sites are kept apart. */
void profile_add_stack_sites(struct profile *p, uint32_t task,
			     const uint32_t *frames, const uint32_t *sites,
			     uint32_t depth, uint64_t count);
/* The same with off-CPU time: count samples and off_cpu_ns nanoseconds
 * off CPU (either may be 0) added to the stack's. */
void profile_add_stack_values(struct profile *p, uint32_t task,
			      const uint32_t *frames, const uint32_t *sites,
			      uint32_t depth, uint64_t count,
			      uint64_t off_cpu_ns);
size_t profile_nstacks(const struct profile *p);
uint32_t profile_intern_site(struct profile *p, uint64_t addr, uint32_t line);
size_t profile_nsites(const struct profile *p); /* site 0 counted */
const struct site *profile_site(const struct profile *p, uint32_t id);
/* Add a module (the first of a name is kept; the main executable first);
 * returns its index. profile_module_find() returns NULL when unknown. */
uint32_t profile_add_module(struct profile *p, const char *name,
			    const char *path, const char *build_id);
size_t profile_nmodules(const struct profile *p);
const struct module_info *profile_module(const struct profile *p, size_t idx);
const struct module_info *profile_module_find(const struct profile *p,
					      const char *name);
const struct stack *profile_stack(const struct profile *p, size_t idx);
uint64_t profile_total(const struct profile *p); /* sum of all counts */
/* Sum of all stacks' off_cpu_ns (0: not an off-CPU recording). */
uint64_t profile_total_off_cpu(const struct profile *p);
/*
 * Can p be written as fmt within the limits above (and the format's own)?
 * 0, or -1 with err saying, after name (the output file), which stack or
 * frame is past which limit. Every writer's caller asks before writing.
 */
int profile_check(const struct profile *p, enum profile_format fmt,
		  const char *name, struct scorch_err *err);

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
const struct meta *profile_meta_find(const struct profile *p, const char *key);
int64_t profile_meta_int(const struct profile *p, const char *key, int64_t def);
size_t profile_nmeta(const struct profile *p);
const struct meta *profile_meta(const struct profile *p, size_t idx);

/*
 * meta.c: the metadata every reader needs, typed (docs/FORMAT.md,
 * "Values"); readers ask these, never the keys by name.
 *   profile_period_ns()   ns of CPU one sample stands for (a clock event's
 *                         period_ns); 0 when not known (folded input,
 *                         another event, a bad value);
 *   profile_runs()        the runs a merged profile adds up (merged_from),
 *                         1 for a single recording, never 0;
 *   profile_duration_ms() wall time recorded (summed over merged runs), -1
 *                         when not known;
 *   profile_unit()        what a stack's count is: samples, or ns (a view
 *                         of off-CPU or wall time, metadata "unit");
 *   profile_count_ns()    ns one count stands for: 1 for ns, the period
 *                         for samples, 0 when not known (counts are then
 *                         bare samples: no time can be told);
 *   profile_run_ms()      count counts as milliseconds per run: count ×
 *                         profile_count_ns() / profile_runs(), 0 when the
 *                         time is not known. The one meaning of a time a
 *                         report, budget, diff or export shows: a merged
 *                         profile's times are those of one run (its mean).
 */
enum profile_unit {
	PROFILE_UNIT_SAMPLES,
	PROFILE_UNIT_NS,
};

uint64_t profile_period_ns(const struct profile *p);
uint64_t profile_runs(const struct profile *p);
int64_t profile_duration_ms(const struct profile *p);
enum profile_unit profile_unit(const struct profile *p);
uint64_t profile_count_ns(const struct profile *p);
double profile_run_ms(const struct profile *p, uint64_t count);

/*
 * How whole the stacks are, from a recording's counters (docs/FORMAT.md):
 * broken (unwinding stopped before a root: [unknown] callers), truncated
 * (the kernel's depth limit or a full stack copy: [truncated]) and samples
 * the kernel lost. known is false for a profile without the counters
 * (folded input). stack_health_describe() writes "N broken (x%), ..." and
 * returns true when broken or truncated stacks pass STACK_HEALTH_WARN_PCT
 * percent of the samples, which every view warns about.
 */
#define STACK_HEALTH_WARN_PCT 5.0

struct stack_health {
	bool known;
	uint64_t samples, broken, truncated, lost;
};

void profile_stack_health(const struct profile *p, struct stack_health *h);
bool stack_health_describe(const struct stack_health *h, char *buf,
			   size_t size);

/*
 * User labels (`scorch record --label KEY=VALUE`) are string metadata under
 * the key "label.KEY" (docs/FORMAT.md). PROFILE_LABEL_PREFIX is that prefix.
 */
#define PROFILE_LABEL_PREFIX "label."

/* The folded-stack suffix for a kind ("" for user and unknown frames). */
const char *frame_kind_suffix(enum frame_kind kind);
const char *frame_kind_name(enum frame_kind kind); /* "user", "kernel", ... */
int frame_kind_parse(const char *name, enum frame_kind *kind); /* 0 or -1 */

/*
 * folded.c: FlameGraph's folded format, one "a;b;c COUNT" line per stack.
 *
 * profile_write_folded() writes frame names with their kind suffixes
 * ("_[k]"), merging stacks that differ only by task; lines are sorted so
 * output is deterministic. It writes only what the reader accepts: in a
 * name, ';' is written ':' and a newline a space, the leaf's trailing
 * blanks are dropped, an empty frame is "[unknown]". Returns 0, or -1 on a
 * write error or, having written nothing, when a stack is one no folded
 * line can hold (deeper than 65535 frames, or a line over 1 MiB, its
 * newline aside); profile_check(p, PROFILE_FMT_FOLDED, ...) says which.
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
 * speedscope.c: speedscope's JSON file format: one sampled profile per
 * task ("comm (pid/tid)"; stacks without a task in one named name), frames
 * with bare names (no kind suffix; the kind as a "kind" member), weights in
 * nanoseconds of CPU when period_ns is known, else sample counts.
 *
 * pprof.c: pprof's profile.proto, gzipped: sample types samples/count,
 * cpu/nanoseconds when period_ns is known, off-cpu/nanoseconds when the
 * profile has off-CPU time and wall/nanoseconds when it has both (a view's
 * one value as VALUE/nanoseconds), the default the profile's default value
 * (profile_write_pprof_value(): the one given, below); one function per function of the source
 * (name, file, start_line; a frame and its inlined copies share it); one location per frame with the inlined frames below
 * it, a line each (innermost first, at the sites' lines), at the module's
 * span plus the sites' file offset; one mapping per module, the main
 * executable first, with path and build ID; labels thread, pid and tid;
 * comments for the tool, command and user labels (docs/FORMAT.md).
 *
 * Both return 0, or -1 on a write error.
 */
int profile_write_speedscope(const struct profile *p, const char *name,
			     FILE *fp);
int profile_write_pprof(const struct profile *p, FILE *fp);

/*
 * perfscript.c: `perf script` text, collapsed as stackcollapse-perf.pl does
 * by default (the process name as the root frame, counts from the periods,
 * the first event's samples; docs/FORMAT.md, "perf script"), kinds kept.
 * profile_read_perf_script() reads fp into p like profile_read_folded_opts()
 * (the same limits, errors and skip_bad); -1 with err naming the line, or
 * when no sample has a stack.
 * profile_perf_script_sniff() looks at the start of a file (past its first
 * blanks): 1 when it is perf script text (comment lines, then a sample
 * header naming its event or followed by a frame line), 0 when not, -1
 * when more text is needed to tell (eof: there is no more).
 */
int profile_read_perf_script(struct profile *p, FILE *fp, const char *name,
			     struct profile_read_opts *opts,
			     struct scorch_err *err);
int profile_perf_script_sniff(const char *data, size_t len, bool eof);

/*
 * load.c: read a profile file of any format ("-" for stdin), sniffing
 * the content: a JSON object is the native format, perf script text is
 * told by its first sample's lines, anything else is folded.
 * Folded input is streamed; JSON is read whole (at most 2 GiB).
 * Returns a new profile or NULL with err filled. profile_load_opts() passes
 * opts (may be NULL) to the folded or perf script reader.
 */
struct profile *profile_load(const char *path, struct scorch_err *err);
struct profile *profile_load_opts(const char *path,
				  struct profile_read_opts *opts,
				  struct scorch_err *err);

/*
 * aggregate.c: sums over the stacks: the one counting of report, check
 * and diff (docs/BUDGETS.md, "What a function is").
 *
 * A function is a function of the source: a (name, module, kind) triple in
 * which an inlined copy (FRAME_INLINED) counts as the out-of-line body
 * (FRAME_USER), so `hash_bytes` and its inlined copies `hash_bytes_[i]`
 * are one row, of kind FRAME_USER; frames that differ only in file:line
 * are one function too. The process frame at the root of recorded stacks
 * (FRAME_PROCESS) is not a function; per-thread rows cover it.
 * For each row:
 *   self  = samples whose leaf frame is the row's, inlined frames included
 *           (aggregate_stack_leaf(); for a thread: all of its samples);
 *   total = samples with the row's function (module) anywhere on the stack,
 *           each sample counted once, so a recursive function's total never
 *           exceeds the profile's total.
 * The machine-code view (--no-inline: inlined frames folded into the
 * function that contains them) is a profile of its own, made by
 * profile_inline_fold() (inline.c), counted the same way.
 * Percentages are left to the caller: divide by aggregate_total().
 *
 * Rows borrow their strings from the profile they were computed from (or
 * the aggregate), so an aggregate must not outlive it. aggregate_find()
 * compares strings by content, so a row of one profile can be looked up in
 * another's aggregate.
 */
enum agg_by {
	AGG_FUNCTION, /* one row per function */
	AGG_MODULE,   /* one row per module (name = module, "" when unknown) */
	AGG_THREAD,   /* one row per task (stacks without one: TASK_NONE) */
};

struct agg_row {
	const char *name;     /* function or module name; thread name */
	const char *module;   /* AGG_FUNCTION: module; AGG_THREAD: comm */
	enum frame_kind kind; /* AGG_FUNCTION: the kind (never INLINED) */
	uint32_t task;	      /* AGG_THREAD: the task index, else TASK_NONE */
	uint64_t self;	      /* samples, see above */
	uint64_t total;	      /* samples, see above */
	/* AGG_FUNCTION: of self, the samples in its inlined copies, and the
	 * function those ran in (the nearest frame above that is not
	 * inlined) that holds most of them: NULL, 0 when none */
	uint64_t self_inlined;
	const char *into, *into_module;
	enum frame_kind into_kind;
	uint64_t into_self;
};

/*
 * The key policy of AGG_FUNCTION rows: name NULL keeps the names as
 * recorded; else name(frame name) returns (malloc'd, the aggregate frees
 * it) the name a frame's function goes by, and frames of equal names are
 * one function (diff: without compiler clone suffixes, diff/align.c).
 */
struct agg_opts {
	enum agg_by by;
	char *(*name)(const char *name);
};

enum agg_order {
	AGG_ORDER_SELF,	 /* self descending, then total, then by name */
	AGG_ORDER_TOTAL, /* total descending, then self, then by name */
};

struct aggregate;

/* Aggregate p by functions, modules or threads; rows in first-seen order
 * until aggregate_sort(). Never fails. aggregate_new_opts() with a key
 * policy. */
struct aggregate *aggregate_new(const struct profile *p, enum agg_by by);
struct aggregate *aggregate_new_opts(const struct profile *p,
				     const struct agg_opts *o);
void aggregate_free(struct aggregate *a);
size_t aggregate_nrows(const struct aggregate *a);
const struct agg_row *aggregate_row(const struct aggregate *a, size_t i);
uint64_t aggregate_total(const struct aggregate *a); /* the profile's */
/* Sort the rows (deterministically: ties break on name, module, kind). */
void aggregate_sort(struct aggregate *a, enum agg_order order);
/*
 * The row with this identity, or NULL. AGG_FUNCTION compares name, module
 * and kind (FRAME_INLINED finds the FRAME_USER row); AGG_MODULE only name
 * (the module); AGG_THREAD only task. NULL strings mean "". The pointer is
 * valid until the next sort or free.
 */
const struct agg_row *aggregate_find(const struct aggregate *a,
				     const char *name, const char *module,
				     enum frame_kind kind, uint32_t task);
/* The row index of frame id frame of the profile (AGG_FUNCTION and
 * AGG_MODULE), SIZE_MAX for the process frame; until the next sort. */
size_t aggregate_frame_row(const struct aggregate *a, uint32_t frame);
/*
 * Where each function's inlined self ran (AGG_FUNCTION): one triple per
 * (function, function it was inlined into) with samples, n of them, rows
 * by index (aggregate_row()); valid until the next sort or free.
 */
struct agg_inlined {
	size_t row;    /* the function whose inlined copy was the leaf */
	size_t into;   /* the function it ran in (the nearest frame above
			  that is not inlined) */
	uint64_t self; /* samples */
};
const struct agg_inlined *aggregate_inlined(const struct aggregate *a,
					    size_t *n);
/* The index in st of the frame a sample's self time belongs to: the leaf,
 * unless it is the process frame; st->depth when there is none. */
uint32_t aggregate_stack_leaf(const struct profile *p, const struct stack *st);

/*
 * Focus on the functions whose frames match(frame, arg) says yes to (never
 * asked about process frames). For each sample with at least one matching
 * frame:
 *   - its caller is the frame just above the root-most matching frame
 *     (none when that frame is the root, or right below the process frame);
 *   - its callee is the frame just below the leaf-most matching frame
 *     (none when that frame is the leaf: the sample is in the set itself).
 * Recursion through the set therefore counts once. In callers and callees,
 * a row's total is the samples through that caller or callee (shares of
 * agg_focus.total add up to 100% with no_caller or self); a callee row's
 * self is the samples where the callee is the leaf. functions has the
 * matching functions with their own self and total.
 */
typedef bool (*agg_match_fn)(const struct frame *f, void *arg);

struct agg_focus {
	struct aggregate *functions; /* the matching functions */
	struct aggregate *callers;
	struct aggregate *callees;
	size_t nfunctions;  /* functions matched (may have no samples) */
	uint64_t total;	    /* samples with a matching frame */
	uint64_t self;	    /* of those, with a matching leaf (no callee) */
	uint64_t no_caller; /* of those, with no caller */
};

void aggregate_focus(const struct profile *p, agg_match_fn match, void *arg,
		     struct agg_focus *out);
void agg_focus_fini(struct agg_focus *f);

/*
 * budget.c: performance budgets (docs/BUDGETS.md): per-function limits on
 * the self or total share of all samples (percent), or on CPU time
 * (milliseconds, for runs that do a fixed amount of work), from a JSON file.
 *
 * A budget entry names a function as `scorch report` shows it (kernel and
 * JIT frames with their kind suffix, "do_read_[k]"; a function and its
 * inlined copies by its own name, as one function), or a POSIX extended
 * regex matched against such names, optionally in one module. Its self
 * samples are those whose leaf matches, its total samples those with a
 * match anywhere on the stack (once per sample), as aggregate_focus()
 * counts them: the same numbers as `report` and `diff` give.
 *
 * budget_parse() reads a file held in memory (name is for messages);
 * budget_load() reads one from a path. Both return a new budget or NULL
 * with err naming the file and the field
 * ("budgets.json: budgets[2].max_self_percent: must be a number").
 *
 * budget_check() checks every limit against p (named pname in messages)
 * and fills out[0..budget_nlimits()) in file order, an entry's limits in
 * enum order. CPU milliseconds are samples * period_ns, divided by
 * merged_from in a merged profile (so they are per run). Returns how many
 * limits are exceeded (actual > limit), or -1 with err filled when a limit
 * cannot be checked: milliseconds need period_ns in p's metadata.
 * Results borrow strings from b.
 */
enum budget_metric {
	BUDGET_SELF_PERCENT,  /* "max_self_percent" */
	BUDGET_TOTAL_PERCENT, /* "max_total_percent" */
	BUDGET_SELF_MS,	      /* "max_self_ms" */
	BUDGET_TOTAL_MS,      /* "max_total_ms" */
	BUDGET_NMETRICS
};

struct budget_result {
	size_t entry;	      /* index into the file's "budgets" list */
	const char *function; /* the entry's name, or its regex */
	const char *module;   /* the entry's module, "" for any */
	bool regex;	      /* function is a regex */
	enum budget_metric metric;
	double limit;	   /* percent of all samples, or CPU milliseconds */
	double actual;	   /* the profile's value, in the same unit */
	uint64_t samples;  /* the self or total samples behind actual */
	size_t nfunctions; /* functions of p the entry matched */
	bool exceeded;	   /* actual > limit */
};

struct budget;

struct budget *budget_parse(const char *data, size_t len, const char *name,
			    struct scorch_err *err);
struct budget *budget_load(const char *path, struct scorch_err *err);
void budget_free(struct budget *b);
size_t budget_nlimits(const struct budget *b);
/* The file's "min_samples" (default 1): fewer samples support no verdict. */
uint64_t budget_min_samples(const struct budget *b);
int budget_check(const struct budget *b, const struct profile *p,
		 const char *pname, struct budget_result *out,
		 struct scorch_err *err);
/* The file's name of a limit ("max_self_percent"); is it milliseconds? */
const char *budget_metric_field(enum budget_metric m);
bool budget_metric_is_ms(enum budget_metric m);

/*
 * merge.c: sums of profiles.
 *
 * profile_add_profile() adds every stack of src to dst (interning src's
 * frames and tasks in dst; tasks with equal pid and tid are one task).
 * Metadata is not touched.
 *
 * profile_merge() returns a new profile, the sum of in[0..n), with the
 * metadata the runs share:
 *   - counters (samples, lost, throttled, truncated_stacks, broken_stacks,
 *     duration_ms, threads, processes) are summed; a run without
 *     "samples" (folded input) adds its total;
 *   - start_time is the earliest;
 *   - period_ns is the runs' CPU time over their samples (their periods
 *     weighted by their samples), absent when a run has none;
 *   - merged_from is the number of runs (a merged input counts as the runs
 *     it was merged from);
 *   - every other key of the first run, labels included, is kept when all
 *     runs have the same value, and dropped when they do not.
 * A counter whose sum would pass INT64_MAX is dropped. Counts are exact:
 * when the sum of the stacks' counts would pass 2^64 - 1, profile_merge()
 * returns NULL with err naming the input (names[i], or "merge" when names
 * is NULL) where it did. profile_add_profile() must not be given more
 * than dst can add (profile_total() of both within 2^64 - 1).
 */
void profile_add_profile(struct profile *dst, const struct profile *src);
struct profile *profile_merge(struct profile *const *in, size_t n,
			      const char *const *names, struct scorch_err *err);

/*
 * inline.c: the machine-code view (--no-inline): a copy of p (metadata,
 * modules, tasks, sites) whose stacks have their inlined frames
 * (FRAME_INLINED) folded into the function that contains them: dropped
 * from the stack, their samples that function's. An inlined frame with no
 * function above it (only the process frame, or nothing) stays. Stacks
 * that become equal are one.
 */
struct profile *profile_inline_fold(const struct profile *p);

/*
 * values.c: the values a profile holds (docs/FORMAT.md, "Values"):
 *   cpu      its samples (a stack's count);
 *   off-cpu  nanoseconds off CPU (a stack's off_cpu_ns, `record --off-cpu`);
 *   wall     the two in nanoseconds: count * period_ns + off_cpu_ns.
 * profile_value_parse() reads "cpu", "off-cpu" or "wall" (-1 otherwise);
 * profile_value_name() is that name, profile_value_unit() the unit of a
 * view's counts ("samples" for cpu, "ns" for the others).
 * profile_value_default() is the value a reader shows unless told: wall
 * for a profile with off-CPU time (off-cpu when it has samples but no
 * period_ns to weigh them), cpu otherwise; for a view, its value.
 *
 * profile_view() returns a new profile with p's frames, tasks, sites and
 * modules (the same ids) and metadata, whose stacks' counts are value v of
 * p's (stacks where it is 0 left out; off_cpu_ns 0), with metadata "value"
 * (the name) and "unit" saying what the counts are. Every reader of counts
 * (folded, SVG, reports) then shows v unchanged. NULL with err filled when
 * wall needs a period_ns p lacks, when a value passes 2^64 - 1, or when p
 * is a view of another value already (a view of its own value is a copy).
 */
enum profile_value {
	PROFILE_VALUE_CPU,
	PROFILE_VALUE_OFF_CPU,
	PROFILE_VALUE_WALL,
	PROFILE_VALUE_MAX
};

#define PROFILE_META_VALUE "value" /* a view's value: "cpu", "off-cpu"... */
#define PROFILE_META_UNIT "unit"   /* its counts' unit: "samples", "ns" */

int profile_value_parse(const char *name, enum profile_value *v);
const char *profile_value_name(enum profile_value v);
const char *profile_value_unit(enum profile_value v);
enum profile_value profile_value_default(const struct profile *p);
struct profile *profile_view(const struct profile *p, enum profile_value v,
			     struct scorch_err *err);
/* budget.c: a budget file's "value" (cpu, off-cpu, wall), when it names
 * one: what its shares and milliseconds are of, unless `check --value`
 * says. */
bool budget_value(const struct budget *b, enum profile_value *v);

/*
 * meta.c: what a view says it shows. profile_value_title() names v for a
 * title ("CPU", "Off-CPU", "Wall clock"); profile_value_label() names what
 * p's counts add up to in a table's title: "CPU time", "off-CPU time",
 * "wall time" (p's value, profile_value_default()), or "samples" when p
 * has no time (no period_ns). Static strings.
 */
const char *profile_value_title(enum profile_value v);
const char *profile_value_label(const struct profile *p);
/* pprof.c: profile_write_pprof() with default_sample_type v's type. */
int profile_write_pprof_value(const struct profile *p, enum profile_value v,
			      FILE *fp);

/*
 * split.c: a profile apart by process or by thread (svg, fold and report
 * --split). A root frame per process is "comm-PID", per thread
 * "name-PID/TID" (the thread's name, else the process's), as
 * stackcollapse-perf.pl --pid / --tid write them; stacks without a task
 * (folded input) are "[no task]".
 */
enum profile_split {
	SPLIT_NONE,
	SPLIT_PROCESS,
	SPLIT_THREAD,
};

/* "process" or "thread" into *by; -1 for anything else. */
int profile_split_parse(const char *name, enum profile_split *by);
/* The root frame name of task (TASK_NONE allowed); the caller frees it. */
char *profile_split_name(const struct profile *p, uint32_t task,
			 enum profile_split by);
/*
 * A copy of p (metadata too) whose stacks start with their process's or
 * thread's root frame (FRAME_PROCESS) in place of the recorded process
 * root; stacks without a task are copied as they are.
 */
struct profile *profile_split(const struct profile *p, enum profile_split by);

/* One process's or thread's stacks, as a profile of their own. */
struct profile_part {
	char *name;	   /* profile_split_name() */
	uint64_t total;	   /* its samples */
	struct profile *p; /* its stacks, p's metadata */
};

/* The parts of p by process or thread, most samples first, into *parts
 * (free with profile_parts_free()); returns their number. */
size_t profile_split_parts(const struct profile *p, enum profile_split by,
			   struct profile_part **parts);
void profile_parts_free(struct profile_part *parts, size_t n);

#endif
