/* SPDX-License-Identifier: MIT */
/*
 * sampler/sampler.h - samples the stacks of target processes with
 * perf_event_open: attaches to PIDs or launches a command, follows every
 * thread and child process, tracks their memory maps and names, and keeps
 * an address profile (unique raw stacks with counts). It never symbolizes:
 * turning addresses into names happens once, after recording.
 *
 * Ownership: sampler_new() returns a handle the caller frees with
 * sampler_free(); every pointer the accessors return is borrowed from the
 * sampler and lives until sampler_free().
 */
#ifndef SCORCH_SAMPLER_H
#define SCORCH_SAMPLER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct scorch_err;
struct sampler;

/* How events are opened; see sampler/events.c for the trade-off. */
enum sampler_scope {
	SCOPE_AUTO,   /* per-CPU when permitted, else per-thread */
	SCOPE_CPU,    /* one event per CPU, samples filtered by PID */
	SCOPE_THREAD, /* one inherited event per target thread */
};

enum sampler_callgraph {
	CALLGRAPH_FP,	 /* the kernel's frame-pointer unwinder */
	CALLGRAPH_DWARF, /* CFI unwinding of a copy of the user stack */
};

/*
 * The user stack copied per sample in dwarf mode. A 200-deep recursion of
 * frames with 64 bytes of locals needs ~20 KiB, and the kernel caps a
 * sample at 64 KiB; sampler/unwind.c explains the default's measurement.
 */
#define SAMPLER_STACK_BYTES 32768
#define SAMPLER_MAX_STACK_BYTES 65528
/* The copy per off-CPU sample (README, "Off-CPU time", the measurement). */
#define SAMPLER_OFFCPU_STACK_BYTES 8192

/* Which library unwinds by CFI (see sampler/unwind.c for the choice). */
enum sampler_unwinder {
	UNWINDER_DEFAULT,
	UNWINDER_LIBDW,	    /* libdw's CFI as cached rules, libdwfl behind */
	UNWINDER_LIBDWFL,   /* libdwfl's unwinder (dwfl_getthread_frames) */
	UNWINDER_LIBUNWIND, /* libunwind: a remote address space */
};

struct record_opts {
	const pid_t *pids; /* processes to attach to */
	size_t npids;
	/* Threads to record, and no other thread of their processes (threads
	 * they start later are not sampled either). */
	const pid_t *tids;
	size_t ntids;
	/* Every process on the system (per-CPU events for all tasks); names
	 * and maps of each read from /proc at first sight. */
	bool system_wide;
	/* The tasks of one cgroup: a directory of the cgroup v2 hierarchy,
	 * absolute or relative to its mount point (per-CPU events with
	 * PERF_FLAG_PID_CGROUP). NULL: no cgroup. */
	const char *cgroup;
	char *const *argv; /* command to launch (NULL-terminated), or NULL */
	const char *event; /* "cpu-clock" (default), "task-clock", ... */
	unsigned freq_hz;  /* samples per second of CPU time */
	/* The clock's period exactly 1/freq_hz throughout, not re-timed at
	 * random moments (sampler/jitter.c). */
	bool fixed_period;
	double duration_s; /* stop after this long; 0 = no limit */
	enum sampler_scope scope;
	enum sampler_callgraph callgraph;
	enum sampler_unwinder unwinder;
	/* Unwind every sample a second way (libdw: libdwfl's full unwinder)
	 * and count disagreements in stats.unwind_mismatches. */
	bool unwind_check;
	uint32_t
		stack_bytes; /* user stack copied per sample (dwarf), 0 = default */
	size_t ring_pages; /* data pages per ring buffer (power of 2), 0 = default */
	/* PERF_SAMPLE_* bits sampled beyond scorch's own (0 = none): for an
	 * event kind that needs more fields, and for the test that they move
	 * nothing (the records are decoded by the bits opened with). */
	uint64_t sample_type_extra;
	/* Off-CPU time too (sampler/offcpu.c): every switch-out of a target
	 * thread sampled with its stack, weighted by the time until it
	 * switches back in. */
	bool off_cpu;
	/* User stack copied per switch-out sample (dwarf), 0 = default:
	 * SAMPLER_OFFCPU_STACK_BYTES or the CPU samples' copy if smaller. */
	uint32_t off_cpu_stack_bytes;
	volatile sig_atomic_t
		*stop; /* set to non-zero to stop (signal handler) */
	/* Called about four times a second while recording; may be NULL. */
	void (*progress)(const struct sampler *s, void *arg);
	void *progress_arg;
};

