/* SPDX-License-Identifier: MIT */
/*
 * sampler/events.c - choosing and opening perf events.
 *
 * Two ways to sample a set of processes:
 *  - cpu scope: one event per CPU for all tasks (pid = -1), and samples of
 *    other processes are dropped in user space. The kernel never switches
 *    these events on a context switch, so a server that switches tasks a
 *    hundred thousand times a second pays nothing extra for being watched.
 *    It needs CAP_PERFMON (or kernel.perf_event_paranoid <= 0).
 *  - thread scope: one inherited event per target thread (what
 *    `perf record -p` does). Every context switch of a target schedules its
 *    event in and out, which costs a switch-heavy server a visible share of
 *    its throughput, but it works for unprivileged users on their own tasks.
 * `make bench` measures both; cpu scope is the default where permitted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"

static const struct event_spec event_table[] = {
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, true, "cpu-clock" },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, true, "task-clock" },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, false, "cycles" },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, false,
	  "instructions" },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, false,
	  "cache-misses" },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, false,
	  "branch-misses" },
};

int
event_lookup(const char *name, struct event_spec *spec, struct scorch_err *err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(event_table); i++) {
		if (!strcmp(name, event_table[i].name)) {
			*spec = event_table[i];
			return 0;
		}
	}
	err_set(err,
		"unknown event '%s' (known: cpu-clock, task-clock, cycles, "
		"instructions, cache-misses, branch-misses)",
		name);
	return -1;
}

unsigned
event_max_stack(void)
{
	FILE *fp = fopen("/proc/sys/kernel/perf_event_max_stack", "re");
	unsigned v = 127;

	if (fp) {
		if (fscanf(fp, "%u", &v) != 1 || v == 0)
			v = 127;
		fclose(fp);
	}
	return v;
}

void
event_attr_init(struct perf_event_attr *attr, const struct event_spec *spec,
		unsigned freq_hz, bool kernel, enum sampler_scope scope)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = spec->type;
	attr->config = spec->config;
	if (spec->is_clock) {
		/* A clock's period is nanoseconds of CPU time (re-drawn
		 * around this one in cpu scope: sampler/jitter.c). */
		attr->sample_period = 1000000000ULL / freq_hz;
	} else {
		attr->freq = 1;
		attr->sample_freq = freq_hz;
	}
	attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
			    PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			    PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN;
	attr->sample_max_stack = (uint16_t)event_max_stack();
	attr->exclude_kernel = !kernel;
	attr->exclude_hv = 1;
	attr->exclude_callchain_kernel = !kernel;
	attr->disabled = 1;
	attr->inherit = scope == SCOPE_THREAD;
	attr->mmap = 1;
	attr->mmap2 = 1;
	attr->comm = 1;
	attr->comm_exec = 1;
	attr->task = 1;
	attr->sample_id_all = 1;
	/* Times comparable across CPUs, so records can be merged in order. */
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
	attr->watermark = 1;
	attr->wakeup_watermark = 0; /* set by the caller from the ring size */
}

int
event_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return event_open_flags(attr, pid, cpu, 0);
}

int
event_open_flags(struct perf_event_attr *attr, pid_t pid, int cpu,
		 unsigned long flags)
{
	long fd = syscall(SYS_perf_event_open, attr, pid, cpu, -1,
			  PERF_FLAG_FD_CLOEXEC | flags);

	return fd < 0 ? -errno : (int)fd;
}

int
event_online_cpus(int **cpus)
{
	FILE *fp = fopen("/sys/devices/system/cpu/online", "re");
	int n = 0, cap = 0, a, b;
	char sep;

	*cpus = NULL;
	if (!fp) {
		/* No sysfs: assume CPUs 0 .. nprocs-1 are online. */
		long np = sysconf(_SC_NPROCESSORS_ONLN);

		*cpus = xcalloc((size_t)(np > 0 ? np : 1), sizeof(int));
		for (n = 0; n < (np > 0 ? np : 1); n++)
			(*cpus)[n] = n;
		return n;
	}
	/* Format: "0-3,5,7-8\n". */
	while (fscanf(fp, "%d", &a) == 1) {
		b = a;
		sep = (char)fgetc(fp);
		if (sep == '-') {
			if (fscanf(fp, "%d", &b) != 1)
				break;
			sep = (char)fgetc(fp);
		}
		for (; a <= b; a++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				*cpus = xreallocarray(*cpus, (size_t)cap,
						      sizeof(int));
			}
			(*cpus)[n++] = a;
		}
		if (sep != ',')
			break;
	}
	fclose(fp);
	return n;
}

