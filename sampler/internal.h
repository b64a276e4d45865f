/* SPDX-License-Identifier: MIT */
/* sampler/internal.h - declarations shared by the files of sampler/ only. */
#ifndef SCORCH_SAMPLER_INTERNAL_H
#define SCORCH_SAMPLER_INTERNAL_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sampler.h"

struct scorch_err;

/* ring.c: one mmap'ed perf ring buffer. */
struct ring {
	int fd;
	void *base;	       /* metadata page followed by the data pages */
	size_t data_size;      /* bytes of data, a power of two */
	uint64_t head;	       /* data_head read at ring_snapshot() */
	uint64_t tail;	       /* where we have read up to */
	unsigned char *bounce; /* copy of a record that wraps the end */
};

int ring_open(struct ring *r, int fd, size_t data_pages,
	      struct scorch_err *err);
void ring_close(struct ring *r);
/* Read data_head (acquire), so later ring_next() calls stop there. */
void ring_snapshot(struct ring *r);
/* Next whole record up to the snapshot, or NULL; valid until the next call. */
const struct perf_event_header *ring_next(struct ring *r);
/* Give the space read so far back to the kernel (release). */
void ring_release(struct ring *r);

/* stacks.c: the address profile, hash(pid, tid, frames) -> count. */
struct stack_table;

struct stack_table *stack_table_new(void);
void stack_table_free(struct stack_table *t);
/* Add count samples of a stack (see struct addr_stack; modules has one
 * entry per user frame; image counts the process's execs before it). */
void stack_table_add(struct stack_table *t, pid_t pid, pid_t tid,
		     uint32_t image, const uint64_t *ips,
		     const uint32_t *modules, uint32_t nkernel, uint32_t nuser,
		     uint32_t flags, uint64_t count);
size_t stack_table_len(const struct stack_table *t);
const struct addr_stack *stack_table_get(const struct stack_table *t,
					 size_t idx);

/* modules.c: the files mapped as code, each opened once while mapped. */
struct module_table;

struct module_table *module_table_new(void);
void module_table_free(struct module_table *mt);
/*
 * The module id of mapping m of pid, opening its file on first sight;
 * MODULE_NONE for memory that is no file (anonymous, JIT code, [heap]).
 */
uint32_t module_table_get(struct module_table *mt, pid_t pid,
			  const struct addr_map *m);
size_t module_table_len(const struct module_table *mt);
const struct addr_module *module_table_at(const struct module_table *mt,
					  uint32_t id);
/*
 * The load bias of mapping m (runtime address minus ELF virtual address),
 * from the program headers of its module's file. False when the file could
 * not be read or no PT_LOAD segment holds the mapping's offset.
 */
bool module_table_bias(const struct module_table *mt, const struct addr_map *m,
		       uint64_t *bias);

/* maps.c: each target process's executable mappings, as of now. */
struct map_set;

struct map_set *map_set_new(void);
void map_set_free(struct map_set *ms);
/* Add a mapping (path copied); mappings it overlaps are trimmed or dropped. */
void map_set_add(struct map_set *ms, pid_t pid, const struct addr_map *m);
/* The child starts with a copy of the parent's maps (fork). */
void map_set_fork(struct map_set *ms, pid_t parent, pid_t child);
/* The process replaced its image (exec): forget its maps. */
void map_set_exec(struct map_set *ms, pid_t pid);
/* Read /proc/PID/maps into the set, opening modules. 0 or -errno. */
int map_set_load_proc(struct map_set *ms, struct module_table *mt, pid_t pid);
const struct addr_map *map_set_find(const struct map_set *ms, pid_t pid,
				    uint64_t addr);
/*
 * All maps of pid sorted by address (borrowed until the next change), their
 * number in *n, and in *gen a number that changes whenever they do.
 */
const struct addr_map *map_set_maps(const struct map_set *ms, pid_t pid,
				    size_t *n, uint64_t *gen);

/* tasks.c: which processes are targets, and the names of tasks. */
enum task_state {
	TASK_UNKNOWN = 0, /* not decided yet: decide after the next pass */
	TASK_TARGET,	  /* a target or a descendant of one */
	TASK_OTHER,	  /* some other process (cpu scope) */
};

