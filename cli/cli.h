/* SPDX-License-Identifier: MIT */
/*
 * cli/cli.h - what the subcommands share: exit codes, diagnostics and
 * writing a profile in the format an output file name asks for.
 * Only cli/ prints diagnostics and picks exit codes.
 */
#ifndef SCORCH_CLI_H
#define SCORCH_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "../profile/profile.h"

struct profile;
struct flame_opts;

/*
 * Exit codes, the same for every subcommand:
 *  0   success;
 *  1   a regression was found (diff --fail-on-regression) or a budget
 *      was exceeded;
 *  2   usage or input error: bad option, missing or unreadable file,
 *      no such process, an output that cannot be written (record then
 *      keeps its profile elsewhere, cli_write_recording());
 *  125 the profiles cannot support a verdict (so `git bisect run` skips).
 * `record -- COMMAND` exits with the command's own status instead.
 */
#define EXIT_OK 0
#define EXIT_REGRESSION 1
#define EXIT_USAGE 2
#define EXIT_UNUSABLE 125

/* One diagnostic line on stderr: "scorch: <message>". */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line of news (a summary), neutralized as errors are. */
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * formats.c: the one table of file formats (docs/FORMAT.md, "Formats").
 * A format is one CLI_FMT_* bit; a command says which it writes as a mask.
 */
enum {
	CLI_FMT_JSON = 1u << 0,	       /* native profile, .json */
	CLI_FMT_FOLDED = 1u << 1,      /* folded stacks, .folded */
	CLI_FMT_SPEEDSCOPE = 1u << 2,  /* .speedscope.json */
	CLI_FMT_PPROF = 1u << 3,       /* .pb.gz, .pprof */
	CLI_FMT_SVG = 1u << 4,	       /* flame graph, .svg */
	CLI_FMT_TEXT = 1u << 5,	       /* text report, .txt */
	CLI_FMT_MARKDOWN = 1u << 6,    /* markdown report, .md, .markdown */
	CLI_FMT_REPORT_JSON = 1u << 7, /* JSON report, .json */
	CLI_FMT_PERF_SCRIPT = 1u << 8, /* perf script text: read only */
};
/* What the commands write: profiles, images, reports. */
#define CLI_FMT_PROFILES                                                       \
	(CLI_FMT_JSON | CLI_FMT_FOLDED | CLI_FMT_SPEEDSCOPE | CLI_FMT_PPROF)
#define CLI_FMT_REPORTS (CLI_FMT_TEXT | CLI_FMT_MARKDOWN | CLI_FMT_REPORT_JSON)
#define CLI_FMT_WRITTEN (CLI_FMT_PROFILES | CLI_FMT_SVG | CLI_FMT_REPORTS)
#define CLI_FMT_MAX_EXTS 3

/* What a writer needs besides the profile (either may be NULL). */
struct cli_out {
	const struct flame_opts *fo; /* the SVG's options */
	const char *name;	     /* the profile's name: its input file */
};

struct cli_format {
	unsigned id;			    /* one CLI_FMT_* bit */
	const char *name;		    /* for --format */
	const char *desc;		    /* for messages */
	const char *exts[CLI_FMT_MAX_EXTS]; /* -o name endings, NULL-ended */
	int read;  /* enum profile_read_format profile_load() detects, -1:
			written only */
	int check; /* enum profile_format for profile_check(), -1: none */
	int (*write)(const struct profile *p, const struct cli_out *o,
		     FILE *fp); /* a profile or an image; NULL for reports */
	int table; /* enum table_format of a report, -1 for the others */
};

/* The format with bit id. */
const struct cli_format *cli_format_get(unsigned id);
/*
 * The format cmd writes to path: the one --format named (name, or NULL),
 * else the one path's ending names among mask, else dflt (a CLI_FMT_* bit,
 * 0 for none) when path is "-", a device or a FIFO. NULL after one line
 * saying why: an unknown name or ending, or a format cmd cannot write,
 * with the list of the formats in mask and their endings.
 */
const struct cli_format *cli_format_pick(const char *cmd, const char *path,
					 const char *name, unsigned mask,
					 unsigned dflt);

/*
 * Reports (enum table_format of render.h): the format a --format argument
 * names (text, markdown or md, json), -1 after printing why not.
 */
int cli_table_format_arg(const char *cmd, const char *arg);
/* A --width argument (40 to 10000 columns): 0, or -1 after printing why. */
int cli_table_width_arg(const char *arg, int *width);

/*
 * Write p to path (or stdout for "-", in format fmt) through a temporary
 * file renamed into place. Returns 0, or -1 after printing the error.
 */
int cli_write_profile(const struct profile *p, const char *path,
		      const struct cli_format *fmt, const struct cli_out *o);

/*
 * Write a file with write(fp, arg): to stdout for "-", else through a
 * temporary file renamed into place, so a failure leaves nothing behind.
 * Returns 0, or -1 after printing one line naming the file and why
 * (write returns < 0 on error).
 */
int cli_write_file(const char *path, int (*write)(FILE *fp, void *arg),
		   void *arg);

