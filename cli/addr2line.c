/* SPDX-License-Identifier: MIT */
/*
 * cli/addr2line.c - `scorch addr2line`: name addresses of one ELF file in a
 * batch, through the same symbolizer `scorch record` uses (each module
 * opened once, each compile unit read once, each address resolved once).
 * Reads hex addresses from the arguments or, without any, one per line
 * from stdin; writes addr2line's layout on stdout. Exits 2 on a missing or
 * unreadable file or an input line that is not an address.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/common.h"
#include "../symbolize/symbolize.h"
#include "cli.h"

static const char addr2line_usage[] =
	"usage: scorch addr2line -e FILE [-a] [-f] [-i] [--file-offsets]\n"
	"                        [--no-demangle] [--debuginfo-path PATH]\n"
	"                        [ADDR...]\n"
	"\n"
	"Name addresses of an ELF file (a program, a shared library, a kernel\n"
	"module), as addr2line does, many times faster on large batches. The\n"
	"addresses (hex, 0x optional) come from the arguments or, without any,\n"
	"one per line from stdin. For each address: with -a the address, with\n"
	"-f the function, then FILE:LINE where that function is defined (not\n"
	"the line of the address; ??:0 when unknown). Names come from the\n"
	"debug info, found in the file itself, through .gnu_debuglink, under\n"
	"/usr/lib/debug/.build-id/ or from debuginfod (when DEBUGINFOD_URLS is\n"
	"set), else from the symbol table; ?? when there is no name.\n"
	"\n"
	"  -e, --exe FILE        the ELF file\n"
	"  -a, --addresses       print each address before its names\n"
	"  -f, --functions       print function names\n"
	"  -i, --inlines         also print the calls the compiler inlined at\n"
	"                        the address, innermost first (as addr2line -i)\n"
	"  -C, --demangle        demangle C++ and Rust names (the default)\n"
	"      --no-demangle     keep names as the binary has them\n"
	"      --file-offsets    the addresses are file offsets (as in\n"
	"                        /proc/PID/maps), not ELF virtual addresses\n"
	"      --debuginfo-path PATH\n"
	"                        where to look for separate debug files\n"
	"                        (default :.debug:/usr/lib/debug)\n"
	"\n"
	"EXAMPLES\n"
	"  scorch addr2line -e /usr/lib/x86_64-linux-gnu/libc.so.6 -f 0x9a000\n"
	"  scorch addr2line -e ./server -a -f -i < addresses.txt\n";

struct addr2line_opts {
	bool addresses, functions, inlines, file_offsets;
};

/* Parse one address ("0x1f00", "1f00", surrounding blanks); 0 or -1. */
static int
addr2line_parse(const char *s, uint64_t *addr)
{
	unsigned long long v;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
	      (*s >= 'A' && *s <= 'F')))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (*end)
		return -1;
	*addr = v;
	return 0;
}

/* A name or file from a binary (it may hold anything) to stdout, through
 * the one escaping set (common/escape.c), as every output shows names. */
static void
addr2line_put(const char *str)
{
	size_t n = strlen(str);
	struct strbuf sb;

	if (!escape_needed(str, n)) {
		fputs_unlocked(str, stdout);
		return;
	}
	strbuf_init(&sb);
	escape_text(&sb, str, n);
	fputs_unlocked(sb.buf, stdout);
	strbuf_fini(&sb);
}

static void
addr2line_print(struct symbolizer *sy, const char *path,
		const struct addr2line_opts *o, uint64_t addr)
{
	struct sym chain[SYM_MAX_CHAIN];
	size_t n, i;

	if (o->file_offsets)
		n = symbolizer_user(sy, path, addr, chain, SYM_MAX_CHAIN);
	else
		n = symbolizer_elf(sy, path, addr, chain, SYM_MAX_CHAIN);
	/* stdio's unlocked calls: ~2x faster than printf on big batches. */
	if (o->addresses) {
		char hex[24];

		snprintf(hex, sizeof(hex), "0x%016" PRIx64 "\n", addr);
		fputs_unlocked(hex, stdout);
	}
	/* addr2line's order: the innermost inlined call first. */
	for (i = n; i-- > 0;) {
		const struct sym *s = &chain[i];

		if (o->functions) {
			addr2line_put(s->named ? s->name : "??");
			putc_unlocked('\n', stdout);
		}
		if (s->file[0]) {
			char num[16];

			addr2line_put(s->file);
			snprintf(num, sizeof(num), ":%" PRIu32 "\n", s->line);
			fputs_unlocked(num, stdout);
		} else {
			fputs_unlocked("??:0\n", stdout);
		}
		if (!o->inlines)
			break;
	}
}