struct task_table;

struct task_table *task_table_new(void);
void task_table_free(struct task_table *t);
enum task_state task_table_state(const struct task_table *t, pid_t pid);
void task_table_set_state(struct task_table *t, pid_t pid, enum task_state st);
/* Names: comm of a process (its main thread) and of a thread. */
void task_table_set_comm(struct task_table *t, pid_t pid, pid_t tid,
			 const char *comm);
const char *task_table_comm(const struct task_table *t, pid_t tid);
/*
 * pid exec'd (call before setting the new image's name): the samples taken
 * so far keep the name it had. Images are numbered from 0 per process.
 */
void task_table_exec(struct task_table *t, pid_t pid);
uint32_t task_table_image(const struct task_table *t, pid_t pid);
/* The name task tid of process pid had in pid's image number image. */
const char *task_table_comm_at(const struct task_table *t, pid_t pid, pid_t tid,
			       uint32_t image);
/* Note a sample of tid; returns TASK_NEW_* flags for first sightings. */
#define TASK_NEW_THREAD 1
#define TASK_NEW_PROCESS 2
int task_table_seen(struct task_table *t, pid_t pid, pid_t tid);
/* Read names of pid and its threads from /proc. */
void task_table_load_proc(struct task_table *t, pid_t pid);

/* events.c: opening the perf events. */
struct event_spec {
	uint32_t type;	 /* PERF_TYPE_* */
	uint64_t config; /* PERF_COUNT_* */
	bool is_clock;	 /* period is in nanoseconds of CPU time */
	const char *name;
};

int event_lookup(const char *name, struct event_spec *spec,
		 struct scorch_err *err);
void event_attr_init(struct perf_event_attr *attr,
		     const struct event_spec *spec, unsigned freq_hz,
		     bool kernel, enum sampler_scope scope);
int event_open(struct perf_event_attr *attr, pid_t pid, int cpu);
/* The kernel's callchain depth limit (kernel.perf_event_max_stack). */
unsigned event_max_stack(void);
/* Online CPUs from /sys; returns the count, fills *cpus (caller frees). */
int event_online_cpus(int **cpus);

/*
 * unwind.c, unwind-libdw.c, unwind-libunwind.c: user stacks by CFI
 * (.eh_frame, .debug_frame) from a sample's user registers and a copy of
 * its user stack, against the process's maps at the time of the sample.
 * Two backends behind one table of operations; unwind.c says which is the
 * default and why.
 */
struct unwinder;

/* perf's x86-64 user register numbers (asm/perf_regs.h), as sampled. */
#define UNWIND_NREGS 24
#define UNWIND_REG_SP 7
#define UNWIND_REG_IP 8
/* The registers CFI can refer to: rax..rdi, rbp, rsp, rip, r8..r15. */
#define UNWIND_REGS_ALL 0xff01ffULL
/* Enough to unwind one frameless leaf: rbp, rsp, rip. */
#define UNWIND_REGS_LEAF 0x1c0ULL

struct unwind_sample {
	pid_t pid, tid;
	uint64_t regs[UNWIND_NREGS]; /* by perf number; see regs_mask */
	uint64_t regs_mask;	     /* which of regs[] were sampled */
	const unsigned char *stack;  /* copy of user memory from regs[SP] up */
	uint64_t stack_len;	     /* bytes in the copy */
	bool stack_full; /* the copy is as long as asked: the stack may go
			    on beyond it (else it ended, or could not be read) */
};

enum unwind_result {
	UNWIND_DONE,	   /* reached the outermost frame */
	UNWIND_COPY_SHORT, /* the next frame lies beyond the stack copy */
	UNWIND_BROKEN,	   /* no CFI, or it led nowhere */
	UNWIND_MAX,	   /* the frame limit was reached */
};