/*
 * record's output, which must not be lost: write p to path like
 * cli_write_profile() (fsync'd, with SIGINT, SIGTERM and SIGHUP held so a
 * second Ctrl-C cannot cut it short). When path cannot be written, keep
 * the profile as native JSON in a new file scorch-record-XXXXXX.json in
 * $TMPDIR, else /tmp, else the current directory, and print one line with
 * why path failed and where the recording is (or that every fallback
 * failed, and why). Returns 0 when path was written; -1 otherwise, with
 * *kept the fallback's absolute name (malloc'd) or NULL when it is lost.
 */
int cli_write_recording(const struct profile *p, const char *path,
			const struct cli_format *fmt, const struct cli_out *o,
			char **kept);

/*
 * Flush stdout: 0, or -1 after saying "stdout: write error: REASON" (only
 * the first time, so an error is said once however often it is checked).
 */
int cli_flush_stdout(void);

/* Fail early (message printed) when path could not be written later. */
int cli_check_output(const char *path);
/* "-", a device, a FIFO or /dev/stdout: written in place, any name. */
int cli_out_is_stream(const char *path);

/* Fill unset flame graph titles from the profile's metadata. */
void cli_flame_defaults(const struct profile *p, struct flame_opts *fo,
			char *buf, unsigned long bufsize);
/*
 * How whole p's stacks are, written into buf ("N broken (x%), ..."), with
 * one warning naming input once they pass STACK_HEALTH_WARN_PCT: the one
 * message of every view. Returns false (buf untouched) when p does not say.
 */
bool cli_stack_health(const struct profile *p, const char *input, char *buf,
		      unsigned long bufsize);

/*
 * flameopts.c: the flame graph options, for every subcommand that draws
 * one. Put CLI_FLAME_LONGOPTS in the getopt_long table, CLI_FLAME_USAGE in
 * the usage text, and pass each option to cli_flame_option(): it returns 1
 * when it took it (into fo; string arguments are borrowed from argv), 0
 * when the option is not a flame graph option, -1 after printing why the
 * value is bad. flamegraph.pl's spellings are accepted too.
 */
enum {
	CLI_FLAME_TITLE = 0x1000,
	CLI_FLAME_SUBTITLE,
	CLI_FLAME_COUNT_NAME,
	CLI_FLAME_WIDTH,
	CLI_FLAME_FRAME_HEIGHT,
	CLI_FLAME_FONT_SIZE,
	CLI_FLAME_MIN_WIDTH,
	CLI_FLAME_PALETTE,
	CLI_FLAME_INVERTED,
	CLI_FLAME_REVERSE,
};

#define CLI_FLAME_LONGOPTS                                                     \
	{ "title", required_argument, NULL, CLI_FLAME_TITLE },                 \
		{ "subtitle", required_argument, NULL, CLI_FLAME_SUBTITLE },   \
		{ "count-name", required_argument, NULL,                       \
		  CLI_FLAME_COUNT_NAME },                                      \
		{ "countname", required_argument, NULL,                        \
		  CLI_FLAME_COUNT_NAME },                                      \
		{ "width", required_argument, NULL, CLI_FLAME_WIDTH },         \
		{ "frame-height", required_argument, NULL,                     \
		  CLI_FLAME_FRAME_HEIGHT },                                    \
		{ "height", required_argument, NULL, CLI_FLAME_FRAME_HEIGHT }, \
		{ "font-size", required_argument, NULL, CLI_FLAME_FONT_SIZE }, \
		{ "fontsize", required_argument, NULL, CLI_FLAME_FONT_SIZE },  \
		{ "min-width", required_argument, NULL, CLI_FLAME_MIN_WIDTH }, \
		{ "minwidth", required_argument, NULL, CLI_FLAME_MIN_WIDTH },  \
		{ "palette", required_argument, NULL, CLI_FLAME_PALETTE },     \
		{ "colors", required_argument, NULL, CLI_FLAME_PALETTE },      \
		{ "inverted", no_argument, NULL, CLI_FLAME_INVERTED },         \
	{                                                                      \
		"reverse", no_argument, NULL, CLI_FLAME_REVERSE                \
	}

#define CLI_FLAME_USAGE                                                          \
	"flame graph options:\n"                                                 \
	"  --title TEXT        title (default \"Flame Graph\")\n"                \
	"  --subtitle TEXT     second line under the title\n"                    \
	"  --width PX          image width (default 1200)\n"                     \
	"  --frame-height PX   height of one frame (default 16)\n"               \
	"  --font-size PX      label size (default 12)\n"                        \
	"  --min-width PX|N%   prune frames narrower than this (default 0.1),\n" \
	"                      or with less than N% of the samples\n"            \
	"  --palette NAME      kind (default: kernel, user, JIT, inlined\n"      \
	"                      apart), hot, mem, io, red, green, blue, aqua,\n"  \
	"                      yellow, purple, orange\n"                         \
	"  --inverted          icicle graph: roots at the top\n"                 \
	"  --reverse           reverse the stacks: leaves become roots\n"        \
	"  --count-name NAME   what the counts are (default \"samples\")\n"      \
	"  (flamegraph.pl's --height, --fontsize, --minwidth, --colors and\n"    \
	"  --countname work too)\n"

