/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_modules.c - the load bias of a mapping, against what the
 * loader did, on the layouts real linkers write: GNU ld, gold and LLD,
 * PIE, non-PIE and static-pie, code in its own pages or sharing one with
 * read-only data, and a shared library of the same linker. Each layout's
 * tiny program is built here, run, and prints its loader's biases
 * (dl_iterate_phdr) and its own maps; every executable mapping of the
 * program and of its libraries must get the loader's bias.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sampler/internal.h"

/* Prints "obj BIAS NAME" per loaded object, then "map LINE" per maps line. */
static const char probe_src[] =
	"#define _GNU_SOURCE\n"
	"#include <link.h>\n"
	"#include <stdio.h>\n"
	"static int obj(struct dl_phdr_info *i, size_t n, void *d)\n"
	"{\n"
	"	(void)n; (void)d;\n"
	"	printf(\"obj %lx %s\\n\", (unsigned long)i->dlpi_addr,\n"
	"	       i->dlpi_name[0] ? i->dlpi_name : \"-\");\n"
	"	return 0;\n"
	"}\n"
	"#ifdef WITH_LIB\n"
	"int probe_lib(int x);\n"
	"#else\n"
	"#define probe_lib(x) (x)\n"
	"#endif\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	char line[8192];\n"
	"	FILE *f = fopen(\"/proc/self/maps\", \"r\");\n"
	"	(void)argv;\n"
	"	printf(\"lib %d\\n\", probe_lib(argc));\n"
	"	dl_iterate_phdr(obj, 0);\n"
	"	while (f && fgets(line, sizeof(line), f))\n"
	"		printf(\"map %s\", line);\n"
	"	return 0;\n"
	"}\n";

struct layout {
	const char *name;
	const char *cc;	   /* compiler driver */
	const char *flags; /* linker choice and layout */
	const char *needs; /* the tool whose absence skips, or NULL */
	bool shlib;	   /* also a shared library of the same linker */
};

static char workdir[] = "/tmp/scorch-test-modules-XXXXXX";

static int
setup_dir(void **state)
{
	char path[PATH_MAX];
	FILE *f;

	(void)state;
	if (!mkdtemp(workdir))
		return -1;
	snprintf(path, sizeof(path), "%s/probe.c", workdir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(probe_src, f);
	return fclose(f);
}

static int
teardown_dir(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

struct loaded {
	char path[PATH_MAX]; /* real path, as maps names it */
	uint64_t bias;
};

/* Check every executable file mapping the probe printed; returns how many. */
static int
check_probe_output(FILE *out, const char *exe, const char *layout,
		   bool *saw_exe, bool *saw_lib)
{
	char lib[PATH_MAX];
	struct loaded objs[64];
	struct module_table *mt = module_table_new();
	size_t nobj = 0, i;
	char line[PATH_MAX + 256];
	int checked = 0;

	snprintf(lib, sizeof(lib), "/lib%s.so", layout);
	while (fgets(line, sizeof(line), out)) {
		unsigned long long bias;
		char name[PATH_MAX];
		struct addr_map m;
		uint64_t got;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "obj %llx %4095s", &bias, name) == 2 &&
		    nobj < 64) {
			const char *p = strcmp(name, "-") ? name : exe;

			if (!realpath(p, objs[nobj].path))
				continue; /* linux-vdso.so.1 */
			objs[nobj++].bias = bias;
			continue;
		}
		if (strncmp(line, "map ", 4) ||
		    maps_parse_line(line + 4, &m) != 1 || m.path[0] != '/')
			continue;
		for (i = 0; i < nobj && strcmp(objs[i].path, m.path); i++)
			;
		if (i == nobj)
			continue;
		m.module = module_table_get(mt, 0, &m);
		assert_true(module_table_bias(mt, &m, &got));
		if (got != objs[i].bias)
			fail_msg("%s at %" PRIx64 " (file offset %" PRIx64
				 "): bias %" PRIx64 ", the loader's %" PRIx64,
				 m.path, m.start, m.pgoff, got, objs[i].bias);
		checked++;
		if (!strcmp(m.path, objs[0].path))
			*saw_exe = true;
		if (strlen(m.path) > strlen(lib) &&
		    !strcmp(m.path + strlen(m.path) - strlen(lib), lib))
			*saw_lib = true;
	}
	module_table_free(mt);
	return checked;
}