/* ---- opening events ---------------------------------------------------- */

static size_t
sampler_min_ring_pages(const struct sampler *s)
{
	return s->scope == SCOPE_CPU ? DEFAULT_CPU_RING_PAGES
				     : DEFAULT_THREAD_RING_PAGES;
}

/*
 * Samples with a stack copy are big: a ring must hold a quarter of a second
 * of them at the full rate of one CPU (up to DWARF_RING_BYTES), or samples
 * are lost between two passes. Halved when the kernel refuses to lock so
 * much memory for an unprivileged user (kernel.perf_event_mlock_kb).
 */
static size_t
sampler_ring_pages(const struct sampler *s)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = sampler_min_ring_pages(s);
	uint64_t want;

	if (s->opts.ring_pages)
		return s->opts.ring_pages;
	if (s->stack_bytes) {
		want = (uint64_t)s->opts.freq_hz * (s->stack_bytes + 1536) / 4;
		if (want > DWARF_RING_BYTES)
			want = DWARF_RING_BYTES;
		while ((uint64_t)pages * page < want)
			pages *= 2;
	}
	/* --off-cpu: a sample at every switch; a server switches tens of
	 * thousands of times a second (README, "Off-CPU time"). */
	if (s->opts.off_cpu)
		while ((uint64_t)pages * page < OFFCPU_RING_BYTES)
			pages *= 2;
	pages >>= s->ring_shrink;
	return pages < sampler_min_ring_pages(s) ? sampler_min_ring_pages(s)
						 : pages;
}

/*
 * Take an event fd for CPU slot idx. The first event of a CPU gets the ring
 * buffer; later ones (other threads, thread scope) write into it through
 * PERF_EVENT_IOC_SET_OUTPUT, as rings can only be shared on one CPU.
 */
static int
sampler_add_event(struct sampler *s, int fd, size_t idx, struct scorch_err *err)
{
	struct ring *r = &s->rings[idx];
	int ret;

	if (s->nfds == s->fds_cap) {
		s->fds_cap = s->fds_cap ? s->fds_cap * 2 : 16;
		s->fds = xreallocarray(s->fds, s->fds_cap, sizeof(*s->fds));
	}
	s->fds[s->nfds++] = fd;
	while (!r->base) {
		size_t pages = sampler_ring_pages(s);

		ret = ring_open(r, fd, pages, err);
		if (ret != -EPERM || pages <= sampler_min_ring_pages(s) ||
		    s->opts.ring_pages)
			return ret;
		s->ring_shrink++;
	}
	if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) < 0) {
		ret = -errno;
		err_set(err, "cannot share a perf ring buffer: %s",
			strerror(errno));
		return ret;
	}
	return 0;
}

