/* SPDX-License-Identifier: MIT */
/*
 * cli/record_profile.c - `scorch record`'s profile, built once the
 * recording has ended: the sampler's address stacks named by the
 * symbolizer (each unique address once) into a struct profile with its
 * frames, sites and modules, and the recording's metadata and labels.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../sampler/sampler.h"
#include "../symbolize/symbolize.h"
#include "cli.h"

/* The module of a symbolized frame into p's module table, once. */
static void
record_profile_module(struct profile *p, struct symbolizer *sy,
		      const struct sym_module *sm, const char *name)
{
	char hex[130];

	if (!*name || profile_module_find(p, name))
		return;
	symbolizer_module_build_id(sy, sm, hex);
	profile_add_module(p, name, sm->path, hex);
}

/*
 * Append the frames of a user frame of a stack to frames[] and their sites
 * to sites[]: its function and any calls inlined there, outermost first. A
 * return address is looked up at the call instruction (one byte before
 * it). Returns how many frames were appended.
 */
static uint32_t
record_profile_user_frames(struct profile *p, const struct sampler *s,
			   struct symbolizer *sy, const struct addr_stack *st,
			   uint32_t j, uint32_t *frames, uint32_t *sites)
{
	uint64_t at = st->ips[st->nkernel + j] - (j ? 1 : 0);
	uint32_t id = st->modules[j];
	const struct addr_module *mod;
	struct sym_module sm;
	struct sym sym[SYM_MAX_CHAIN];
	size_t i, n;

	/*
	 * Code in no file: JIT code, named by the process's perf map if it
	 * wrote one (at is then a raw address), or unknown.
	 */
	if (id == MODULE_NONE) {
		sites[0] = 0;
		if (symbolizer_jit(sy, st->pid, at, &sym[0]))
			frames[0] = profile_intern_frame(
				p, sym[0].name, sym[0].module, FRAME_JIT);
		else
			frames[0] = profile_intern_frame(p, "[unknown]", "",
							 FRAME_UNKNOWN);
		return 1;
	}
	mod = sampler_module(s, id);
	sm.id = id;
	sm.path = mod->path;
	sm.fd = mod->fd;
	sm.root_fd = mod->root_fd;
	/* Never the file now at path: it is not the one that ran. */
	sm.unreadable = mod->replaced ? "the file was replaced or deleted "
					"after the process mapped it, and "
					"the mapped one could not be read"
				      : NULL;
	n = symbolizer_module_user(sy, &sm, at, sym, SYM_MAX_CHAIN);
	record_profile_module(p, sy, &sm, sym[0].module);
	for (i = 0; i < n; i++) {
		sites[i] = profile_intern_site(p, at, sym[i].src_line);
		frames[i] =
			profile_intern_frame_src(p, sym[i].name, sym[i].module,
						 sym[i].inlined ? FRAME_INLINED
						 : sym[i].named ? FRAME_USER
								: FRAME_UNKNOWN,
						 sym[i].file, sym[i].line);
	}
	return (uint32_t)n;
}

/*
 * Turn the sampler's address stacks into a symbolic profile: each unique
 * address is named once (the symbolizer caches by module and offset), and
 * stacks are rewritten root first with the process name as the root. A
 * stack cut short gets a marker frame above the process name: [truncated]
 * when the kernel's depth limit or the stack copy ended it, [unknown] when
 * unwinding failed.
 */
void
record_profile_build(struct profile *p, const struct sampler *s,
		     struct symbolizer *sy)
{
	size_t i, n = sampler_nstacks(s), cap = 0;
	uint32_t *frames = NULL, *sites = NULL;

	for (i = 0; i < n; i++) {
		const struct addr_stack *st = sampler_stack(s, i);
		const char *comm = sampler_stack_comm(s, st);
		uint32_t task, depth = 0, j;

		if (!*comm)
			comm = sampler_stack_thread(s, st);
		if (!*comm)
			comm = "[unknown]";
		/* Each user frame may unfold into its inlined calls. */
		if (cap < (size_t)st->nkernel + st->nuser * SYM_MAX_CHAIN + 3) {
			cap = (size_t)st->nkernel + st->nuser * SYM_MAX_CHAIN +
			      3;
			frames = xreallocarray(frames, cap, sizeof(*frames));
			sites = xreallocarray(sites, cap, sizeof(*sites));
		}
		task = profile_add_task(p, st->pid, st->tid, comm,
					sampler_stack_thread(s, st));
		memset(sites, 0, cap * sizeof(*sites));
		frames[depth++] =
			profile_intern_frame(p, comm, "", FRAME_PROCESS);
		if (st->flags & (STACK_TRUNCATED | STACK_COPY_SHORT))
			frames[depth++] = profile_intern_frame(
				p, "[truncated]", "", FRAME_UNKNOWN);
		else if (st->flags & STACK_BROKEN)
			frames[depth++] = profile_intern_frame(
				p, "[unknown]", "", FRAME_UNKNOWN);
		for (j = st->nuser; j-- > 0;)
			depth += record_profile_user_frames(
				p, s, sy, st, j, frames + depth, sites + depth);
		for (j = st->nkernel; j-- > 0;) {
			struct sym sym;

			/* No site: a kernel address tells where KASLR put
			 * the kernel. */
			symbolizer_kernel(sy, j ? st->ips[j] - 1 : st->ips[j],
					  &sym);
			frames[depth++] = profile_intern_frame(
				p, sym.name, sym.module, FRAME_KERNEL);
		}
		if (st->flags & STACK_PREEMPTED)
			frames[depth++] = profile_intern_frame(
				p, "[preempted]", "", FRAME_UNKNOWN);
		if (st->count || st->off_cpu_ns)
			profile_add_stack_values(p, task, frames, sites, depth,
						 st->count, st->off_cpu_ns);
	}
	free(frames);
	free(sites);
}

