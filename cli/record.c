/* SPDX-License-Identifier: MIT */
/*
 * cli/record.c - `scorch record`: sample running processes (-p) or a
 * command, then name every unique address once and write the profile as
 * native JSON, folded stacks or an SVG flame graph (chosen by -o's
 * extension). Prints a live status line on a terminal and a one-line
 * summary at the end; exits 2 on bad input, or with the command's status.
 * This file parses and runs the recording; the profile is built in
 * record_profile.c, the summary said in record_summary.c.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	RECORD_FIXED_PERIOD,
	RECORD_NO_DEMANGLE,
	RECORD_NO_INLINE,
	RECORD_TID,
	RECORD_CGROUP,
	RECORD_OFF_CPU,
	RECORD_OFF_CPU_STACK,
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
	{ "fixed-period", RECORD_FIXED_PERIOD, NULL,
	  "sample exactly every 1/HZ of CPU time; by default\n"
	  "the period is re-drawn within 1/8 of it every 16\n"
	  "to 32 samples, at random moments, so a program\n"
	  "that runs in rounds cannot sample in lockstep" },
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
	{ "off-cpu", RECORD_OFF_CPU, NULL,
	  "off-CPU time too: every switch-out of a target\n"
	  "thread with its stack (user and kernel), weighed\n"
	  "by the time until it runs again; preempted time\n"
	  "under a [preempted] leaf. SVG and folded outputs\n"
	  "show wall time (on and off CPU, in ns)" },
	{ "off-cpu-stack-size", RECORD_OFF_CPU_STACK, "BYTES",
	  "user stack copied per switch-out with --off-cpu\n"
	  "-g dwarf (default 8K, or the CPU samples' copy\n"
	  "when that is smaller)" },
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
	      "                     [--scope auto|cpu|thread] [--off-cpu] "
	      "[-m PAGES]\n"
	      "                     [--no-demangle]"
	      " [--no-inline] [-q] [-L KEY=VALUE]... "
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
	      "  scorch record --off-cpu -p myserver -d 30 -o wall.svg\n"
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

/* -F HZ: 1 to MAX_FREQ_HZ. */
static int
record_parse_freq(const char *arg, struct record_opts *ro)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || v < 1 || v > MAX_FREQ_HZ) {
		cli_error("-F: '%s' is not a frequency from 1 to %d Hz", arg,
			  MAX_FREQ_HZ);
		return -1;
	}
	ro->freq_hz = (unsigned)v;
	return 0;
}

/* -d SECS: more than 0, up to 1e7. */
static int
record_parse_duration(const char *arg, struct record_opts *ro)
{
	char *end;

	errno = 0;
	ro->duration_s = strtod(arg, &end);
	if (errno || end == arg || *end || !(ro->duration_s > 0) ||
	    ro->duration_s > 1e7) {
		cli_error("-d: '%s' is not a duration in seconds", arg);
		return -1;
	}
	return 0;
}

/* -m N: a power of two from 1 to 65536. */
static int
record_parse_pages(const char *arg, struct record_opts *ro)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || v < 1 || v > 65536 || (v & (v - 1))) {
		cli_error("-m: '%s' is not a power of two from 1 to 65536",
			  arg);
		return -1;
	}
	ro->ring_pages = (size_t)v;
	return 0;
}

/* --unwinder libdw | libdwfl | libunwind */
static int
record_parse_unwinder(const char *arg, struct record_opts *ro)
{
	if (!strcmp(arg, "libdw"))
		ro->unwinder = UNWINDER_LIBDW;
	else if (!strcmp(arg, "libdwfl"))
		ro->unwinder = UNWINDER_LIBDWFL;
	else if (!strcmp(arg, "libunwind"))
		ro->unwinder = UNWINDER_LIBUNWIND;
	else {
		cli_error("--unwinder: unknown unwinder '%s' (known: libdw, "
			  "libdwfl, libunwind)",
			  arg);
		return -1;
	}
	return 0;
}

