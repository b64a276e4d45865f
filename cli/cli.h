/* SPDX-License-Identifier: MIT */
/*
 * cli/cli.h - what the subcommands share: exit codes, diagnostics and
 * writing a profile in the format an output file name asks for.
 * Only cli/ prints diagnostics and picks exit codes.
 */
#ifndef SCORCH_CLI_H
#define SCORCH_CLI_H

struct profile;
struct flame_opts;

/*
 * Exit codes, the same for every subcommand:
 *  0   success;
 *  1   a regression was found (diff --fail-on-regression) or a budget
 *      was exceeded;
 *  2   usage or input error: bad option, missing or unreadable file,
 *      no such process, an output that cannot be written;
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

enum out_format { OUT_JSON, OUT_FOLDED, OUT_SVG };

/* The format an output path's extension names; -1 if none is known. */
int cli_out_format(const char *path);

/*
 * Write p to path (or stdout for "-", in format fmt) through a temporary
 * file renamed into place. Returns 0, or -1 after printing the error.
 */
int cli_write_profile(const struct profile *p, const char *path,
		      enum out_format fmt, const struct flame_opts *fo);

/* Fail early (message printed) when path could not be written later. */
int cli_check_output(const char *path);

/* Fill unset flame graph titles from the profile's metadata. */
void cli_flame_defaults(const struct profile *p, struct flame_opts *fo,
			char *buf, unsigned long bufsize);

/* Subcommands. */
int cmd_record(int argc, char **argv);
int cmd_svg(int argc, char **argv);
int cmd_fold(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_addr2line(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