void
sampler_close_events(struct sampler *s)
{
	size_t i;

	for (i = 0; i < s->ncpus; i++)
		ring_close(&s->rings[i]);
	for (i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	s->nfds = 0;
	s->jit.n = 0; /* their copies in the jitter's list */
}

/* The attr of every event of the recording; its format is what records
 * are decoded by (decode.c). */
static int
sampler_attr(struct sampler *s, struct perf_event_attr *attr,
	     struct scorch_err *err)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	event_attr_init(attr, &s->spec, s->opts.freq_hz, s->kernel, s->scope);
	attr->wakeup_watermark = (uint32_t)(sampler_ring_pages(s) * page / 4);
	attr->sample_max_stack = (uint16_t)s->max_stack;
	attr->sample_type |= s->opts.sample_type_extra;
	/* --off-cpu: two events write one ring; a sample says whose. */
	if (s->opts.off_cpu)
		attr->sample_type |= PERF_SAMPLE_IDENTIFIER;
	if (s->regs_mask) {
		attr->sample_type |= PERF_SAMPLE_REGS_USER;
		attr->sample_regs_user = s->regs_mask;
	}
	if (s->stack_bytes) {
		attr->sample_type |= PERF_SAMPLE_STACK_USER;
		attr->sample_stack_user = s->stack_bytes;
	}
	/* dwarf: the kernel's callchain is only wanted for kernel frames. */
	if (s->opts.callgraph == CALLGRAPH_DWARF)
		attr->exclude_callchain_user = 1;
	if (decode_format_init(&s->fmt, attr) < 0) {
		err_set(err, "cannot decode records of sample_type %#llx",
			(unsigned long long)attr->sample_type);
		return -EINVAL;
	}
	return 0;
}

/*
 * --off-cpu: the context-switch event (offcpu.c) on CPU slot idx for pid
 * (a task, inherited by the threads and processes it starts; -1 or a
 * cgroup fd with flags: every task of the CPU), into that CPU's ring.
 * A task's own event samples only its switches; a CPU's samples every
 * task's, so it is opened only where every task is wanted (-a, --cgroup).
 */
static int
sampler_open_offcpu(struct sampler *s, const struct perf_event_attr *cpu,
		    pid_t pid, size_t idx, unsigned long flags,
		    struct scorch_err *err)
{
	struct perf_event_attr attr;
	int fd, ret;

	if (!s->opts.off_cpu)
		return 0;
	offcpu_attr(s, cpu, &attr);
	attr.inherit = pid > 0 && !flags;
	fd = event_open_flags(&attr, pid, s->cpus[idx], flags);
	if (fd < 0) {
		if (fd == -ESRCH)
			return fd;
		if (fd == -ENODEV)
			return 0; /* the CPU went offline */
		err_set(err,
			"--off-cpu: cannot open a context-switches event "
			"on cpu %d: %s",
			s->cpus[idx], strerror(-fd));
		return fd;
	}
	ret = sampler_add_event(s, fd, idx, err);
	if (ret < 0)
		return ret;
	return offcpu_note_event(s, fd, err);
}

/* Explain a perf_event_open failure in a user's words. */
static void
sampler_open_error(struct sampler *s, int ret, const char *what,
		   struct scorch_err *err)
{
	if (ret == -ENOENT || ret == -EOPNOTSUPP || ret == -ENODEV)
		err_set(err,
			"event '%s' is not supported on this machine%s; "
			"use -e cpu-clock",
			s->spec.name,
			s->spec.type == PERF_TYPE_HARDWARE
				? " (no hardware performance counters)"
				: "");
	else if (ret == -EACCES || ret == -EPERM)
		err_set(err,
			"%s: permission denied opening perf events; run as "
			"root, grant CAP_PERFMON, or lower "
			"kernel.perf_event_paranoid",
			what);
	else if (ret == -EMFILE)
		err_set(err,
			"%s: too many open files; raise the limit with "
			"'ulimit -n'",
			what);
	else
		err_set(err, "%s: perf_event_open: %s", what, strerror(-ret));
}

/*
 * What the per-CPU events watch: every task (pid -1), or with --cgroup
 * the cgroup's (its directory's fd, PERF_FLAG_PID_CGROUP; the event keeps
 * the cgroup, the fd is closed once they are open). *what names it.
 */
static int
sampler_cpu_target(struct sampler *s, char *what, size_t size,
		   struct scorch_err *err)
{
	char dir[PATH_MAX];
	int fd;

	snprintf(what, size, "%s", s->opts.system_wide ? "-a" : "cpu");
	if (!s->opts.cgroup)
		return -1;
	if (sampler_cgroup_dir(s->opts.cgroup, dir, sizeof(dir), err) < 0)
		return -ENOENT;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err_set(err, "--cgroup %s: %s: %s", s->opts.cgroup, dir,
			strerror(errno));
		return -errno;
	}
	snprintf(what, size, "--cgroup %s", s->opts.cgroup);
	return fd;
}

