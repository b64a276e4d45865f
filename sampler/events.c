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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		/* A clock's period is nanoseconds of CPU time: exact rate. */
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
	long fd = syscall(SYS_perf_event_open, attr, pid, cpu, -1,
			  PERF_FLAG_FD_CLOEXEC);

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
