/* SPDX-License-Identifier: MIT */
/*
 * sampler/offcpu.c - `record --off-cpu`: where target threads wait, and for
 * how long, without tracefs or BPF.
 *
 * Beside the CPU event, a software context-switches event with
 * sample_period 1 is opened on every target thread (inherited, in both
 * scopes: a per-CPU one would sample every task's switches; per CPU only
 * for -a and --cgroup), with the same sample_type: the kernel samples
 * it in the task that is leaving the CPU, before the switch, so its
 * callchain holds the kernel's path into schedule() (futex_wait,
 * pipe_read, do_nanosleep) and its user registers and stack copy are the
 * thread's own, unwound as CPU samples are. The event also asks for
 * context_switch records (PERF_RECORD_SWITCH, or _SWITCH_CPU_WIDE per CPU):
 * a switch-out record right after the sample says whether the task was
 * preempted (still runnable) or blocked, and the switch-in record gives
 * the time it came back. The stack's weight is switch-in minus the
 * sample's time. PERF_SAMPLE_IDENTIFIER tells the two events' samples
 * apart (an inherited event reports its parent's id).
 *
 * Every switch is counted in one of the sampler_stats off_cpu_* counters
 * (sampler.h), so a lost record is reported, never silently dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../common/common.h"
#include "internal.h"

/* One target thread's switch state. */
struct offcpu_task {
	pid_t pid;
	size_t stack;	   /* its switch-out stack, or SIZE_MAX: unknown */
	uint64_t out_ns;   /* when it left the CPU; 0: it is on CPU */
	bool preempt;	   /* it left runnable (SWITCH_OUT_PREEMPT) */
	bool out_sampled;  /* the switch-out sample was seen */
	bool exited;	   /* its EXIT record was seen: its last switch */
	bool seen_running; /* it was seen on CPU (or born) while recording */
	bool born;	   /* FORK seen, not yet on CPU: no time to weigh */
};

void
offcpu_attr(const struct sampler *s, const struct perf_event_attr *cpu,
	    struct perf_event_attr *attr)
{
	*attr = *cpu;
	attr->type = PERF_TYPE_SOFTWARE;
	attr->config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	attr->freq = 0;
	attr->sample_period = 1; /* every switch-out */
	attr->context_switch = 1;
	/* The switch happens in the kernel: a software event that excluded
	 * it would never count; kernel frames follow the kernel choice. */
	attr->exclude_kernel = 0;
	attr->exclude_callchain_kernel = !s->kernel;
	/* The CPU event's records carry maps, names and tasks already. */
	attr->mmap = 0;
	attr->mmap2 = 0;
	attr->comm = 0;
	attr->comm_exec = 0;
	attr->task = 0;
	if (s->stack_bytes && s->offcpu_stack_bytes)
		attr->sample_stack_user = s->offcpu_stack_bytes;
}

int
offcpu_note_event(struct sampler *s, int fd, struct scorch_err *err)
{
	uint64_t id;

	if (ioctl(fd, PERF_EVENT_IOC_ID, &id) < 0) {
		err_set(err, "--off-cpu: cannot read a perf event's id: %s",
			strerror(errno));
		return -errno;
	}
	intmap_put(&s->offcpu_ids, id, (void *)1);
	return 0;
}

bool
offcpu_is_sample(const struct sampler *s, uint64_t id)
{
	return s->opts.off_cpu && intmap_get(&s->offcpu_ids, id) != NULL;
}

static struct offcpu_task *
offcpu_task(struct sampler *s, pid_t pid, pid_t tid)
{
	struct offcpu_task *t = intmap_get(&s->offcpu_tasks, (unsigned)tid);

	if (!t) {
		t = xcalloc(1, sizeof(*t));
		t->stack = SIZE_MAX;
		intmap_put(&s->offcpu_tasks, (unsigned)tid, t);
	}
	t->pid = pid;
	return t;
}

void
offcpu_sample(struct sampler *s, const struct perf_rec *pr, size_t stack)
{
	struct offcpu_task *t;

	/* A thread past its exit has no ids left (-1): its last switch. */
	if ((int32_t)pr->id.tid < 0)
		return;
	t = offcpu_task(s, (pid_t)pr->id.pid, (pid_t)pr->id.tid);
	if (t->exited)
		return; /* an exiting thread's last switch: it never returns */
	s->stats.off_cpu_samples++;
	if (t->out_ns)
		s->stats.off_cpu_no_switch_in++; /* its switch-in was lost */
	t->stack = stack;
	t->out_ns = pr->id.time;
	t->preempt = false;
	t->out_sampled = true;
	t->seen_running = true;
	t->born = false;
}

