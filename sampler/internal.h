/* SPDX-License-Identifier: MIT */
/* sampler/internal.h - declarations shared by the files of sampler/ only. */
#ifndef SCORCH_SAMPLER_INTERNAL_H
#define SCORCH_SAMPLER_INTERNAL_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "../common/common.h"

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
 * entry per user frame; image counts the process's execs before it).
 * Returns the stack's index (count may be 0: off-CPU time comes later). */
size_t stack_table_add(struct stack_table *t, pid_t pid, pid_t tid,
		       uint32_t image, const uint64_t *ips,
		       const uint32_t *modules, uint32_t nkernel,
		       uint32_t nuser, uint32_t flags, uint64_t count);
/* Add ns of off-CPU time to stack idx. */
void stack_table_add_off_cpu(struct stack_table *t, size_t idx, uint64_t ns);
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

/*
 * decode.c: perf records into typed structs, read by the sample_type,
 * read_format and sample_id_all the events were opened with. Pointers in a
 * struct perf_rec point into the record and live as long as it does.
 */
struct decode_format {
	uint64_t sample_type;	  /* PERF_SAMPLE_* */
	uint64_t read_format;	  /* PERF_FORMAT_* */
	uint64_t regs_user_mask;  /* sample_regs_user */
	uint64_t regs_intr_mask;  /* sample_regs_intr */
	bool branch_hw_idx;	  /* PERF_SAMPLE_BRANCH_HW_INDEX */
	bool sample_id_all;	  /* non-sample records end with a sample_id */
	uint32_t id_size;	  /* bytes of that trailer */
	uint32_t sample_time_off; /* of a sample's time, from its start */
	uint32_t id_time_off;	  /* of the time in the trailer */
};

/* The sample_id fields: a sample's own, or another record's trailer;
 * 0 where sample_type does not select them. */
struct perf_rec_id {
	uint32_t pid, tid;  /* PERF_SAMPLE_TID */
	uint64_t time;	    /* PERF_SAMPLE_TIME, ns of the event's clock */
	uint64_t id;	    /* PERF_SAMPLE_ID or _IDENTIFIER */
	uint64_t stream_id; /* PERF_SAMPLE_STREAM_ID */
	uint32_t cpu;	    /* PERF_SAMPLE_CPU */
};

/* PERF_SAMPLE_READ: struct read_format. */
struct perf_rec_read {
	uint64_t nr; /* counters: 1 unless PERF_FORMAT_GROUP */
	uint64_t time_enabled, time_running; /* ns, when read_format has them */
	uint64_t value, id, lost;	     /* the (first) counter */
	const uint64_t *cntr; /* group: nr of { value, [id], [lost] } */
	uint32_t stride;      /* u64 per counter in cntr */
};

/* PERF_SAMPLE_REGS_USER / _INTR: regs in mask bit order, NULL when the
 * abi is PERF_SAMPLE_REGS_ABI_NONE (no registers, e.g. a kernel thread). */
struct perf_rec_regs {
	uint64_t abi, mask;
	const uint64_t *regs;
};

struct perf_rec_sample {
	uint64_t ip, addr, period;
	struct perf_rec_read read;
	uint64_t nr_ips;     /* PERF_SAMPLE_CALLCHAIN */
	const uint64_t *ips; /* with PERF_CONTEXT_* markers */
	uint32_t raw_size;   /* PERF_SAMPLE_RAW, bytes (with padding) */
	const unsigned char *raw;
	uint64_t nr_branches, branch_hw_idx; /* PERF_SAMPLE_BRANCH_STACK */
	const uint64_t *branches; /* nr_branches of { from, to, flags } */
	struct perf_rec_regs regs_user;
	const unsigned char *stack; /* PERF_SAMPLE_STACK_USER copy */
	uint64_t stack_size;	    /* bytes asked for (0: none copied) */
	uint64_t stack_dyn_size;    /* bytes the kernel filled */
	uint64_t weight, data_src, transaction;
	struct perf_rec_regs regs_intr;
	uint64_t phys_addr, cgroup, data_page_size, code_page_size;
	uint64_t aux_size;
	const unsigned char *aux;
};