/* --scope auto | cpu | thread */
static int
record_parse_scope(const char *arg, struct record_opts *ro)
{
	if (!strcmp(arg, "auto"))
		ro->scope = SCOPE_AUTO;
	else if (!strcmp(arg, "cpu"))
		ro->scope = SCOPE_CPU;
	else if (!strcmp(arg, "thread"))
		ro->scope = SCOPE_THREAD;
	else {
		cli_error("--scope: unknown scope '%s' (known: auto, cpu, "
			  "thread)",
			  arg);
		return -1;
	}
	return 0;
}

/* What the command line asks for besides the sampler's options. */
struct record_args {
	struct record_opts ro;
	struct symbolizer_opts syo;
	const char *out;
	pid_t *pids, *tids;
	size_t npids, ntids;
	char **labels;
	size_t nlabels;
	struct strbuf names; /* -p's names, for the summary */
	bool quiet;
};

/* One option c (its argument in optarg) into a: 0, 1 for --help (printed),
 * -1 after a one-line error. */
static int
record_parse_opt(int c, char **argv, struct record_args *a)
{
	struct record_opts *ro = &a->ro;

	switch (c) {
	case 'p':
		return pidof_parse_targets(optarg, &a->pids, &a->npids,
					   &a->names);
	case RECORD_TID:
		return pidof_parse_tids(optarg, &a->tids, &a->ntids);
	case 'a':
		ro->system_wide = true;
		return 0;
	case RECORD_CGROUP:
		ro->cgroup = optarg;
		return 0;
	case 'F':
		return record_parse_freq(optarg, ro);
	case RECORD_FIXED_PERIOD:
		ro->fixed_period = true;
		return 0;
	case 'd':
		return record_parse_duration(optarg, ro);
	case 'e':
		ro->event = optarg;
		return 0;
	case 'g':
		return record_parse_callgraph(optarg, ro);
	case RECORD_STACK_SIZE:
		return record_parse_size("--stack-size", optarg,
					 &ro->stack_bytes);
	case RECORD_UNWINDER:
		return record_parse_unwinder(optarg, ro);
	case RECORD_UNWIND_CHECK:
		ro->unwind_check = true;
		return 0;
	case RECORD_SCOPE:
		return record_parse_scope(optarg, ro);
	case RECORD_OFF_CPU:
		ro->off_cpu = true;
		return 0;
	case RECORD_OFF_CPU_STACK:
		return record_parse_size("--off-cpu-stack-size", optarg,
					 &ro->off_cpu_stack_bytes);
	case 'o':
		a->out = optarg;
		return 0;
	case 'm':
		return record_parse_pages(optarg, ro);
	case 'q':
		a->quiet = true;
		return 0;
	case 'L':
		if (record_check_label(optarg) < 0)
			return -1;
		a->labels = xreallocarray(a->labels, a->nlabels + 1,
					  sizeof(*a->labels));
		a->labels[a->nlabels++] = optarg;
		return 0;
	case RECORD_NO_DEMANGLE:
		a->syo.no_demangle = true;
		return 0;
	case RECORD_NO_INLINE:
		a->syo.no_inline = true;
		return 0;
	case 'h':
		record_usage(stdout);
		return 1;
	default:
		usage_bad_option("record", argv, c);
		return -1;
	}
}