/* Weigh ns of off-CPU time of t (tid) under its stack, or [unknown]. */
static void
offcpu_weigh(struct sampler *s, struct offcpu_task *t, pid_t tid, uint64_t ns)
{
	size_t idx = t->stack;
	uint32_t image = task_table_image(s->tasks, t->pid);
	int seen;

	if (idx == SIZE_MAX) {
		idx = stack_table_add(
			s->stacks, t->pid, tid, image, NULL, NULL, 0, 0,
			STACK_BROKEN | (t->preempt ? STACK_PREEMPTED : 0), 0);
	} else if (t->preempt) {
		/* The same stack with a [preempted] leaf: copy it first,
		 * since adding may move the table's arrays. */
		const struct addr_stack *a = stack_table_get(s->stacks, idx);
		uint32_t n = a->nkernel + a->nuser;

		if (n)
			memcpy(s->ips, a->ips, n * sizeof(*a->ips));
		if (a->nuser)
			memcpy(s->umods, a->modules,
			       a->nuser * sizeof(*a->modules));
		idx = stack_table_add(s->stacks, a->pid, a->tid, a->image,
				      s->ips, s->umods, a->nkernel, a->nuser,
				      a->flags | STACK_PREEMPTED, 0);
	}
	stack_table_add_off_cpu(s->stacks, idx, ns);
	s->stats.off_cpu_ns += ns;
	if (t->preempt)
		s->stats.off_cpu_preempted_ns += ns;
	seen = task_table_seen(s->tasks, t->pid, tid);
	if (seen & TASK_NEW_THREAD)
		s->stats.threads++;
	if (seen & TASK_NEW_PROCESS)
		s->stats.processes++;
}

/* The thread came back at time now: weigh the time since it left. */
static void
offcpu_switch_in(struct sampler *s, struct offcpu_task *t, pid_t tid,
		 uint64_t now)
{
	if (t->out_ns && now >= t->out_ns) {
		if (t->out_sampled)
			s->stats.off_cpu_switches++;
		else
			s->stats.off_cpu_unmatched++; /* sample lost */
		offcpu_weigh(s, t, tid, now - t->out_ns);
	} else if (!t->seen_running && s->start_ns && now > s->start_ns) {
		/* Off CPU since before the recording: from its start. */
		s->stats.off_cpu_before++;
		t->stack = SIZE_MAX;
		t->preempt = false;
		offcpu_weigh(s, t, tid, now - s->start_ns);
	} else if (t->born) {
		/* A new thread's first time on CPU. */
	} else if (t->seen_running) {
		/* Neither the switch-out sample nor its record. */
		s->stats.off_cpu_unmatched++;
	}
	t->out_ns = 0;
	t->out_sampled = false;
	t->stack = SIZE_MAX;
	t->preempt = false;
	t->seen_running = true;
	t->born = false;
}

void
offcpu_switch(struct sampler *s, const struct perf_rec *pr)
{
	pid_t tid = (pid_t)pr->id.tid;
	struct offcpu_task *t;

	if (tid < 0)
		return; /* past its exit (see offcpu_sample) */
	t = offcpu_task(s, (pid_t)pr->id.pid, tid);
	if (t->exited)
		return;
	if (!pr->switch_.out) {
		offcpu_switch_in(s, t, tid, pr->id.time);
		return;
	}
	if (!t->out_sampled || !t->out_ns) {
		/* The sample before this record was lost: the time is
		 * known, the stack is not. */
		t->stack = SIZE_MAX;
		t->out_ns = pr->id.time;
		t->out_sampled = false;
	}
	t->preempt = pr->switch_.preempt;
	t->seen_running = true;
}

void
offcpu_fork(struct sampler *s, pid_t pid, pid_t tid)
{
	struct offcpu_task *t = offcpu_task(s, pid, tid);

	/* A new thread (or a reused tid): it starts by switching in. */
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->stack = SIZE_MAX;
	t->seen_running = true;
	t->born = true;
}

void
offcpu_exit(struct sampler *s, pid_t tid)
{
	struct offcpu_task *t = intmap_get(&s->offcpu_tasks, (unsigned)tid);

	if (t) {
		t->exited = true;
		t->out_ns = 0;
	}
}

void
offcpu_finish(struct sampler *s, uint64_t end_ns)
{
	size_t i;

	for (i = 0; i < s->offcpu_tasks.nslots; i++) {
		struct offcpu_task *t = s->offcpu_tasks.slots[i].value;

		if (!t || t->exited || !t->out_ns || end_ns <= t->out_ns)
			continue;
		s->stats.off_cpu_open++;
		offcpu_weigh(s, t, (pid_t)s->offcpu_tasks.slots[i].key,
			     end_ns - t->out_ns);
		t->out_ns = 0;
	}
}

void
offcpu_free(struct sampler *s)
{
	size_t i;

	for (i = 0; i < s->offcpu_tasks.nslots; i++)
		free(s->offcpu_tasks.slots[i].value);
	intmap_fini(&s->offcpu_tasks);
	intmap_fini(&s->offcpu_ids);
}