struct unwinder_ops {
	const char *name;
	struct unwinder *(*new)(const struct map_set *ms,
				const struct module_table *mt);
	void (*free)(struct unwinder *u);
	/*
	 * Unwind up to max frames of the sample's user stack into ips[]
	 * (innermost first: the interrupted ip, then return addresses) and
	 * set *n. Stops early at max_frames.
	 */
	enum unwind_result (*user)(struct unwinder *u,
				   const struct unwind_sample *smp,
				   uint64_t *ips, uint32_t max, uint32_t *n);
	/*
	 * Optional: does a stack whose outermost user frame is pc (a return
	 * address when ret) end at its root (the entry point, a thread's
	 * start)? A chain that stops elsewhere was cut off: it is broken.
	 */
	bool (*root)(struct unwinder *u, pid_t pid, uint64_t pc, bool ret);
	/* The process exited or exec'd: drop what is kept for it. */
	void (*forget)(struct unwinder *u, pid_t pid);
	/* Optional: check a fast path against a slow one, and count
	 * disagreements and samples compared (record --unwind-check). */
	void (*set_check)(struct unwinder *u, bool on);
	uint64_t (*mismatches)(const struct unwinder *u, uint64_t *checked);
};

extern const struct unwinder_ops unwind_libdw_ops;
extern const struct unwinder_ops unwind_libdwfl_ops;
extern const struct unwinder_ops unwind_libunwind_ops;
/*
 * Read 8 bytes of the sample's stack copy at addr. False when they are not
 * in the copy; then *short_copy is set if addr lies just past a copy that
 * was full (the stack went on beyond what was copied).
 */
bool unwind_stack_read(const struct unwind_sample *smp, uint64_t addr,
		       uint64_t *out, bool *short_copy);
/* The backend for a choice (UNWINDER_DEFAULT picks the measured best). */
const struct unwinder_ops *unwind_backend(enum sampler_unwinder which);

/*
 * unwind-rules.c: each module's CFI (.eh_frame, else .debug_frame) read
 * once per code address into a rule, cached per module and shared by every
 * process that maps it; the fast path of unwind-libdw.c.
 */
/*
 * How to find the caller's registers from a frame's, at one code address.
 * Only the registers that survive a call are tracked: rsp (the CFA), rip
 * (the return address) and the callee-saved rbx, rbp, r12-r15.
 */
enum rule_kind {
	RULE_SAME,   /* unchanged (also: unspecified callee-saved register) */
	RULE_OFFSET, /* saved at CFA + off */
	RULE_UNDEF,  /* unknown; for rip: this is the outermost frame */
};

#define RULE_NREGS 7 /* rbx rbp r12 r13 r14 r15 rip */
extern const int rule_dwarf_reg[RULE_NREGS];

struct unwind_rule {
	uint8_t cfa_reg; /* DWARF register number; the CFA = it + cfa_off */
	bool fp;	 /* no CFI here: follow the frame pointer */
	bool entry;	 /* the module's entry point: the outermost frame */
	int32_t cfa_off;
	uint8_t kind[RULE_NREGS];
	int32_t off[RULE_NREGS];
};

struct unwind_rules;

struct unwind_rules *unwind_rules_new(const struct module_table *mt);
void unwind_rules_free(struct unwind_rules *ur);
/*
 * The rule at ELF address pc of module id, or NULL for what a rule cannot
 * express (unwind that frame with libdwfl). Code without CFI gets a rule
 * that follows the frame pointer (.fp).
 */
const struct unwind_rule *unwind_rules_get(struct unwind_rules *ur, uint32_t id,
					   uint64_t pc);
/* The rule for code without CFI, JIT code: rbp holds the frame. */
extern const struct unwind_rule unwind_rule_fp;

/* unwind-fp.c: turn a sample's callchain into kernel and user frames. */
struct unwind_out {
	uint64_t *ips; /* capacity cap */
	uint32_t cap;
	uint32_t nkernel;
	uint32_t nuser;
	bool truncated;
};

/*
 * Split a PERF_SAMPLE_CALLCHAIN array into kernel and user frames, dropping
 * context markers. max_stack is the kernel's depth limit, used to mark
 * stacks the kernel cut short.
 */
void unwind_callchain(const uint64_t *chain, uint64_t nr, uint32_t max_stack,
		      struct unwind_out *out);

#endif
