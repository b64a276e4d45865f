/* SPDX-License-Identifier: MIT */
/*
 * cli/record.c - `scorch record`: sample running processes (-p) or a
 * command, then name every unique address once and write the profile as
 * native JSON, folded stacks or an SVG flame graph (chosen by -o's
 * extension). Prints a live status line on a terminal and a one-line
 * summary at the end; exits 2 on bad input, or with the command's status.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "../sampler/sampler.h"
#include "../symbolize/symbolize.h"
#include "cli.h"

#define MAX_FREQ_HZ 100000

/* Options without a short spelling. */
enum {
	RECORD_STACK_SIZE = 0x100,
	RECORD_UNWINDER,
	RECORD_UNWIND_CHECK,
	RECORD_SCOPE,
	RECORD_NO_DEMANGLE,
	RECORD_NO_INLINE,
	RECORD_TID,
	RECORD_CGROUP,
};

/* The parser's table and the --help text, in --help's order. */
static const struct usage_opt record_opts_table[] = {
	{ "pid", 'p', "PID|NAME",
	  "attach to a process, or to every process of that\n"
	  "name as pidof finds them (repeatable, or\n"
	  "PID,NAME,...)" },
	{ "tid", RECORD_TID, "TID",
	  "record only these threads, not the other threads\n"
	  "of their processes (repeatable, or TID,TID,...)" },
	{ "all-cpus", 'a', NULL,
	  "the whole system: every process, kernel threads\n"
	  "too (kernel stacks only); root or CAP_PERFMON" },
	{ "cgroup", RECORD_CGROUP, "PATH",
	  "the processes of a cgroup v2 (PATH absolute, or\n"
	  "under its mount, e.g. system.slice/x.service);\n"
	  "root or CAP_PERFMON" },
	{ "freq", 'F', "HZ", "samples per second of CPU time (default 99)" },
	{ "duration", 'd', "SECS",
	  "stop after SECS seconds (default: Ctrl-C, or when\n"
	  "every target has exited)" },
	{ "event", 'e', "EVENT",
	  "cpu-clock (default), task-clock, or a hardware\n"
	  "event (cycles, instructions) where the CPU has one" },
	{ "call-graph", 'g', "MODE",
	  "dwarf (default): copy the user stack with each\n"
	  "sample and unwind it by the binaries' CFI;\n"
	  "dwarf,SIZE: the same with SIZE bytes of stack;\n"
	  "fp: frame pointers (the kernel's unwinder)" },
	{ "stack-size", RECORD_STACK_SIZE, "BYTES",
	  "user stack copied per sample with -g dwarf, 64 to\n"
	  "65528 (K suffix allowed; default 32K)" },
	{ "unwinder", RECORD_UNWINDER, "NAME",
	  "who unwinds -g dwarf stacks: libdw (default),\n"
	  "libdwfl or libunwind" },
	{ "unwind-check", RECORD_UNWIND_CHECK, NULL,
	  "unwind every sample twice (libdw's cached rules\n"
	  "and libdwfl's unwinder) and store the number of\n"
	  "disagreements in the metadata (slow; -g dwarf,\n"
	  "--unwinder libdw only)" },
	{ "scope", RECORD_SCOPE, "SCOPE",
	  "cpu: per-CPU events filtered by process (default\n"
	  "when permitted; no cost per context switch);\n"
	  "thread: one event per thread, as perf -p does;\n"
	  "auto: cpu when permitted, else thread" },
	{ "output", 'o', "OUT",
	  "OUT.json native profile (default scorch.json),\n"
	  "OUT.folded folded stacks, OUT.svg flame graph,\n"
	  "OUT.speedscope.json speedscope, OUT.pb.gz or\n"
	  "OUT.pprof pprof" },
	{ "mmap-pages", 'm', "N",
	  "ring buffer pages per CPU, a power of two\n"
	  "(default 128 = 512 KiB; raise it if samples\n"
	  "are lost at high -F)" },
	{ "no-demangle", RECORD_NO_DEMANGLE, NULL,
	  "keep C++ and Rust names as the binary has them" },
	{ "no-inline", RECORD_NO_INLINE, NULL,
	  "do not show calls inlined by the compiler as\n"
	  "frames of their own (marked _[i])" },
	{ "quiet", 'q', NULL, "no live status line" },
	{ "label", 'L', "KEY=VALUE",
	  "store a label in the profile's metadata, e.g.\n"
	  "commit=$(git rev-parse HEAD) (repeatable)" },
	{ "help", 'h', NULL, "show this help" },
	{ NULL, 0, NULL, NULL },
};