/* PERF_RECORD_MMAP and _MMAP2 (maj..flags: MMAP2 only). */
struct perf_rec_mmap {
	uint32_t pid, tid;
	uint64_t addr, len, pgoff; /* runtime address, bytes, file offset */
	uint32_t maj, min;	   /* device, 0 with a build id */
	uint64_t ino, ino_generation;
	uint32_t build_id_size; /* PERF_RECORD_MISC_MMAP_BUILD_ID */
	const unsigned char *build_id;
	uint32_t prot, flags; /* PROT_*, MAP_* */
	const char *filename;
};

struct perf_rec_comm {
	uint32_t pid, tid;
	const char *comm;
};

/* PERF_RECORD_FORK and _EXIT. */
struct perf_rec_task {
	uint32_t pid, ppid, tid, ptid;
	uint64_t time;
};

struct perf_rec_lost {
	uint64_t id, lost; /* records the kernel dropped */
};

/* PERF_RECORD_THROTTLE and _UNTHROTTLE. */
struct perf_rec_throttle {
	uint64_t time, id, stream_id;
};

/* PERF_RECORD_SWITCH and _SWITCH_CPU_WIDE (next_prev_*: cpu-wide only). */
struct perf_rec_switch {
	bool out;     /* PERF_RECORD_MISC_SWITCH_OUT */
	bool preempt; /* out, still runnable: _MISC_SWITCH_OUT_PREEMPT */
	uint32_t next_prev_pid, next_prev_tid;
};

struct perf_rec_lost_samples {
	uint64_t lost;
};

struct perf_rec {
	uint32_t type; /* PERF_RECORD_*: which member of the union is set */
	uint16_t misc, size;
	struct perf_rec_id id;
	union {
		struct perf_rec_sample sample;
		struct perf_rec_mmap mmap;
		struct perf_rec_comm comm;
		struct perf_rec_task task;
		struct perf_rec_lost lost;
		struct perf_rec_throttle throttle;
		struct perf_rec_switch switch_;
		struct perf_rec_lost_samples lost_samples;
	};
	const char *error; /* why decode_record() refused it (static) */
};

/* The format of events opened with attr; -EINVAL for sample_type or
 * read_format bits whose place in a record is not known. */
int decode_format_init(struct decode_format *f,
		       const struct perf_event_attr *attr);
/*
 * Decode the record at buf (len bytes readable) into *rec. 0, or -EBADMSG
 * with rec->error set when the record is shorter than its header, its type
 * or its format say (nothing past its size is read). Types other than
 * those above get only the header and the sample_id trailer.
 */
int decode_record(const struct decode_format *f, const void *buf, size_t len,
		  struct perf_rec *rec);
/*
 * Just the time of the record at buf (what decode_record() puts in
 * rec->id.time), without decoding the rest: the key passes sort by. 0 or
 * -EBADMSG when the record is too short to hold it; *time is 0 when the
 * format has no time or the record cannot hold one.
 */
int decode_time(const struct decode_format *f, const void *buf, size_t len,
		uint64_t *time);

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
/* With PERF_FLAG_* flags (PERF_FLAG_PID_CGROUP: pid is a cgroup fd). */
int event_open_flags(struct perf_event_attr *attr, pid_t pid, int cpu,
		     unsigned long flags);
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
/*
 * unwind-ehret.c: stacks sampled while libgcc installs an exception
 * handler's registers name the catching frame as a wrong caller.
 */
struct Elf;
size_t ehret_ranges(struct Elf *elf, uint64_t (*ranges)[2], size_t max);

/*
 * unwind-plt.c: PLT sections without CFI (LLD's, a static program's
 * .iplt). plt_sections() finds elf's (.plt, .plt.sec, .plt.got, .iplt),
 * at most max; plt_cfa_offset() is the CFA's offset from rsp at ELF
 * address pc of section s (8: the return address is at rsp), or -1 when
 * pc is not in s.
 */