/* Labels are metadata under "label.KEY" (docs/FORMAT.md). */
void
record_profile_label(struct profile *p, const char *arg)
{
	size_t klen = strcspn(arg, "=");
	char *key = xasprintf(PROFILE_LABEL_PREFIX "%.*s", (int)klen, arg);

	profile_meta_set_str(p, key, arg + klen + 1);
	free(key);
}

/* --off-cpu's counters (sampler.h; docs/FORMAT.md): every switch. */
static void
record_profile_off_cpu_meta(struct profile *p, const struct sampler_stats *st)
{
	profile_meta_set_int(p, "off_cpu", 1);
	profile_meta_set_int(p, "off_cpu_samples",
			     (int64_t)st->off_cpu_samples);
	profile_meta_set_int(p, "off_cpu_switches",
			     (int64_t)st->off_cpu_switches);
	profile_meta_set_int(p, "off_cpu_open", (int64_t)st->off_cpu_open);
	profile_meta_set_int(p, "off_cpu_before", (int64_t)st->off_cpu_before);
	profile_meta_set_int(p, "off_cpu_unmatched",
			     (int64_t)st->off_cpu_unmatched);
	profile_meta_set_int(p, "off_cpu_no_switch_in",
			     (int64_t)st->off_cpu_no_switch_in);
	profile_meta_set_int(p, "off_cpu_preempted_ns",
			     (int64_t)st->off_cpu_preempted_ns);
}

/* What was recorded, how and where, into p's metadata (docs/FORMAT.md). */
void
record_profile_metadata(struct profile *p, const struct sampler *s,
			const struct record_opts *ro, time_t started)
{
	const struct sampler_stats *st = sampler_stats(s);
	struct utsname un;
	char buf[64], host[256];

	profile_meta_set_str(p, "tool", "scorch " SCORCH_VERSION);
	pidof_meta_targets(p, ro, sampler_child(s));
	profile_meta_set_str(p, "cmdline", sampler_cmdlines(s));
	profile_meta_set_str(p, "event", ro->event);
	profile_meta_set_int(p, "frequency_hz", ro->freq_hz);
	if (st->period_ns)
		profile_meta_set_int(p, "period_ns", (int64_t)st->period_ns);
	/* How often the period was re-drawn (sampler/jitter.c); 0: fixed. */
	profile_meta_set_int(p, "period_changes", (int64_t)st->period_changes);
	profile_meta_set_str(p, "scope",
			     st->scope == SCOPE_CPU ? "cpu" : "thread");
	profile_meta_set_str(p, "callgraph",
			     ro->callgraph == CALLGRAPH_DWARF ? "dwarf" : "fp");
	if (ro->callgraph == CALLGRAPH_DWARF) {
		profile_meta_set_int(p, "stack_bytes", st->stack_bytes);
		profile_meta_set_str(
			p, "unwinder",
			st->unwinder == UNWINDER_LIBUNWIND ? "libunwind"
			: st->unwinder == UNWINDER_LIBDWFL ? "libdwfl"
							   : "libdw");
		profile_meta_set_int(p, "unwind_ns_median",
				     (int64_t)st->unwind_ns_median);
		profile_meta_set_int(p, "unwind_ns_p99",
				     (int64_t)st->unwind_ns_p99);
		/* -1: the self-check (--unwind-check) did not run. */
		profile_meta_set_int(p, "unwind_check_mismatches",
				     st->unwind_mismatches);
		if (st->unwind_mismatches >= 0)
			profile_meta_set_int(p, "unwind_check_samples",
					     (int64_t)st->unwind_checked);
	} else {
		profile_meta_set_int(p, "leaf_callers_recovered",
				     (int64_t)st->leaf_fixed);
	}
	profile_meta_set_int(p, "kernel_stacks", st->kernel);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&started));
	profile_meta_set_str(p, "start_time", buf);
	/* A launched command recorded from its start to its exit did a
	 * fixed amount of work; anything else is a window of time. */
	profile_meta_set_str(p, "extent",
			     ro->argv && !ro->npids && !ro->ntids &&
					     !ro->system_wide && !ro->cgroup &&
					     st->targets_exited
				     ? "whole"
				     : "window");
	profile_meta_set_int(p, "duration_ms",
			     (int64_t)(st->elapsed_s * 1000.0 + 0.5));
	profile_meta_set_int(p, "samples", (int64_t)st->samples);
	profile_meta_set_int(p, "lost", (int64_t)(st->lost + st->lost_samples));
	profile_meta_set_int(p, "throttled", (int64_t)st->throttled);
	profile_meta_set_int(p, "truncated_stacks", (int64_t)st->truncated);
	profile_meta_set_int(p, "copy_truncated_stacks",
			     (int64_t)st->copy_short);
	profile_meta_set_int(p, "broken_stacks", (int64_t)st->broken);
	if (ro->off_cpu)
		record_profile_off_cpu_meta(p, st);
	profile_meta_set_int(p, "threads", (int64_t)st->threads);
	profile_meta_set_int(p, "processes", (int64_t)st->processes);
	if (uname(&un) == 0)
		profile_meta_set_str(p, "kernel_release", un.release);
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		profile_meta_set_str(p, "hostname", host);
	}
}