/* One event per online CPU, for every task (or a cgroup's); samples are
 * filtered by pid. */
int
sampler_open_cpu(struct sampler *s, struct scorch_err *err)
{
	struct perf_event_attr attr;
	char what[256];
	size_t i;
	int fd, ret, target;

	ret = sampler_attr(s, &attr, err);
	if (ret < 0)
		return ret;
	target = sampler_cpu_target(s, what, sizeof(what), err);
	if (target < -1)
		return target;
	for (i = 0, ret = 0; i < s->ncpus && ret >= 0; i++) {
		fd = event_open_flags(&attr, target, s->cpus[i],
				      target >= 0 ? PERF_FLAG_PID_CGROUP : 0);
		if (fd == -ENODEV)
			continue; /* went offline meanwhile */
		if (fd < 0 && target >= 0 && fd != -EACCES && fd != -EPERM) {
			err_set(err,
				"%s: the kernel cannot sample this cgroup: %s",
				what, strerror(-fd));
			ret = fd;
		} else if (fd < 0) {
			if (!strcmp(what, "cpu") || !strcmp(what, "-a"))
				snprintf(what, sizeof(what), "%s%scpu %d",
					 s->opts.system_wide ? "-a" : "",
					 s->opts.system_wide ? ": " : "",
					 s->cpus[i]);
			sampler_open_error(s, fd, what, err);
			ret = fd;
		} else {
			ret = sampler_add_event(s, fd, i, err);
			if (ret >= 0)
				jitter_note_fd(s, fd);
			if (ret >= 0 && (s->opts.system_wide || s->opts.cgroup))
				ret = sampler_open_offcpu(
					s, &attr, target, i,
					target >= 0 ? PERF_FLAG_PID_CGROUP : 0,
					err);
		}
	}
	if (target >= 0)
		close(target);
	return ret < 0 ? ret : 0;
}

/*
 * Open inherited events on one thread, one per CPU (the kernel maps no
 * ring for an inherited event that follows a task across CPUs): the CPU
 * event in thread scope, and --off-cpu's context-switch event in either
 * (in cpu scope the only per-thread one, writing into the CPU's ring).
 * Returns -ESRCH when the thread is gone.
 */
int
sampler_open_thread(struct sampler *s, pid_t tid, bool on_exec,
		    struct scorch_err *err)
{
	struct perf_event_attr attr;
	bool cs_only = s->scope == SCOPE_CPU;
	size_t i;
	int fd, ret;