struct plt_section {
	uint64_t start, size; /* ELF addresses */
	const uint8_t *code;  /* the section's bytes (libelf's) */
	uint32_t entsize;     /* bytes an entry */
	uint32_t header;      /* bytes before the first entry (PLT0) */
	bool lazy;	      /* PLT0 pushes the link map: lazy binding */
};
size_t plt_sections(struct Elf *elf, struct plt_section *out, size_t max);
/* A section at ELF address start, its bytes code (sh_entsize: the ELF
 * section header's, 0 if none), its entries found (plt_sections() uses it). */
void plt_section_init(struct plt_section *p, uint64_t start,
		      const uint8_t *code, uint64_t size, uint64_t sh_entsize);
int plt_cfa_offset(const struct plt_section *s, uint64_t pc);
bool ehret_in(const uint64_t (*ranges)[2], size_t n, uint64_t addr);
bool ehret_call_fits(struct Elf *elf, uint64_t ra, const uint64_t (*ranges)[2],
		     size_t n);
/* One frame's module: its file, the frame's ELF address, its installers. */
struct ehret_frame {
	struct Elf *elf;
	uint64_t addr; /* ELF address of the frame's ip (not adjusted) */
	const uint64_t (*ranges)[2];
	size_t n;
};
uint32_t ehret_cut(const uint64_t *ips, uint32_t n,
		   bool (*frame)(void *ctx, uint32_t k, struct ehret_frame *f),
		   void *ctx);
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
/* Has any module opened so far libgcc's exception handler installers? */
bool unwind_rules_any_ehret(const struct unwind_rules *ur);
/* Module id's ELF (or NULL) and its installers' ranges (unwind-ehret.c). */
struct Elf *unwind_rules_ehret(struct unwind_rules *ur, uint32_t id,
			       const uint64_t (**ranges)[2], size_t *n);
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

/*
 * sampler.c, passes.c, handle.c, events.c, targets.c: one recording.
 * The handle is opaque outside the room (sampler.h); its files share it.
 */
#define DEFAULT_CPU_RING_PAGES 128   /* 512 KiB per CPU */
#define DEFAULT_THREAD_RING_PAGES 16 /* 64 KiB per thread */
/* Samples that carry a stack copy need room for many more bytes. */
#define DWARF_RING_BYTES (8u << 20)
/* --off-cpu: per CPU, whatever the call graph mode. */
#define OFFCPU_RING_BYTES (16u << 20)
#define MAX_IPS 1024 /* frames kept per stack */
/*
 * fp mode copies this much of the user stack to find a frameless leaf's
 * caller by CFI: the leaf's frame holds at most a few saved registers.
 */
#define LEAF_STACK_BYTES 512
/* Unwinding times are kept in a histogram of 1/8-octave buckets of ns. */
#define UNWIND_HIST_BUCKETS 256

/*
 * One record of this pass: read in place in its ring (which is given back
 * to the kernel only after the pass), or copied into pass.buf when it
 * wrapped around the ring's end or waits for the next pass.
 */
struct rec {
	uint64_t time;
	const unsigned char *ptr; /* in a ring, or NULL: at buf + off */
	size_t off;		  /* into pass.buf */
	uint32_t seq;  /* order of arrival, to keep the sort stable */
	bool deferred; /* already waited one pass */
};

struct pass {
	unsigned char *buf;
	size_t len, cap;
	struct rec *recs;
	size_t nrecs, recs_cap;
};

/* jitter.c: the clock events' period, re-timed at random moments. */
struct jitter_fd {
	int fd;		 /* a per-CPU clock event, -1 once it refused */
	uint64_t period; /* its period since its last change, ns */
	uint64_t count;	 /* its count (CPU ns) at that change */
};

struct jitter {
	bool on;
	struct jitter_fd *fds;
	size_t n, cap, next_fd;
	uint64_t nominal; /* 1e9 / frequency */
	uint64_t next_ns; /* the next change, CLOCK_MONOTONIC */
	uint64_t rng;
	uint64_t ns, samples; /* the closed stretches: CPU ns, samples */
	uint64_t changes;
	bool late; /* the moment was missed once and drawn again */
};