/* Counters kept while recording; all are reported, none are hidden. */
struct sampler_stats {
	uint64_t samples;      /* samples of target processes kept */
	uint64_t lost;	       /* records the kernel dropped (ring full) */
	uint64_t lost_samples; /* PERF_RECORD_LOST_SAMPLES */
	uint64_t throttled;    /* PERF_RECORD_THROTTLE events */
	uint64_t corrupt;      /* records too short for their format, skipped */
	uint64_t truncated;    /* stacks at the callchain depth limit */
	uint64_t copy_short;   /* user stacks longer than the stack copy */
	uint64_t broken;       /* user stacks whose unwinding failed */
	uint64_t leaf_fixed;   /* fp: callers of frameless leaves recovered */
	uint64_t unwind_ns_median; /* CFI unwinding time per sample */
	uint64_t unwind_ns_p99;
	int64_t unwind_mismatches; /* self-check disagreements, -1 if off */
	uint64_t unwind_checked;   /* samples the self-check compared */
	uint64_t other;	   /* samples of other processes, dropped (cpu scope) */
	uint64_t launcher; /* samples of the launched child before its exec */
	uint64_t threads;  /* distinct target threads seen */
	uint64_t processes;	  /* distinct target processes seen */
	uint64_t skipped_threads; /* threads that exited while attaching */
	double elapsed_s;	  /* wall time recorded */
	uint64_t period_ns;	  /* CPU ns a sample stands for (clock events) */
	uint64_t period_changes;  /* the period re-timed (sampler/jitter.c) */
	uint32_t stack_bytes;	  /* user stack copied per sample, 0 = none */
	enum sampler_unwinder unwinder; /* the CFI unwinder used */
	enum sampler_scope scope;	/* the scope actually used */
	bool kernel;			/* kernel stacks were recorded */
	/*
	 * --off-cpu (sampler/offcpu.c), every switch of a target thread
	 * counted in one of these: switch-outs sampled with their stack,
	 * weighed when the thread came back (off_cpu_switches); when it was
	 * still off CPU at the end, to the end (off_cpu_open); threads
	 * already off CPU at the start, from the start ([unknown] stack,
	 * off_cpu_before); a switch-in whose switch-out sample was lost
	 * (throttled, ring full): weighed from the switch-out record under
	 * an [unknown] stack, or, with neither, not weighed
	 * (off_cpu_unmatched); a switch-out sample whose switch-in was lost
	 * (another switch-out came first: not weighed, off_cpu_no_switch_in).
	 */
	uint64_t off_cpu_samples;
	uint64_t off_cpu_switches;
	uint64_t off_cpu_open;
	uint64_t off_cpu_before;
	uint64_t off_cpu_unmatched;
	uint64_t off_cpu_no_switch_in;
	uint64_t off_cpu_ns;	       /* all off-CPU time weighed */
	uint64_t off_cpu_preempted_ns; /* of it, runnable (preempted) */
	bool targets_exited; /* recording stopped because every target had
				exited (not by -d, a signal or an error) */
	/* Broken stacks of processes with no maps known (unreadable). */
	uint64_t broken_nomaps;
	pid_t nomaps_pid; /* the first target whose maps were unreadable */
	int nomaps_errno; /* and why */
};

#define MODULE_NONE UINT32_MAX /* a frame in no file: JIT code, unknown */

/* How a stack was cut short; each is counted and marked in the profile. */
#define STACK_TRUNCATED 1  /* the kernel stopped at its depth limit */
#define STACK_COPY_SHORT 2 /* the user stack copy ended before the root */
#define STACK_BROKEN 4	   /* unwinding failed: the callers are unknown */
/* --off-cpu: the thread left the CPU preempted (still runnable), not
 * blocked; shown as a [preempted] leaf frame. */