	ret = sampler_attr(s, &attr, err);
	if (ret < 0)
		return ret;
	if (on_exec)
		attr.enable_on_exec = 1;
	else
		attr.disabled = 0;
	for (i = 0; i < s->ncpus; i++) {
		if (cs_only) {
			if (!s->rings[i].base)
				continue; /* no CPU event there: offline */
			ret = sampler_open_offcpu(s, &attr, tid, i, 0, err);
			if (ret < 0)
				return ret;
			continue;
		}
		fd = event_open(&attr, tid, s->cpus[i]);
		if (fd == -ENODEV)
			continue;
		if (fd == -ESRCH)
			return fd;
		if (fd < 0) {
			char what[32];

			snprintf(what, sizeof(what), "thread %d", (int)tid);
			sampler_open_error(s, fd, what, err);
			return fd;
		}
		ret = sampler_add_event(s, fd, i, err);
		if (ret >= 0)
			ret = sampler_open_offcpu(s, &attr, tid, i, 0, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int
pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Open events on every thread of pid. Threads started by a thread we
 * already watch inherit its event; threads started by one we have not
 * reached yet are found by scanning /proc again until nothing is new.
 * A thread that exits before we reach it is counted, not fatal.
 */
int
sampler_attach_threads(struct sampler *s, pid_t pid, struct scorch_err *err)
{
	pid_t *done = NULL;
	size_t ndone = 0, cap = 0;
	char path[64];
	int round, ret = 0;
	bool fresh = true;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (round = 0; fresh && round < 100; round++) {
		struct dirent *de;
		DIR *dir = opendir(path);

		fresh = false;
		if (!dir)
			break; /* the process exited; pidfd tells the rest */
		while ((de = readdir(dir))) {
			pid_t tid;

			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			tid = (pid_t)atoi(de->d_name);
			if (ndone &&
			    bsearch(&tid, done, ndone, sizeof(*done), pid_cmp))
				continue;
			ret = sampler_open_thread(s, tid, false, err);
			if (ret == -ESRCH) {
				s->stats.skipped_threads++;
				ret = 0;
			} else if (ret < 0) {
				closedir(dir);
				goto out;
			}
			if (ndone == cap) {
				cap = cap ? cap * 2 : 64;
				done = xreallocarray(done, cap, sizeof(*done));
			}
			done[ndone++] = tid;
			qsort(done, ndone, sizeof(*done), pid_cmp);
			fresh = true;
		}
		closedir(dir);
	}
out:
	free(done);
	return ret;
}

void
sampler_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

void
sampler_enable(struct sampler *s, bool on)
{
	size_t i;

	for (i = 0; i < s->nfds; i++)
		ioctl(s->fds[i],
		      on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0);
}

/* One try at opening the events of the scope and kernel choice made. */
static int
sampler_open_scope(struct sampler *s, struct scorch_err *err)
{
	size_t i;
	int ret = 0;

	if (s->scope == SCOPE_CPU) {
		ret = sampler_open_cpu(s, err);
		/* --off-cpu of -p, --tid or a command: per-CPU CPU events,
		 * per-thread context-switch events (sampler_open_offcpu) */
		if (ret < 0 || !s->opts.off_cpu || s->opts.system_wide ||
		    s->opts.cgroup)
			return ret;
	}
	/* --tid: the threads alone (threads they start inherit the event;
	 * their samples are dropped by tid). */
	for (i = 0; i < s->opts.ntids && ret >= 0; i++) {
		ret = sampler_open_thread(s, s->opts.tids[i], false, err);
		if (ret == -ESRCH)
			err_set(err, "tid %d: has exited",
				(int)s->opts.tids[i]);
	}
	for (i = 0; i < s->opts.npids && ret >= 0; i++)
		ret = sampler_attach_threads(s, s->opts.pids[i], err);
	if (ret >= 0 && s->child)
		ret = sampler_open_thread(s, s->child, true, err);
	return ret;
}

int
sampler_open_events(struct sampler *s, struct scorch_err *err)
{
	enum sampler_scope want = s->opts.scope;
	int ret;

	/* Per-CPU events where we may; otherwise per-thread (see above).
	 * -a and --cgroup are per-CPU or nothing. */
	if ((s->opts.system_wide || s->opts.cgroup) && want == SCOPE_THREAD) {
		err_set(err, "%s: needs per-CPU events; drop --scope thread",
			s->opts.system_wide ? "-a" : "--cgroup");
		return -EINVAL;
	}
	if (s->opts.system_wide || s->opts.cgroup)
		want = SCOPE_CPU;
	s->scope = want == SCOPE_AUTO ? SCOPE_CPU : want;
	for (;;) {
		ret = sampler_open_scope(s, err);
		if (ret >= 0)
			break;
		sampler_close_events(s);
		if ((ret == -EACCES || ret == -EPERM) && s->kernel) {
			/* Unprivileged: user stacks are still worth having. */
			s->kernel = false;
			continue;
		}
		if ((ret == -EACCES || ret == -EPERM) &&
		    s->scope == SCOPE_CPU && want == SCOPE_AUTO) {
			s->scope = SCOPE_THREAD;
			s->kernel = true;
			continue;
		}
		return ret;
	}
	if (s->scope == SCOPE_CPU)
		sampler_enable(s, true);
	return 0;
}