static void
record_usage(FILE *fp)
{
	fputs("usage: scorch record [-p PID|NAME]... [--tid TID]... [-a] "
	      "[--cgroup PATH]\n"
	      "                     [-F HZ] [-d SECONDS] [-e EVENT]\n"
	      "                     [-g dwarf|fp|dwarf,SIZE] [--stack-size "
	      "BYTES]\n"
	      "                     [--unwinder libdw|libdwfl|libunwind] "
	      "[--unwind-check]\n"
	      "                     [--scope auto|cpu|thread] [-m PAGES] "
	      "[--no-demangle]\n"
	      "                     [--no-inline] [-q] [-L KEY=VALUE]... "
	      "[-o OUT]\n"
	      "                     [-- COMMAND ARGS...]\n"
	      "\n"
	      "Sample the stacks of running processes (every thread, "
	      "including threads\n"
	      "and child processes started later) or of a command, and "
	      "write a profile.\n"
	      "\n",
	      fp);
	usage_print(fp, record_opts_table);
	fputs("\nEXAMPLES\n"
	      "  scorch record -p myserver -d 30 -o profile.svg\n"
	      "  scorch record -F 999 -d 10 -p 1234 -p 1240 -o run.json\n"
	      "  scorch record -g fp -p 1234,worker -d 5 -o run.folded\n"
	      "  scorch record -o bench.folded -- ./bench --iterations 1000\n"
	      "  scorch record --tid 4242 -d 5 -o worker.svg\n"
	      "  sudo scorch record -a -d 10 -o system.svg\n"
	      "  scorch record -L commit=abc123 -L build=ci-42 -o run.json "
	      "-- ./bench\n",
	      fp);
}

/* Set by the signal handler; read by the sampler's loop. */
static volatile sig_atomic_t record_stop;
static volatile pid_t record_child;

static void
record_on_signal(int sig)
{
	record_stop = 1;
	/*
	 * A launched command gets the signal too, so `kill -INT` on scorch
	 * ends the run the way Ctrl-C on the terminal would.
	 */
	if (record_child > 0)
		kill(record_child, sig);
}

static void
record_progress(const struct sampler *s, void *arg)
{
	const struct sampler_stats *st = sampler_stats(s);

	(void)arg;
	fprintf(stderr,
		"\rscorch: recording %.1fs, %" PRIu64 " samples, %" PRIu64
		" threads, %" PRIu64 " lost\033[K",
		st->elapsed_s, st->samples, st->threads,
		st->lost + st->lost_samples);
	fflush(stderr);
}

/* A stack copy size in bytes, "16384" or "16K"; multiple of 8 up to 64K. */
static int
record_parse_size(const char *opt, const char *arg, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!errno && end != arg && (*end == 'K' || *end == 'k')) {
		v *= 1024;
		end++;
	}
	if (errno || end == arg || *end || v < 64 ||
	    v > SAMPLER_MAX_STACK_BYTES) {
		cli_error("%s: '%s' is not a stack size from 64 to %u bytes "
			  "(a K suffix is allowed)",
			  opt, arg, SAMPLER_MAX_STACK_BYTES);
		return -1;
	}
	*out = (uint32_t)((v + 7) & ~7UL);
	return 0;
}

/* -g fp | dwarf | dwarf,SIZE (perf's spelling) */
static int
record_parse_callgraph(const char *arg, struct record_opts *ro)
{
	if (!strcmp(arg, "fp")) {
		ro->callgraph = CALLGRAPH_FP;
		return 0;
	}
	if (!strcmp(arg, "dwarf")) {
		ro->callgraph = CALLGRAPH_DWARF;
		return 0;
	}
	if (!strncmp(arg, "dwarf,", 6)) {
		ro->callgraph = CALLGRAPH_DWARF;
		return record_parse_size("-g dwarf", arg + 6, &ro->stack_bytes);
	}
	cli_error("-g: unknown call graph mode '%s' (known: fp, dwarf, "
		  "dwarf,SIZE)",
		  arg);
	return -1;
}