int cli_flame_option(int c, const char *arg, struct flame_opts *fo);

/*
 * usage.c: a subcommand's options as one table, ending in { NULL }: the
 * long name, the short letter or a value >= 0x100 for none, the argument's
 * name (NULL: takes none) and the help (lines apart by '\n').
 * usage_longopts() builds the getopt_long table from it (free it);
 * usage_print() writes the option part of --help. Parse with opterr = 0
 * and an optstring starting with ':' (after any '+'), and hand '?' and ':'
 * to usage_bad_option(): one line naming the option and the --help hint.
 */
struct option;
struct usage_opt {
	const char *name;
	int val;
	const char *arg;
	const char *help;
};
size_t usage_count(const struct usage_opt *opts);
struct option *usage_longopts(const struct usage_opt *opts);
/* getopt's optstring: prefix ("+:" or ":"), then the short letters. */
void usage_optstring(const struct usage_opt *opts, const char *prefix,
		     char *buf, size_t size);
void usage_print(FILE *fp, const struct usage_opt *opts);
void usage_bad_option(const char *cmd, char **argv, int c);

/*
 * pidof.c: append to *pids (growing it) every process named name, as
 * pidof(1) finds them: its /proc/PID/comm, or the basename of its argv[0]
 * or of its executable; lowest pid first, never scorch itself. Returns
 * how many were appended (0: none), or -1 if /proc cannot be read.
 */
int pidof_find(const char *name, pid_t **pids, size_t *npids);
/*
 * -p PID|NAME[,PID|NAME...]: append each pid, or each process of a name,
 * to *pids once; note each name's processes in *names for the summary
 * ("; -p server: 2 processes (101, 102)"). Returns 0, or -1 after one
 * line naming the bad pid or the name no process has.
 */
struct strbuf;
int pidof_parse_targets(const char *arg, pid_t **pids, size_t *npids,
			struct strbuf *names);
/* Why pid gave no samples, from its state now: "was stopped", "has
 * exited", "is a kernel thread (no user stacks)", "did not run on CPU". */
const char *pidof_idle_reason(pid_t pid);
/* --tid TID[,TID...] appended to *tids; -1 after a one-line error. */
int pidof_parse_tids(const char *arg, pid_t **tids, size_t *ntids);
/* The pids with no task in p, each with pidof_idle_reason(), into sb. */
struct profile;
void pidof_idle_targets(const struct profile *p, const pid_t *pids,
			size_t npids, struct strbuf *sb);
/* One kind of target (-p, --tid, -a, --cgroup) or a command; else -1
 * after a one-line error. */
struct record_opts;
int pidof_check_targets(const struct record_opts *ro, size_t npids,
			size_t ntids);
/* The targets into p's metadata: pids (and the command's), tids, target. */
void pidof_meta_targets(struct profile *p, const struct record_opts *ro,
			pid_t child);
/*
 * value.c: --value cpu|off-cpu|wall into *v; -1 after a one-line error.
 * cli_apply_value() replaces *p by its view of *v (profile_view(); v NULL:
 * the profile's default value), leaving a CPU profile shown as samples as
 * it is; -1 after a one-line error naming input (the file) and why (off-cpu
 * of a profile not recorded with --off-cpu is one).
 */
int cli_value_arg(const char *arg, enum profile_value *v);
int cli_apply_value(struct profile **p, const enum profile_value *v,
		    const char *input);
/* A view's graph says what it shows: its title (unless one was given) and
 * "ns" for its counts in tooltips (unless --count-name was). */
void cli_flame_value(const struct profile *p, struct flame_opts *fo);
/* --split thread|process into *by; -1 after a one-line error. */
int cli_split_arg(const char *arg, enum profile_split *by);
/* Replace *p by profile_split(*p, by) (nothing for SPLIT_NONE); warns when
 * input has no tasks to split by. */
void cli_apply_split(struct profile **p, enum profile_split by,
		     const char *input);

/*
 * record_profile.c: record's profile from the sampler's address stacks,
 * root first with the process name as the root and a [truncated] or
 * [unknown] marker above it for a stack cut short; then its metadata, and
 * one --label KEY=VALUE (checked already) as "label.KEY".
 */
struct sampler;
struct symbolizer;
void record_profile_build(struct profile *p, const struct sampler *s,
			  struct symbolizer *sy);
void record_profile_metadata(struct profile *p, const struct sampler *s,
			     const struct record_opts *ro, time_t started);
void record_profile_label(struct profile *p, const char *arg);
/* record_summary.c: record's warnings and its summary line (names: -p's
 * names and their processes; out: the file the profile is in). */
void record_summary(const struct sampler *s, const struct symbolizer *sy,
		    const struct profile *p, const struct record_opts *ro,
		    const char *names, const char *out);

/* Subcommands. */
int cmd_record(int argc, char **argv);
int cmd_svg(int argc, char **argv);
int cmd_fold(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_addr2line(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