/* The command line into a, checked: 0, 1 after --help, -1 after an error. */
static int
record_parse(int argc, char **argv, struct record_args *a)
{
	struct option *longopts = usage_longopts(record_opts_table);
	char optstring[64];
	int c, ret = 0;

	/* '+': options end at the first non-option, the command. */
	usage_optstring(record_opts_table, "+:", optstring, sizeof(optstring));
	opterr = 0;
	while (!ret &&
	       (c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1)
		ret = record_parse_opt(c, argv, a);
	free(longopts);
	if (ret)
		return ret;
	if (optind < argc)
		a->ro.argv = argv + optind;
	if (record_unwind_check(&a->ro) < 0 ||
	    pidof_check_targets(&a->ro, a->npids, a->ntids) < 0)
		return -1;
	a->ro.pids = a->pids;
	a->ro.npids = a->npids;
	a->ro.tids = a->tids;
	a->ro.ntids = a->ntids;
	a->ro.stop = &record_stop;
	if (!a->quiet && isatty(STDERR_FILENO)) {
		a->ro.progress = record_progress;
		a->ro.progress_arg = NULL;
	}
	return 0;
}

/*
 * Name what s recorded and write it to a->out as fmt: EXIT_OK, or
 * EXIT_USAGE when the output failed (the recording then kept elsewhere
 * if it could be, and the summary naming where).
 */
static int
record_write(struct sampler *s, struct record_args *a,
	     const struct cli_format *fmt, time_t started)
{
	struct profile *p = profile_new();
	struct symbolizer *sy = symbolizer_new(&a->syo);
	struct flame_opts fo;
	char subtitle[512], *kept = NULL;
	struct cli_out o = { 0 };
	int ret = EXIT_OK;
	size_t li;

	record_profile_build(p, s, sy);
	record_profile_metadata(p, s, &a->ro, started);
	for (li = 0; li < a->nlabels; li++)
		record_profile_label(p, a->labels[li]);
	/* A graph or folded lines show one value: wall time by default. */
	if (a->ro.off_cpu &&
	    (fmt->id == CLI_FMT_SVG || fmt->id == CLI_FMT_FOLDED) &&
	    cli_apply_value(&p, NULL, a->out) < 0)
		ret = EXIT_USAGE;
	flame_opts_init(&fo);
	cli_flame_value(p, &fo);
	cli_flame_defaults(p, &fo, subtitle, sizeof(subtitle));
	o.fo = &fo;
	o.name = a->out;
	if (ret != EXIT_OK ||
	    cli_write_recording(p, a->out, fmt, &o, &kept) < 0)
		ret = EXIT_USAGE;
	if (ret == EXIT_OK || kept)
		record_summary(s, sy, p, &a->ro, a->names.buf,
			       kept ? kept : a->out);
	symbolizer_free(sy);
	profile_free(p);
	free(kept);
	return ret;
}

int
cmd_record(int argc, char **argv)
{
	struct record_args a;
	struct scorch_err err;
	struct sampler *s = NULL;
	const struct cli_format *fmt;
	time_t started;
	int ret = EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	a.ro.event = "cpu-clock";
	a.ro.freq_hz = 99;
	a.ro.scope = SCOPE_AUTO;
	a.ro.callgraph = CALLGRAPH_DWARF;
	a.out = "scorch.json";
	strbuf_init(&a.names);
	switch (record_parse(argc, argv, &a)) {
	case 1:
		ret = EXIT_OK;
		goto out;
	case 0:
		break;
	default:
		goto out;
	}
	/* -o -, /dev/null, a FIFO: the native profile. */
	fmt = cli_format_pick("record", a.out, NULL,
			      CLI_FMT_PROFILES | CLI_FMT_SVG, CLI_FMT_JSON);
	if (!fmt || cli_check_output(a.out) < 0)
		goto out;
	if (record_install_signals() < 0) {
		cli_error("cannot install signal handlers: %s",
			  strerror(errno));
		goto out;
	}
	started = time(NULL);
	s = sampler_new(&a.ro, &err);
	if (!s) {
		cli_error("%s", err.msg);
		goto out;
	}
	record_child = sampler_child(s);
	if (sampler_run(s, &err) < 0)
		cli_error("%s (writing what was recorded)", err.msg);
	if (a.ro.progress)
		fputs("\r\033[K", stderr);
	/* An output that fails keeps the recording elsewhere: exit 2, since
	 * what was asked for is not there, with the summary naming it. */
	ret = record_write(s, &a, fmt, started);
	/* The command outlives a -d recording: wait, and pass its status on. */
	if (sampler_child(s)) {
		int status = sampler_wait_child(s);

		if (ret == EXIT_OK)
			ret = status;
	}
out:
	sampler_free(s);
	free(a.pids);
	free(a.tids);
	free(a.labels);
	strbuf_fini(&a.names);
	return ret;
}