static void
test_layout(void **state)
{
	const struct layout *l = *state;
	char exe[PATH_MAX], cmd[3 * PATH_MAX], real[PATH_MAX];
	bool saw_exe = false, saw_lib = false;
	FILE *out;
	int checked;

	snprintf(exe, sizeof(exe), "%s/%s", workdir, l->name);
	if (l->shlib)
		snprintf(
			cmd, sizeof(cmd),
			"echo 'int probe_lib(int x) { return x * 3; }' | "
			"%s -O1 -g -shared -fPIC %.*s -o '%s/lib%s.so' -xc - && "
			"%s -O1 -g %s -DWITH_LIB -o '%s' '%s/probe.c' "
			"-L'%s' -l%s -Wl,-rpath,'%s' 2>&1",
			l->cc, (int)strcspn(l->flags, " "), l->flags, workdir,
			l->name, l->cc, l->flags, exe, workdir, workdir,
			l->name, workdir);
	else
		snprintf(cmd, sizeof(cmd),
			 "%s -O1 -g %s -o '%s' '%s/probe.c' 2>&1", l->cc,
			 l->flags, exe, workdir);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null",
			 l->needs ? l->needs : l->cc);
		if (l->needs && system(cmd) != 0) {
			fprintf(stderr,
				"SKIP: %s: %s not installed "
				"(scripts/deps.sh installs it)\n",
				l->name, l->needs);
			skip();
		}
		fail_msg("%s: could not build the probe: %s", l->name, cmd);
	}
	assert_non_null(realpath(exe, real));
	out = popen(exe, "r");
	assert_non_null(out);
	checked = check_probe_output(out, real, l->name, &saw_exe, &saw_lib);
	assert_int_equal(pclose(out), 0);
	if (!saw_exe)
		fail_msg("%s: no executable mapping of the program checked",
			 l->name);
	if (l->shlib && !saw_lib)
		fail_msg("%s: no executable mapping of lib%s.so checked",
			 l->name, l->name);
	assert_true(checked >= 1);
}

static const struct layout layouts[] = {
	{ "ld-pie", "gcc", "-fuse-ld=bfd -pie -fPIE", NULL, true },
	{ "ld-nopie", "gcc", "-fuse-ld=bfd -no-pie -fno-PIE", NULL, false },
	{ "ld-noseparate", "gcc", "-fuse-ld=bfd -Wl,-z,noseparate-code", NULL,
	  false },
	{ "ld-static-pie", "gcc", "-fuse-ld=bfd -static-pie -fPIE", NULL,
	  false },
	{ "gold-pie", "gcc", "-fuse-ld=gold -pie -fPIE", "ld.gold", true },
	{ "gold-nopie", "gcc", "-fuse-ld=gold -no-pie -fno-PIE", "ld.gold",
	  false },
	{ "lld-pie", "clang", "-fuse-ld=lld -pie -fPIE", "clang ld.lld", true },
	{ "lld-nopie", "clang", "-fuse-ld=lld -no-pie -fno-PIE", "clang ld.lld",
	  false },
	{ "lld-separate", "clang", "-fuse-ld=lld -Wl,-z,separate-code",
	  "clang ld.lld", false },
	{ "lld-static-pie", "clang", "-fuse-ld=lld -static-pie -fPIE",
	  "clang ld.lld", false },
};

int
main(void)
{
	struct CMUnitTest tests[sizeof(layouts) / sizeof(layouts[0])];
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		struct CMUnitTest t = { layouts[i].name, test_layout, NULL,
					NULL, (void *)&layouts[i] };

		tests[i] = t;
	}
	return _cmocka_run_group_tests("modules", tests, i, setup_dir,
				       teardown_dir);
}
