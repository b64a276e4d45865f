/* SPDX-License-Identifier: MIT */
/*
 * sampler/sampler.c - a recording from start to end: setting it up, the
 * loop that runs the passes (passes.c) until the targets are gone or time
 * is up, and what it hands back.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"

#define POLL_MS 100 /* longest wait between passes */

static double
ts_elapsed(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * dwarf: every sample carries the user registers and a copy of the user
 * stack, unwound by CFI. fp: the kernel walks frame pointers, and a few
 * registers and a small copy let a frameless leaf's caller be found by CFI.
 */
static void
sampler_set_stack_mode(struct sampler *s)
{
	if (s->opts.callgraph == CALLGRAPH_DWARF) {
		s->regs_mask = UNWIND_REGS_ALL;
		s->stack_bytes = s->opts.stack_bytes ? s->opts.stack_bytes
						     : SAMPLER_STACK_BYTES;
	} else {
		s->regs_mask = UNWIND_REGS_LEAF;
		s->stack_bytes = LEAF_STACK_BYTES;
	}
	s->stack_bytes = (s->stack_bytes + 7) & ~7u;
	if (s->stack_bytes > SAMPLER_MAX_STACK_BYTES)
		s->stack_bytes = SAMPLER_MAX_STACK_BYTES;
	/* A switch-out sample is taken at every switch: a smaller copy
	 * (README, "Off-CPU time"), unless -g dwarf,SIZE asked for less. */
	s->offcpu_stack_bytes = s->stack_bytes < SAMPLER_OFFCPU_STACK_BYTES
					? s->stack_bytes
					: SAMPLER_OFFCPU_STACK_BYTES;
	if (s->opts.off_cpu_stack_bytes && s->opts.callgraph == CALLGRAPH_DWARF)
		s->offcpu_stack_bytes = (s->opts.off_cpu_stack_bytes + 7) & ~7u;
	if (s->offcpu_stack_bytes > SAMPLER_MAX_STACK_BYTES)
		s->offcpu_stack_bytes = SAMPLER_MAX_STACK_BYTES;
}

uint64_t
sampler_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Options with their defaults, the tables, the unwinder and the CPUs. */
static int
sampler_setup(struct sampler *s, const struct record_opts *opts,
	      struct scorch_err *err)
{
	int *cpus, n;

	s->opts = *opts;
	if (!s->opts.freq_hz)
		s->opts.freq_hz = 99;
	if (!s->opts.event)
		s->opts.event = "cpu-clock";
	if (event_lookup(s->opts.event, &s->spec, err) < 0)
		return -EINVAL;
	jitter_init(s);
	s->stacks = stack_table_new();
	s->maps = map_set_new();
	s->mods = module_table_new();
	s->tasks = task_table_new();
	intmap_init(&s->offcpu_ids);
	intmap_init(&s->offcpu_tasks);
	sampler_set_stack_mode(s);
	s->uw_ops = unwind_backend(s->opts.unwinder);
	s->uw = s->uw_ops->new (s->maps, s->mods);
	s->stats.unwind_mismatches = -1;
	if (s->opts.unwind_check && s->uw_ops->set_check)
		s->uw_ops->set_check(s->uw, true);
	strbuf_init(&s->cmdlines);
	s->kernel = true;
	s->max_stack = event_max_stack();
	sampler_raise_nofile();
	n = event_online_cpus(&cpus);
	s->cpus = cpus;
	s->ncpus = (size_t)n;
	s->rings = xcalloc(s->ncpus ? s->ncpus : 1, sizeof(*s->rings));
	s->hup = xcalloc(s->ncpus ? s->ncpus : 1, sizeof(*s->hup));
	return 0;
}

/* What the recording is, for the stats: known once the events are open. */
static void
sampler_init_stats(struct sampler *s)
{
	s->stats.scope = s->scope;
	s->stats.kernel = s->kernel;
	s->stats.period_ns =
		s->spec.is_clock ? 1000000000ULL / s->opts.freq_hz : 0;
	s->stats.stack_bytes = s->stack_bytes;
	s->stats.unwinder = s->uw_ops == &unwind_libdw_ops ? UNWINDER_LIBDW
			    : s->uw_ops == &unwind_libdwfl_ops
				    ? UNWINDER_LIBDWFL
				    : UNWINDER_LIBUNWIND;
}

struct sampler *
sampler_new(const struct record_opts *opts, struct scorch_err *err)
{
	struct sampler *s = xcalloc(1, sizeof(*s));

	s->child_go = -1;
	s->child_status_fd = -1;
	if (sampler_setup(s, opts, err) < 0 ||
	    sampler_add_targets(s, err) < 0 || sampler_open_events(s, err) < 0)
		goto out_free;
	sampler_init_stats(s);
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	s->start_ns = sampler_now_ns();
	jitter_start(s, s->start_ns);
	if (sampler_start_child(s, err) < 0)
		goto out_free;
	return s;

out_free:
	sampler_free(s);
	return NULL;
}

/* ---- recording --------------------------------------------------------- */

/* The poll set: every CPU's ring still open, every target's pidfd;
 * returns how many entries, the pidfds' from *base. */
static size_t
sampler_poll_set(struct sampler *s, struct pollfd *pfd, size_t *base)
{
	size_t i;

	for (i = 0; i < s->ncpus; i++) {
		pfd[i].fd =
			s->hup[i] || !s->rings[i].base ? -1 : s->rings[i].fd;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	*base = s->ncpus;
	for (i = 0; i < s->npids; i++) {
		pfd[*base + i].fd = s->pidfds[i] >= 0 ? s->pidfds[i] : -1;
		pfd[*base + i].events = POLLIN;
		pfd[*base + i].revents = 0;
	}
	return *base + s->npids;
}

/* How long to wait for records: POLL_MS at most, less when the duration
 * ends sooner or the period is due to change (sampler/jitter.c). */
static struct timespec
sampler_timeout(const struct sampler *s, double elapsed)
{
	uint64_t ns = POLL_MS * 1000000ULL;
	int64_t jit = jitter_wait_ns(s, sampler_now_ns());
	struct timespec ts;

	if (s->opts.duration_s > 0) {
		double left = s->opts.duration_s - elapsed;

		if (left * 1e9 < (double)ns)
			ns = left > 0 ? (uint64_t)(left * 1e9) + 1000000 : 0;
	}
	if (jit >= 0 && (uint64_t)jit < ns)
		ns = (uint64_t)jit;
	ts.tv_sec = (time_t)(ns / 1000000000ULL);
	ts.tv_nsec = (long)(ns % 1000000000ULL);
	return ts;
}

/* Stop the events, drain what they wrote, settle deferred records;
 * threads still off CPU were off until now. */
static void
sampler_end(struct sampler *s)
{
	uint64_t end_ns = sampler_now_ns();

	sampler_enable(s, false);
	jitter_finish(s);
	sampler_pass(s);
	sampler_pass(s);
	if (s->opts.off_cpu)
		offcpu_finish(s, end_ns);
	s->stats.elapsed_s = ts_elapsed(&s->start);
	s->stats.unwind_ns_median = sampler_unwind_quantile(s, 0.5);
	s->stats.unwind_ns_p99 = sampler_unwind_quantile(s, 0.99);
	if (s->opts.unwind_check && s->uw_ops->mismatches)
		s->stats.unwind_mismatches = (int64_t)s->uw_ops->mismatches(
			s->uw, &s->stats.unwind_checked);
}

int
sampler_run(struct sampler *s, struct scorch_err *err)
{
	struct pollfd *pfd = xcalloc(s->ncpus + s->npids + 1, sizeof(*pfd));
	double elapsed = 0, next_progress = 0.25;
	int ret = 0;

	for (;;) {
		size_t i, n, base;
		struct timespec timeout = sampler_timeout(s, elapsed);
		bool stop = false;

		n = sampler_poll_set(s, pfd, &base);
		if (ppoll(pfd, n, &timeout, NULL) < 0 && errno != EINTR) {
			err_set(err, "poll: %s", strerror(errno));
			ret = -1;
			stop = true;
		}
		jitter_tick(s, sampler_now_ns());
		for (i = 0; i < s->ncpus; i++)
			if (pfd[i].revents & (POLLHUP | POLLERR))
				s->hup[i] = true;
		if (sampler_targets_gone(s, pfd, base)) {
			s->stats.targets_exited = true;
			stop = true;
		}
		sampler_pass(s);
		elapsed = ts_elapsed(&s->start);
		s->stats.elapsed_s = elapsed;
		if (s->opts.stop && *s->opts.stop)
			stop = true;
		if (s->opts.duration_s > 0 && elapsed >= s->opts.duration_s)
			stop = true;
		if (s->opts.progress && elapsed >= next_progress) {
			s->opts.progress(s, s->opts.progress_arg);
			next_progress = elapsed + 0.25;
		}
		if (stop)
			break;
	}
	sampler_end(s);
	free(pfd);
	return ret;
}

void
sampler_free(struct sampler *s)
{
	size_t i;

	if (!s)
		return;
	sampler_drop_child(s);
	if (s->rings)
		sampler_close_events(s);
	for (i = 0; i < s->npids; i++)
		if (s->pidfds[i] >= 0)
			close(s->pidfds[i]);
	free(s->rings);
	free(s->hup);
	free(s->fds);
	free(s->cpus);
	free(s->pidfds);
	free(s->pids);
	if (s->uw)
		s->uw_ops->free(s->uw);
	stack_table_free(s->stacks);
	map_set_free(s->maps);
	module_table_free(s->mods);
	task_table_free(s->tasks);
	if (s->cmdlines.buf)
		strbuf_fini(&s->cmdlines);
	pass_free(&s->cur);
	pass_free(&s->next);
	offcpu_free(s);
	jitter_free(s);
	free(s);
}

const struct sampler_stats *
sampler_stats(const struct sampler *s)
{
	return &s->stats;
}

pid_t
sampler_child(const struct sampler *s)
{
	return s->child;
}

int
sampler_wait_child(struct sampler *s)
{
	int status;

	if (!s->child)
		return 0;
	if (!s->child_reaped) {
		while (waitpid(s->child, &status, 0) < 0) {
			if (errno != EINTR)
				return 127;
		}
		s->child_reaped = true;
		s->child_status = WIFEXITED(status) ? WEXITSTATUS(status)
						    : 128 + WTERMSIG(status);
	}
	return s->child_status;
}

void
sampler_signal_child(struct sampler *s, int sig)
{
	if (s->child && !s->child_reaped)
		kill(s->child, sig);
}

size_t
sampler_nstacks(const struct sampler *s)
{
	return stack_table_len(s->stacks);
}

const struct addr_stack *
sampler_stack(const struct sampler *s, size_t idx)
{
	return stack_table_get(s->stacks, idx);
}

const struct addr_module *
sampler_module(const struct sampler *s, uint32_t id)
{
	return module_table_at(s->mods, id);
}

size_t
sampler_nmodules(const struct sampler *s)
{
	return module_table_len(s->mods);
}

const char *
sampler_comm(const struct sampler *s, pid_t pid)
{
	return task_table_comm(s->tasks, pid);
}

const char *
sampler_thread_name(const struct sampler *s, pid_t tid)
{
	return task_table_comm(s->tasks, tid);
}

const char *
sampler_stack_comm(const struct sampler *s, const struct addr_stack *st)
{
	return task_table_comm_at(s->tasks, st->pid, st->pid, st->image);
}

const char *
sampler_stack_thread(const struct sampler *s, const struct addr_stack *st)
{
	return task_table_comm_at(s->tasks, st->pid, st->tid, st->image);
}

const char *
sampler_cmdlines(const struct sampler *s)
{
	return s->cmdlines.buf;
}