/* The module of a symbolized frame into p's module table, once. */
static void
record_module(struct profile *p, struct symbolizer *sy,
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
record_user_frames(struct profile *p, const struct sampler *s,
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
	record_module(p, sy, &sm, sym[0].module);
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
static void
record_symbolize(struct profile *p, const struct sampler *s,
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
		if (cap < (size_t)st->nkernel + st->nuser * SYM_MAX_CHAIN + 2) {
			cap = (size_t)st->nkernel + st->nuser * SYM_MAX_CHAIN +
			      2;
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
			depth += record_user_frames(
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
		profile_add_stack_sites(p, task, frames, sites, depth,
					st->count);
	}
	free(frames);
	free(sites);
}

/* --label KEY=VALUE: KEY of letters, digits, '_', '-' and '.'. */
static int
record_check_label(const char *arg)
{
	size_t klen = strcspn(arg, "=");

	if (!arg[klen] || !klen || klen > 64 ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789_-.") != klen) {
		cli_error("--label: '%s' is not KEY=VALUE (KEY: up to 64 "
			  "letters, digits, '_', '-', '.')",
			  arg);
		return -1;
	}
	return 0;
}

/* Labels are metadata under "label.KEY" (docs/FORMAT.md). */
static void
record_set_label(struct profile *p, const char *arg)
{
	size_t klen = strcspn(arg, "=");
	char *key = xasprintf(PROFILE_LABEL_PREFIX "%.*s", (int)klen, arg);

	profile_meta_set_str(p, key, arg + klen + 1);
	free(key);
}

static void
record_metadata(struct profile *p, const struct sampler *s,
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
	profile_meta_set_int(p, "threads", (int64_t)st->threads);
	profile_meta_set_int(p, "processes", (int64_t)st->processes);
	if (uname(&un) == 0)
		profile_meta_set_str(p, "kernel_release", un.release);
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		profile_meta_set_str(p, "hostname", host);
	}
}

/*
 * Say why stacks are broken: a frame-pointer chain cut short, code without
 * CFI, or a process whose maps could not be read (nothing to unwind with).
 */
static void
record_warn_broken(const struct sampler_stats *st, const struct record_opts *ro)
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

static void
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
	record_warn_broken(st, ro);
	if (st->throttled)
		cli_warn("the kernel throttled sampling %" PRIu64
			 " times; lower -F",
			 st->throttled);
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

static int
record_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = record_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() must return so the loop sees the flag. */
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/*
 * --unwind-check compares libdw's cached rules with libdwfl's unwinder, so
 * it needs both: -g dwarf and --unwinder libdw. SCORCH_UNWIND_CHECK=1 in
 * the environment turns it on where it can run.
 */
static int
record_unwind_check(struct record_opts *ro)
{
	bool libdw = ro->unwinder == UNWINDER_DEFAULT ||
		     ro->unwinder == UNWINDER_LIBDW;
	const char *env = getenv("SCORCH_UNWIND_CHECK");

	if (ro->unwind_check && ro->callgraph != CALLGRAPH_DWARF) {
		cli_error("--unwind-check: needs -g dwarf (frame pointers are "
			  "unwound by the kernel)");
		return -1;
	}
	if (ro->unwind_check && !libdw) {
		cli_error("--unwind-check: needs --unwinder libdw (it checks "
			  "libdw's rules against libdwfl)");
		return -1;
	}
	if (env && !strcmp(env, "1") && ro->callgraph == CALLGRAPH_DWARF &&
	    libdw)
		ro->unwind_check = true;
	return 0;
}

int
cmd_record(int argc, char **argv)
{
	struct option *longopts = usage_longopts(record_opts_table);
	char optstring[64];
	struct strbuf names;
	struct record_opts ro;
	struct scorch_err err;
	struct sampler *s = NULL;
	struct symbolizer *sy = NULL;
	struct profile *p = NULL;
	struct flame_opts fo;
	const char *out = "scorch.json";
	pid_t *pids = NULL, *tids = NULL;
	size_t npids = 0, ntids = 0;
	char **labels = NULL, *kept = NULL;
	size_t nlabels = 0, li;
	struct symbolizer_opts syo = { 0 };
	bool quiet = false;
	char subtitle[512];
	time_t started;
	const struct cli_format *fmt;
	struct cli_out o;
	int c, ret = EXIT_USAGE;

	memset(&ro, 0, sizeof(ro));
	ro.event = "cpu-clock";
	ro.freq_hz = 99;
	ro.scope = SCOPE_AUTO;
	ro.callgraph = CALLGRAPH_DWARF;
	strbuf_init(&names);
	/* '+': options end at the first non-option, the command. */
	usage_optstring(record_opts_table, "+:", optstring, sizeof(optstring));
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'p':
			if (pidof_parse_targets(optarg, &pids, &npids, &names) <
			    0)
				goto out;
			break;
		case RECORD_TID:
			if (pidof_parse_tids(optarg, &tids, &ntids) < 0)
				goto out;
			break;
		case 'a':
			ro.system_wide = true;
			break;
		case RECORD_CGROUP:
			ro.cgroup = optarg;
			break;
		case 'F': {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > MAX_FREQ_HZ) {
				cli_error("-F: '%s' is not a frequency from 1 "
					  "to %d Hz",
					  optarg, MAX_FREQ_HZ);
				goto out;
			}
			ro.freq_hz = (unsigned)v;
			break;
		}
		case 'd':
			errno = 0;
			ro.duration_s = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !(ro.duration_s > 0) || ro.duration_s > 1e7) {
				cli_error("-d: '%s' is not a duration in "
					  "seconds",
					  optarg);
				goto out;
			}
			break;
		case 'e':
			ro.event = optarg;
			break;
		case 'g':
			if (record_parse_callgraph(optarg, &ro) < 0)
				goto out;
			break;
		case RECORD_STACK_SIZE:
			if (record_parse_size("--stack-size", optarg,
					      &ro.stack_bytes) < 0)
				goto out;
			break;
		case RECORD_UNWINDER:
			if (!strcmp(optarg, "libdw"))
				ro.unwinder = UNWINDER_LIBDW;
			else if (!strcmp(optarg, "libdwfl"))
				ro.unwinder = UNWINDER_LIBDWFL;
			else if (!strcmp(optarg, "libunwind"))
				ro.unwinder = UNWINDER_LIBUNWIND;
			else {
				cli_error("--unwinder: unknown unwinder '%s' "
					  "(known: libdw, libdwfl, libunwind)",
					  optarg);
				goto out;
			}
			break;
		case RECORD_UNWIND_CHECK:
			ro.unwind_check = true;
			break;
		case RECORD_SCOPE:
			if (!strcmp(optarg, "auto"))
				ro.scope = SCOPE_AUTO;
			else if (!strcmp(optarg, "cpu"))
				ro.scope = SCOPE_CPU;
			else if (!strcmp(optarg, "thread"))
				ro.scope = SCOPE_THREAD;
			else {
				cli_error("--scope: unknown scope '%s' (known: "
					  "auto, cpu, thread)",
					  optarg);
				goto out;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'm': {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > 65536 ||
			    (v & (v - 1))) {
				cli_error(
					"-m: '%s' is not a power of two from 1 to 65536",
					optarg);
				goto out;
			}
			ro.ring_pages = (size_t)v;
			break;
		}
		case 'q':
			quiet = true;
			break;
		case 'L':
			if (record_check_label(optarg) < 0)
				goto out;
			labels = xreallocarray(labels, nlabels + 1,
					       sizeof(*labels));
			labels[nlabels++] = optarg;
			break;
		case RECORD_NO_DEMANGLE:
			syo.no_demangle = true;
			break;
		case RECORD_NO_INLINE:
			syo.no_inline = true;
			break;
		case 'h':
			record_usage(stdout);
			ret = EXIT_OK;
			goto out;
		default:
			usage_bad_option("record", argv, c);
			goto out;
		}
	}
	if (optind < argc)
		ro.argv = argv + optind;
	if (record_unwind_check(&ro) < 0)
		goto out;
	if (pidof_check_targets(&ro, npids, ntids) < 0)
		goto out;
	/* -o -, /dev/null, a FIFO: the native profile. */
	fmt = cli_format_pick("record", out, NULL,
			      CLI_FMT_PROFILES | CLI_FMT_SVG, CLI_FMT_JSON);
	if (!fmt || cli_check_output(out) < 0)
		goto out;
	ro.pids = pids;
	ro.npids = npids;
	ro.tids = tids;
	ro.ntids = ntids;
	ro.stop = &record_stop;
	if (!quiet && isatty(STDERR_FILENO)) {
		ro.progress = record_progress;
		ro.progress_arg = NULL;
	}
	if (record_install_signals() < 0) {
		cli_error("cannot install signal handlers: %s",
			  strerror(errno));
		goto out;
	}
	started = time(NULL);
	s = sampler_new(&ro, &err);
	if (!s) {
		cli_error("%s", err.msg);
		goto out;
	}
	record_child = sampler_child(s);
	if (sampler_run(s, &err) < 0)
		cli_error("%s (writing what was recorded)", err.msg);
	if (ro.progress)
		fputs("\r\033[K", stderr);

	p = profile_new();
	sy = symbolizer_new(&syo);
	record_symbolize(p, s, sy);
	record_metadata(p, s, &ro, started);
	for (li = 0; li < nlabels; li++)
		record_set_label(p, labels[li]);
	flame_opts_init(&fo);
	cli_flame_defaults(p, &fo, subtitle, sizeof(subtitle));
	/* An output that fails keeps the recording elsewhere: exit 2, since
	 * what was asked for is not there, with the summary naming it. */
	ret = EXIT_OK;
	o.fo = &fo;
	o.name = out;
	if (cli_write_recording(p, out, fmt, &o, &kept) < 0) {
		ret = EXIT_USAGE;
		if (!kept)
			goto out_wait;
	}
	record_summary(s, sy, p, &ro, names.buf, kept ? kept : out);
out_wait:
	/* The command outlives a -d recording: wait, and pass its status on. */
	if (s && sampler_child(s)) {
		int status = sampler_wait_child(s);

		if (ret == EXIT_OK)
			ret = status;
	}
out:
	symbolizer_free(sy);
	profile_free(p);
	sampler_free(s);
	free(pids);
	free(tids);
	free(labels);
	free(kept);
	free(longopts);
	strbuf_fini(&names);
	return ret;
}