struct sampler {
	struct record_opts opts;
	struct event_spec spec;
	enum sampler_scope scope;
	bool kernel;
	uint32_t max_stack;

	int *cpus; /* online CPUs */
	size_t ncpus;
	struct ring *rings; /* one per CPU; base == NULL until an event */
	bool *hup;	    /* per ring: stop polling it (owner task gone) */
	int *fds;	    /* every event fd, ring owners included */
	size_t nfds, fds_cap;

	int *pidfds; /* one per listed target, -1 once exited */
	pid_t *pids;
	size_t npids;
	pid_t child; /* launched command, or 0 */
	/* The child's exec was seen: before it, its samples are scorch's own
	 * fork between fork() and execvp(), not the command's. */
	bool child_execd;
	int child_go;	     /* write end that lets the child exec, or -1 */
	int child_status_fd; /* its exec errno, EOF once it exec'd, or -1 */
	bool child_started;  /* let go and exec'd */
	int child_status;
	bool child_reaped;

	struct stack_table *stacks;
	struct map_set *maps;
	struct module_table *mods;
	struct task_table *tasks;
	const struct unwinder_ops *uw_ops; /* NULL: no CFI unwinding */
	struct unwinder *uw;
	uint64_t regs_mask;   /* user registers sampled */
	uint32_t stack_bytes; /* user stack copied per sample */
	unsigned ring_shrink; /* rings halved this often (memory lock limit) */
	uint64_t unwind_hist[UNWIND_HIST_BUCKETS];
	struct sampler_stats stats;
	struct strbuf cmdlines;

	/* --off-cpu: the ids of the context-switch events (id -> 1), and
	 * each target thread's switch state (tid -> struct offcpu_task) */
	struct intmap offcpu_ids;
	struct intmap offcpu_tasks;
	uint64_t start_ns;	     /* CLOCK_MONOTONIC, the events' clock */
	uint32_t offcpu_stack_bytes; /* user stack copied per switch-out */

	struct decode_format fmt; /* of the records the events write */
	struct pass cur, next;	  /* this pass, records deferred to the next */
	uint64_t ips[MAX_IPS];
	uint64_t uips[MAX_IPS]; /* user frames from the unwinder */
	uint32_t umods[MAX_IPS];
	struct timespec start;
	struct jitter jit;
};

/* passes.c: reading the rings in time-ordered passes. */
void pass_add(struct pass *p, const void *data, size_t size, uint64_t time,
	      bool deferred);
void pass_free(struct pass *p);
/* Read every ring, then handle the records in time order. */
void sampler_pass(struct sampler *s);

/* handle.c: one record into stacks, maps and task names. */
void sampler_handle(struct sampler *s, const struct rec *r);
/* The q-quantile of the unwinding times noted so far, in ns. */
uint64_t sampler_unwind_quantile(const struct sampler *s, double q);

/* events.c (with the event_* functions above): events and their rings. */
void sampler_close_events(struct sampler *s);
int sampler_open_cpu(struct sampler *s, struct scorch_err *err);
int sampler_open_thread(struct sampler *s, pid_t tid, bool on_exec,
			struct scorch_err *err);
int sampler_attach_threads(struct sampler *s, pid_t pid,
			   struct scorch_err *err);
void sampler_raise_nofile(void);
void sampler_enable(struct sampler *s, bool on);
/* Open every event: per CPU, else per thread of every target; without
 * kernel stacks when they are not permitted. Then enable them. */
int sampler_open_events(struct sampler *s, struct scorch_err *err);

/*
 * offcpu.c: --off-cpu, off-CPU time from a context-switch event sampled at
 * every switch-out and the kernel's switch records (see the file).
 */
/* The context-switch event's attr, from the CPU event's. */
void offcpu_attr(const struct sampler *s, const struct perf_event_attr *cpu,
		 struct perf_event_attr *attr);
