/* SPDX-License-Identifier: MIT */
/*
 * cli/record_summary.c - what `scorch record` says when it has written its
 * output: a warning per thing that went wrong while recording, then one
 * line of samples, processes, threads, losses and the file written.
 */
#include <inttypes.h>
#include <string.h>

#include "../common/common.h"
#include "../sampler/sampler.h"
#include "../symbolize/symbolize.h"
#include "cli.h"

/*
 * Say why stacks are broken: a frame-pointer chain cut short, code without
 * CFI, or a process whose maps could not be read (nothing to unwind with).
 */
static void
record_summary_broken(const struct sampler_stats *st,
		      const struct record_opts *ro)
{
	if (st->broken > st->broken_nomaps && ro->callgraph == CALLGRAPH_FP)
		cli_warn("%" PRIu64
			 " samples (%.1f%%) have a frame-pointer chain "
			 "that stops short of the entry point or a thread "
			 "start (code built without frame pointers); their "
			 "callers are shown as [unknown] (use -g dwarf)",
			 st->broken - st->broken_nomaps,
			 100.0 * (double)(st->broken - st->broken_nomaps) /
				 (double)(st->samples ? st->samples : 1));
	else if (st->broken > st->broken_nomaps)
		cli_warn("%" PRIu64
			 " samples (%.1f%%) could not be unwound to their "
			 "root (code without CFI); their callers are shown "
			 "as [unknown]",
			 st->broken - st->broken_nomaps,
			 100.0 * (double)(st->broken - st->broken_nomaps) /
				 (double)(st->samples ? st->samples : 1));
	if (st->broken_nomaps && st->nomaps_pid)
		cli_warn("%" PRIu64 " samples (%.1f%%) are of a process whose "
			 "maps are unreadable (pid %d: /proc/%d/maps: %s; "
			 "record as its user or as root); their frames are "
			 "shown as [unknown]",
			 st->broken_nomaps,
			 100.0 * (double)st->broken_nomaps /
				 (double)(st->samples ? st->samples : 1),
			 (int)st->nomaps_pid, (int)st->nomaps_pid,
			 strerror(st->nomaps_errno));
	else if (st->broken_nomaps)
		cli_warn("%" PRIu64 " samples (%.1f%%) are of a process whose "
			 "maps are unknown; their frames are shown as "
			 "[unknown]",
			 st->broken_nomaps,
			 100.0 * (double)st->broken_nomaps /
				 (double)(st->samples ? st->samples : 1));
}

/*
 * The warnings of a recording (the symbolizer's, stacks cut short or
 * broken, throttling, corrupt records) and its one-line summary naming out.
 */
void
record_summary(const struct sampler *s, const struct symbolizer *sy,
	       const struct profile *p, const struct record_opts *ro,
	       const char *names, const char *out)
{
	const struct sampler_stats *st = sampler_stats(s);
	struct strbuf idle;
	uint64_t lost = st->lost + st->lost_samples;
	size_t i;

	for (i = 0; i < symbolizer_nwarnings(sy); i++)
		cli_warn("%s", symbolizer_warning(sy, i));
	if (!st->kernel)
		cli_warn("kernel stacks were not permitted; recorded user "
			 "stacks only");
	if (st->truncated)
		cli_warn("%" PRIu64 " stacks reached the kernel's depth limit "
			 "(kernel.perf_event_max_stack) and are marked "
			 "[truncated]",
			 st->truncated);
	if (st->copy_short)
		cli_warn("%" PRIu64 " samples (%.1f%%) have a user stack "
			 "deeper than the %" PRIu32 "-byte copy; they are "
			 "marked [truncated] (raise --stack-size)",
			 st->copy_short,
			 100.0 * (double)st->copy_short /
				 (double)(st->samples ? st->samples : 1),
			 st->stack_bytes);
	record_summary_broken(st, ro);
	if (st->throttled)
		cli_warn("the kernel throttled sampling %" PRIu64
			 " times; lower -F",
			 st->throttled);
	if (ro->off_cpu && (st->off_cpu_unmatched || st->off_cpu_no_switch_in))
		cli_warn("--off-cpu: %" PRIu64 " switch-ins came without their "
			 "switch-out sample (their time is under [unknown], "
			 "or not weighed when the switch-out record was lost "
			 "too) and %" PRIu64 " switch-out samples without "
			 "their switch-in (not weighed), of %" PRIu64
			 " switches (the kernel throttled or a ring was "
			 "full: raise -m)",
			 st->off_cpu_unmatched, st->off_cpu_no_switch_in,
			 st->off_cpu_samples + st->off_cpu_unmatched);
	if (ro->off_cpu)
		cli_info("off-CPU: %.1f s over %" PRIu64 " switches (%.1f s "
			 "preempted); %" PRIu64 " threads still off CPU at "
			 "the end, %" PRIu64 " off CPU since the start",
			 (double)st->off_cpu_ns / 1e9,
			 st->off_cpu_switches + st->off_cpu_unmatched +
				 st->off_cpu_open + st->off_cpu_before,
			 (double)st->off_cpu_preempted_ns / 1e9,
			 st->off_cpu_open, st->off_cpu_before);
	if (st->corrupt)
		cli_warn("%" PRIu64 " perf records were shorter than their "
			 "format and were skipped",
			 st->corrupt);
	strbuf_init(&idle);
	/* With samples lost, a target without any may still have run. */
	if (!lost)
		pidof_idle_targets(p, ro->pids, ro->npids, &idle);
	if (!st->samples && idle.len && !ro->argv) {
		cli_info("%s: 0 samples in %.1f s; wrote %s", idle.buf,
			 st->elapsed_s, out);
		strbuf_fini(&idle);
		return;
	}
	cli_info("%" PRIu64 " samples from %" PRIu64 " process%s, %" PRIu64
		 " thread%s in %.1f s (%s scope), %" PRIu64
		 " lost%s%s%s%s%s; wrote %s",
		 st->samples, st->processes, st->processes == 1 ? "" : "es",
		 st->threads, st->threads == 1 ? "" : "s", st->elapsed_s,
		 st->scope == SCOPE_CPU ? "cpu" : "thread", lost,
		 lost ? " (ring buffer full: lower -F or raise -m)" : "", names,
		 idle.len ? "; " : "", idle.buf, idle.len ? ": 0 samples" : "",
		 out);
	strbuf_fini(&idle);
}