#define STACK_PREEMPTED 8

/*
 * A stack as sampled: kernel frames (innermost first), then user frames
 * (innermost first). ips[0] of each part is where the thread was
 * interrupted; the others are return addresses. A user frame is fixed to
 * its module when sampled, against the maps of that moment: ips[] holds the
 * offset in the module's file, or the raw address when modules[] says
 * MODULE_NONE (anonymous memory: JIT code, or no mapping at all).
 */
struct addr_stack {
	pid_t pid, tid;
	uint32_t image;	  /* execs of pid before the sample (names differ) */
	uint32_t nkernel; /* kernel frames at ips[0 .. nkernel) */
	uint32_t nuser;	  /* user frames at ips[nkernel .. nkernel + nuser) */
	uint32_t flags;	  /* STACK_* */
	uint64_t count;	  /* CPU samples */
	uint64_t off_cpu_ns; /* --off-cpu: ns off CPU having left it here */
	const uint64_t *ips;
	const uint32_t *modules; /* per user frame: module id or MODULE_NONE */
};

/* A user memory mapping of a target process. */
struct addr_map {
	uint64_t start, end; /* [start, end) in the process's address space */
	uint64_t pgoff;	     /* file offset of start */
	uint64_t dev, ino;   /* the mapped file's device and inode, 0 if none */
	const char *path;    /* file, or "[vdso]", "" for anonymous memory */
	uint32_t module;     /* module id, MODULE_NONE for anonymous memory */
};

/* A file mapped as code by a target, opened while it was mapped. */
struct addr_module {
	const char *path; /* as mapped, without " (deleted)"; or "[vdso]" */
	uint64_t dev, ino;
	int fd;	       /* the mapped file, or -1 when it could not be opened */
	int root_fd;   /* the mapping process's root when not ours, or -1 */
	bool replaced; /* path now names a different file (rebuilt, deleted) */
};

/* sampler.c */
/*
 * Validate targets, open events and, for a command, start it (stopped
 * until sampler_run()). Returns NULL with err filled; errors about a target
 * name it ("pid 42: no such process").
 */
struct sampler *sampler_new(const struct record_opts *opts,
			    struct scorch_err *err);
/*
 * Record until the duration passes, *opts->stop is set, or every target has
 * exited. Returns 0, or -1 with err filled (the data gathered so far stays
 * usable).
 */
int sampler_run(struct sampler *s, struct scorch_err *err);
void sampler_free(struct sampler *s);

const struct sampler_stats *sampler_stats(const struct sampler *s);
/* For a launched command: its pid and, after sampler_wait_child(), status. */
pid_t sampler_child(const struct sampler *s);
/* Wait for the launched command; returns its exit code (128+N on signal N). */
int sampler_wait_child(struct sampler *s);
/* Forward a signal to the launched command, if any. */
void sampler_signal_child(struct sampler *s, int sig);

size_t sampler_nstacks(const struct sampler *s);
const struct addr_stack *sampler_stack(const struct sampler *s, size_t idx);
/* A module by id (borrowed; its fd stays open until sampler_free()). */
const struct addr_module *sampler_module(const struct sampler *s, uint32_t id);
size_t sampler_nmodules(const struct sampler *s);
/* Process and thread names ("" when never seen). */
const char *sampler_comm(const struct sampler *s, pid_t pid);
const char *sampler_thread_name(const struct sampler *s, pid_t tid);
/* The names a stack's process and thread had when it was sampled (a
 * process that exec'd later had another name). */
const char *sampler_stack_comm(const struct sampler *s,
			       const struct addr_stack *st);
const char *sampler_stack_thread(const struct sampler *s,
				 const struct addr_stack *st);
/* The targets' command lines, ";"-separated for metadata (borrowed). */
const char *sampler_cmdlines(const struct sampler *s);

/* maps.c */
/*
 * Parse one line of /proc/PID/maps. Returns 1 for an executable mapping
 * (filled into *m, with path pointing into line and module MODULE_NONE),
 * 0 for a line to skip, -1 for a malformed line.
 */
int maps_parse_line(char *line, struct addr_map *m);

#endif