/* Note fd as a context-switch event (its id, for its samples); 0 or
 * -errno with err set. */
int offcpu_note_event(struct sampler *s, int fd, struct scorch_err *err);
/* Is a sample of event id an off-CPU one? */
bool offcpu_is_sample(const struct sampler *s, uint64_t id);
/* A switch-out sample of a target thread, its stack at index stack. */
void offcpu_sample(struct sampler *s, const struct perf_rec *pr, size_t stack);
/* A switch record of a target thread. */
void offcpu_switch(struct sampler *s, const struct perf_rec *pr);
/* A new thread (FORK) and an ended one (EXIT). */
void offcpu_fork(struct sampler *s, pid_t pid, pid_t tid);
void offcpu_exit(struct sampler *s, pid_t tid);
/* The recording ended at end_ns: threads still off CPU weighed to it. */
void offcpu_finish(struct sampler *s, uint64_t end_ns);
void offcpu_free(struct sampler *s);

/* jitter.c (see the file): the draws, one stretch of an event into the
 * sums and their period, then the recording's side. */
/* A period within 1/8 of nominal; a wait of 16 to 32 nominal periods
 * (at least 10 ms), in ns. */
uint64_t jitter_draw_period(uint64_t nominal, uint64_t *state);
uint64_t jitter_draw_wait(uint64_t nominal, uint64_t *state);
/* ns of CPU at period: floor(ns / period) samples. */
void jitter_stretch(struct jitter *j, uint64_t ns, uint64_t period);
/* The stretches' ns per sample, rounded; nominal when there are none. */
uint64_t jitter_period_ns(const struct jitter *j, uint64_t nominal);
/* The nominal period and the draws' seed, before the events open. */
void jitter_init(struct sampler *s);
void jitter_note_fd(struct sampler *s, int fd);
/* Events enabled at now_ns: on for a clock event in cpu scope without
 * --fixed-period, and the first change drawn. */
void jitter_start(struct sampler *s, uint64_t now_ns);
/* ns until the next change (0: due), -1 when none will come. */
int64_t jitter_wait_ns(const struct sampler *s, uint64_t now_ns);
/* The change when due: new periods for up to 64 events. */
void jitter_tick(struct sampler *s, uint64_t now_ns);
/* Events disabled: the last stretches closed, stats.period_ns and
 * stats.period_changes set. */
void jitter_finish(struct sampler *s);
void jitter_free(struct sampler *s);
/* sampler.c: CLOCK_MONOTONIC (the events' clock) in ns. */
uint64_t sampler_now_ns(void);

/* targets.c: the processes to record. */
struct pollfd;
void sampler_add_cmdline(struct sampler *s, pid_t pid);
void sampler_watch_pid(struct sampler *s, pid_t pid);
int sampler_check_pid(pid_t pid, struct scorch_err *err);
pid_t sampler_fork_command(char *const *argv, int *go, int *status_fd,
			   struct scorch_err *err);
/* Take the listed pids and start the command (stopped before its exec). */
int sampler_add_targets(struct sampler *s, struct scorch_err *err);
/* Let the command exec; an exec failure is an error. */
int sampler_start_child(struct sampler *s, struct scorch_err *err);
/* A command that was never let go: end it and reap it. */
void sampler_drop_child(struct sampler *s);
bool sampler_targets_gone(struct sampler *s, struct pollfd *pfd, size_t base);
/* Every task the events see is a target: thread scope (our events follow
 * targets only), --cgroup (the kernel filters), -a (every process is). */
bool sampler_all_seen_are_targets(const struct sampler *s);
/* First sight of pid where sampler_all_seen_are_targets(): a target, and
 * for -a and --cgroup its names and maps read from /proc. */
void sampler_adopt(struct sampler *s, pid_t pid);
/* Not filtered out by --tid. */
bool sampler_tid_wanted(const struct sampler *s, pid_t tid);
/* --cgroup PATH's directory into buf; -ENOENT with err naming PATH. */
int sampler_cgroup_dir(const char *path, char *buf, size_t size,
		       struct scorch_err *err);

#endif