/* path as the symbolizer takes it: absolute, since names that do not start
 * with '/' are the kernel's pseudo-files there ("[vdso]", "//anon"). A
 * relative name is joined to the working directory, not resolved, so a
 * symlink keeps its own name (and its .gnu_debuglink directory). NULL with
 * errno set when the working directory cannot be found. */
static char *
addr2line_abspath(const char *path)
{
	char *cwd, *abs;

	if (path[0] == '/')
		return xstrdup(path);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	abs = xasprintf("%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path);
	free(cwd);
	return abs;
}

int
cmd_addr2line(int argc, char **argv)
{
	enum { OPT_NO_DEMANGLE = 256, OPT_FILE_OFFSETS, OPT_DEBUGINFO };
	static const struct option longopts[] = {
		{ "exe", required_argument, NULL, 'e' },
		{ "addresses", no_argument, NULL, 'a' },
		{ "functions", no_argument, NULL, 'f' },
		{ "inlines", no_argument, NULL, 'i' },
		{ "demangle", no_argument, NULL, 'C' },
		{ "no-demangle", no_argument, NULL, OPT_NO_DEMANGLE },
		{ "file-offsets", no_argument, NULL, OPT_FILE_OFFSETS },
		{ "debuginfo-path", required_argument, NULL, OPT_DEBUGINFO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct symbolizer_opts syo = { 0 };
	struct addr2line_opts o = { 0 };
	const char *path = NULL;
	char *abs;
	struct symbolizer *sy;
	struct scorch_err err;
	int c, ret = EXIT_OK;
	uint64_t addr;
	size_t i;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":e:afiCh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'e':
			path = optarg;
			break;
		case 'a':
			o.addresses = true;
			break;
		case 'f':
			o.functions = true;
			break;
		case 'i':
			o.inlines = true;
			break;
		case 'C':
			syo.no_demangle = false;
			break;
		case OPT_NO_DEMANGLE:
			syo.no_demangle = true;
			break;
		case OPT_FILE_OFFSETS:
			o.file_offsets = true;
			break;
		case OPT_DEBUGINFO:
			syo.debuginfo_path = optarg;
			break;
		case 'h':
			fputs(addr2line_usage, stdout);
			return EXIT_OK;
		default:
			usage_bad_option("addr2line", argv, c);
			return EXIT_USAGE;
		}
	}
	if (!path) {
		cli_error("addr2line: -e FILE is required");
		fputs(addr2line_usage, stderr);
		return EXIT_USAGE;
	}
	/* Check every argument before printing anything. */
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (addr2line_parse(argv[i], &addr) < 0) {
			cli_error("addr2line: '%s' is not a hex address",
				  argv[i]);
			return EXIT_USAGE;
		}
	}
	abs = addr2line_abspath(path);
	if (!abs) {
		cli_error("%s: cannot find the working directory: %s", path,
			  strerror(errno));
		return EXIT_USAGE;
	}
	/* Names as binutils' addr2line gives them: the DWARF names. */
	syo.dwarf_names = true;
	sy = symbolizer_new(&syo);
	if (symbolizer_open(sy, abs, &err) < 0) {
		size_t n = strlen(abs);

		/* Named as the user wrote it. */
		if (!strncmp(err.msg, abs, n))
			cli_error("%s%s", path, err.msg + n);
		else
			cli_error("%s", err.msg);
		symbolizer_free(sy);
		free(abs);
		return EXIT_USAGE;
	}
	path = abs;
	if (optind < argc) {
		for (i = (size_t)optind; i < (size_t)argc; i++) {
			addr2line_parse(argv[i], &addr);
			addr2line_print(sy, path, &o, addr);
		}
	} else {
		char *line = NULL;
		size_t cap = 0, lineno = 0;

		while (getline(&line, &cap, stdin) > 0) {
			lineno++;
			if (line[strspn(line, " \t\r\n")] == '\0')
				continue;
			if (addr2line_parse(line, &addr) < 0) {
				line[strcspn(line, "\r\n")] = '\0';
				cli_error("<stdin>:%zu: '%.64s' is not a hex "
					  "address",
					  lineno, line);
				ret = EXIT_USAGE;
				break;
			}
			addr2line_print(sy, path, &o, addr);
		}
		free(line);
	}
	for (i = 0; i < symbolizer_nwarnings(sy); i++)
		cli_warn("%s", symbolizer_warning(sy, i));
	symbolizer_free(sy);
	free(abs);
	return ret;
}
