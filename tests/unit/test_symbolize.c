/* SPDX-License-Identifier: MIT */
/* tests/unit/test_symbolize.c - kallsyms parsing and lookup, ELF naming. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "symbolize/symbolize.h"

static void
test_kallsyms_parse_line_core_and_module(void **state)
{
	char core[] = "ffffffff81000000 T _stext\n";
	char mod[] = "ffffffffc0a01000 t ext4_read_folio\t[ext4]\n";
	const char *name, *module;
	uint64_t addr;

	(void)state;
	assert_int_equal(kallsyms_parse_line(core, &addr, &name, &module), 1);
	assert_int_equal(addr, 0xffffffff81000000ULL);
	assert_string_equal(name, "_stext");
	assert_string_equal(module, "");
	assert_int_equal(kallsyms_parse_line(mod, &addr, &name, &module), 1);
	assert_string_equal(name, "ext4_read_folio");
	assert_string_equal(module, "ext4");
}

static void
test_kallsyms_parse_line_skips_data_and_rejects_garbage(void **state)
{
	char data[] = "ffffffff82000000 D jiffies\n";
	char bss[] = "ffffffff82000008 b some_flag\n";
	char bad1[] = "zzzz T name\n", bad2[] = "ffff T\n", bad3[] = "ffff\n";
	const char *name, *module;
	uint64_t addr;

	(void)state;
	assert_int_equal(kallsyms_parse_line(data, &addr, &name, &module), 0);
	assert_int_equal(kallsyms_parse_line(bss, &addr, &name, &module), 0);
	assert_int_equal(kallsyms_parse_line(bad1, &addr, &name, &module), -1);
	assert_int_equal(kallsyms_parse_line(bad2, &addr, &name, &module), -1);
	assert_int_equal(kallsyms_parse_line(bad3, &addr, &name, &module), -1);
}

static char *
write_temp(const char *text)
{
	char *path = xstrdup("/tmp/scorch-test-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_kallsyms_find_nearest_below(void **state)
{
	char *path = write_temp("ffffffff81000300 T third\n"
				"ffffffff81000100 T first\n"
				"ffffffff81000200 t second\n"
				"ffffffff81000250 d not_code\n"
				"ffffffffc0000000 t mod_fn\t[mymod]\n");
	struct scorch_err err;
	struct kallsyms *ks = kallsyms_load(path, &err);
	const char *module;
	uint64_t off;

	(void)state;
	assert_non_null(ks);
	assert_false(kallsyms_hidden(ks));
	assert_null(kallsyms_find(ks, 0xffffffff81000000ULL, NULL, NULL));
	assert_string_equal(
		kallsyms_find(ks, 0xffffffff81000100ULL, &module, &off),
		"first");
	assert_int_equal(off, 0);
	assert_string_equal(
		kallsyms_find(ks, 0xffffffff810002ffULL, &module, &off),
		"second");
	assert_int_equal(off, 0xff);
	assert_string_equal(
		kallsyms_find(ks, 0xffffffffc0000010ULL, &module, NULL),
		"mod_fn");
	assert_string_equal(module, "mymod");
	kallsyms_free(ks);
	unlink(path);
	free(path);
}

static void
test_kallsyms_load_hidden_and_missing(void **state)
{
	char *path = write_temp("0000000000000000 T _stext\n"
				"0000000000000000 T do_syscall_64\n");
	struct scorch_err err;
	struct kallsyms *ks = kallsyms_load(path, &err);

	(void)state;
	assert_non_null(ks);
	assert_true(kallsyms_hidden(ks));
	assert_null(kallsyms_find(ks, 0x10, NULL, NULL));
	kallsyms_free(ks);
	unlink(path);
	free(path);
	assert_null(kallsyms_load("/nonexistent/kallsyms", &err));
	assert_non_null(strstr(err.msg, "/nonexistent/kallsyms"));
}

/* A function with a known name, looked up through our own executable. */
__attribute__((noinline)) int test_marker_function(int x);
__attribute__((noinline)) int
test_marker_function(int x)
{
	return x * 3 + 1;
}

/* File offset of code address addr, from /proc/self/maps. */
static int
self_file_offset(uint64_t addr, char *path, size_t pathsz, uint64_t *off)
{
	unsigned long long start, end, pgoff;
	char line[512], perms[8], file[400];
	FILE *fp = fopen("/proc/self/maps", "r");
	int found = -1;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		file[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %399s", &start,
			   &end, perms, &pgoff, file) < 4)
			continue;
		if (addr >= start && addr < end) {
			snprintf(path, pathsz, "%s", file);
			*off = addr - start + pgoff;
			found = 0;
			break;
		}
	}
	fclose(fp);
	return found;
}

static void
test_symbolizer_user_names_own_function(void **state)
{
	struct symbolizer *sy = symbolizer_new(NULL);
	uint64_t addr = (uint64_t)(uintptr_t)&test_marker_function, off = 0;
	struct sym a, b;
	char path[400];

	(void)state;
	assert_int_equal(test_marker_function(1), 4);
	assert_int_equal(self_file_offset(addr, path, sizeof(path), &off), 0);
	assert_int_equal(symbolizer_user(sy, path, off + 2, &a, 1), 1);
	assert_true(a.named);
	assert_string_equal(a.name, "test_marker_function");
	assert_string_equal(a.module, strrchr(path, '/') + 1);
	/* The same address again comes from the cache: the same string. */
	assert_int_equal(symbolizer_user(sy, path, off + 2, &b, 1), 1);
	assert_ptr_equal(a.name, b.name);
	assert_int_equal(symbolizer_nwarnings(sy), 0);
	symbolizer_free(sy);
}

/*
 * A call site inside an inlined function: capture() records its return
 * address, which lies in inlined_helper's code inside test_inline_outer.
 */
static void *captured;
__attribute__((noipa)) void test_capture(void);
__attribute__((noipa)) void
test_capture(void)
{
	captured = __builtin_return_address(0);
}

static inline __attribute__((always_inline)) void
inlined_helper(void)
{
	test_capture();
	__asm__ volatile("" ::: "memory");
}

__attribute__((noipa)) void test_inline_outer(void);
__attribute__((noipa)) void
test_inline_outer(void)
{
	inlined_helper();
	__asm__ volatile("" ::: "memory");
}

static void
test_symbolizer_user_inline_chain(void **state)
{
	struct symbolizer_opts plain = { .no_inline = true };
	struct symbolizer *sy = symbolizer_new(NULL);
	struct sym chain[SYM_MAX_CHAIN];
	uint64_t off = 0;
	char path[400];

	(void)state;
	test_inline_outer();
	/* The call instruction: return address - 1. */
	assert_int_equal(self_file_offset((uint64_t)(uintptr_t)captured - 1,
					  path, sizeof(path), &off),
			 0);
	assert_int_equal(symbolizer_user(sy, path, off, chain, SYM_MAX_CHAIN),
			 2);
	assert_string_equal(chain[0].name, "test_inline_outer");
	assert_false(chain[0].inlined);
	assert_string_equal(chain[1].name, "inlined_helper");
	assert_true(chain[1].inlined);
	/* max bounds what is filled. */
	assert_int_equal(symbolizer_user(sy, path, off, chain, 1), 1);
	symbolizer_free(sy);
	sy = symbolizer_new(&plain);
	assert_int_equal(symbolizer_user(sy, path, off, chain, SYM_MAX_CHAIN),
			 1);
	assert_string_equal(chain[0].name, "test_inline_outer");
	symbolizer_free(sy);
}

static void
test_symbolizer_user_missing_file_falls_back(void **state)
{
	struct symbolizer *sy = symbolizer_new(NULL);
	struct sym s;

	(void)state;
	assert_int_equal(
		symbolizer_user(sy, "/nonexistent/libgone.so", 0x1234, &s, 1),
		1);
	assert_false(s.named);
	assert_string_equal(s.name, "[libgone.so+0x1234]");
	symbolizer_user(sy, "/nonexistent/libgone.so", 0x99, &s, 1);
	assert_string_equal(s.name, "[libgone.so+0x99]");
	/* One warning per module, not per address. */
	assert_int_equal(symbolizer_nwarnings(sy), 1);
	assert_non_null(
		strstr(symbolizer_warning(sy, 0), "/nonexistent/libgone.so"));
	symbolizer_free(sy);
}

static void
test_symbolizer_user_garbage_elf(void **state)
{
	char *path = write_temp("this is not an ELF file at all\n");
	struct symbolizer *sy = symbolizer_new(NULL);
	struct sym s;

	(void)state;
	symbolizer_user(sy, path, 0x10, &s, 1);
	assert_false(s.named);
	assert_int_equal(symbolizer_nwarnings(sy), 1);
	symbolizer_free(sy);
	unlink(path);
	free(path);
}

/* The vDSO has no file: scorch names it from its own copy of the image. */
static void
test_symbolizer_user_names_vdso(void **state)
{
	struct symbolizer *sy = symbolizer_new(NULL);
	bool found = false;
	uint64_t off;
	struct sym s;

	(void)state;
	for (off = 0; off < 8192 && !found; off += 4) {
		symbolizer_user(sy, "[vdso]", off, &s, 1);
		found = s.named && strstr(s.name, "clock_gettime");
	}
	assert_true(found);
	assert_string_equal(s.module, "[vdso]");
	assert_int_equal(symbolizer_nwarnings(sy), 0);
	symbolizer_free(sy);
}

static void
test_demangle_name_cases(void **state)
{
	static const struct {
		const char *in, *want;
		bool demangle;
	} cases[] = {
		{ "_ZN4node5StartEiPPc", "node::Start(int, char**)", true },
		{ "_ZNSt6vectorIiSaIiEE9push_backERKi",
		  "std::vector<int, std::allocator<int> >::push_back(int const&)",
		  true },
		{ "_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write",
		  true },
		{ "_RNvCs1234_7mycrate3foo", "mycrate::foo", true },
		{ "main", "main", true },
		{ "_Znot_really_mangled", "_Znot_really_mangled", true },
		{ "pthread_rwlock_unlock@@GLIBC_2.34", "pthread_rwlock_unlock",
		  true },
		{ "memcpy@GLIBC_2.2.5", "memcpy", true },
		{ "_ZN4node5StartEiPPc", "_ZN4node5StartEiPPc", false },
		{ "_ZN4node5StartEiPPc@@NODE_1", "_ZN4node5StartEiPPc", false },
		{ "odd@name with space", "odd@name with space", true },
		{ "trailing@", "trailing@", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = demangle_name(cases[i].in, cases[i].demangle);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void
test_perfmap_parse_line(void **state)
{
	char good[] = "7ff1ec006180 2c4 JS:*scorchHotLoop /tmp/t/hot.js:1:23\n";
	char nosize[] = "7ff1ec006180 0 JS:*f\n", noname[] = "1000 10 \n",
	     junk[] = "hello world\n", wrap[] = "ffffffffffffffff 10 x\n";
	const char *name;
	uint64_t start, size;

	(void)state;
	assert_int_equal(perfmap_parse_line(good, &start, &size, &name), 0);
	assert_int_equal(start, 0x7ff1ec006180ULL);
	assert_int_equal(size, 0x2c4);
	assert_string_equal(name, "JS:*scorchHotLoop /tmp/t/hot.js:1:23");
	assert_int_equal(perfmap_parse_line(nosize, &start, &size, &name), -1);
	assert_int_equal(perfmap_parse_line(noname, &start, &size, &name), -1);
	assert_int_equal(perfmap_parse_line(junk, &start, &size, &name), -1);
	assert_int_equal(perfmap_parse_line(wrap, &start, &size, &name), -1);
}

static void
test_perfmap_find_later_entry_wins(void **state)
{
	/* Code at 0x1000 was freed and reused: the later line is live. */
	char *path = write_temp("1000 100 old_function\n"
				"2000 10 other\n"
				"garbage line\n"
				"1040 20 new_function\n");
	struct scorch_err err;
	struct perfmap *pm = perfmap_load(path, &err);

	(void)state;
	assert_non_null(pm);
	assert_string_equal(perfmap_find(pm, 0x1000), "old_function");
	assert_string_equal(perfmap_find(pm, 0x1050), "new_function");
	assert_string_equal(perfmap_find(pm, 0x1070), "old_function");
	assert_string_equal(perfmap_find(pm, 0x200f), "other");
	assert_null(perfmap_find(pm, 0x2010));
	assert_null(perfmap_find(pm, 0xfff));
	perfmap_free(pm);
	unlink(path);
	free(path);
}

static void
test_perfmap_load_refuses_symlink(void **state)
{
	char *target = write_temp("1000 10 f\n");
	char link[] = "/tmp/scorch-test-link-XXXXXX";
	struct scorch_err err;
	int fd = mkstemp(link);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(link);
	assert_int_equal(symlink(target, link), 0);
	assert_null(perfmap_load(link, &err));
	assert_non_null(strstr(err.msg, link));
	assert_null(perfmap_load("/nonexistent/perf-1.map", &err));
	unlink(link);
	unlink(target);
	free(target);
}

static void
test_symbolizer_kernel_with_fixture(void **state)
{
	char *path = write_temp("ffffffff81000100 T schedule\n"
				"ffffffff81000200 T do_idle\n");
	struct symbolizer_opts o = { .kallsyms_path = path };
	struct symbolizer *sy = symbolizer_new(&o);
	struct sym s;

	(void)state;
	symbolizer_kernel(sy, 0xffffffff81000150ULL, &s);
	assert_true(s.named);
	assert_string_equal(s.name, "schedule");
	symbolizer_kernel(sy, 0x10, &s);
	assert_false(s.named);
	assert_string_equal(s.name, "[kernel]");
	symbolizer_free(sy);
	unlink(path);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kallsyms_parse_line_core_and_module),
		cmocka_unit_test(
			test_kallsyms_parse_line_skips_data_and_rejects_garbage),
		cmocka_unit_test(test_kallsyms_find_nearest_below),
		cmocka_unit_test(test_kallsyms_load_hidden_and_missing),
		cmocka_unit_test(test_symbolizer_user_names_own_function),
		cmocka_unit_test(test_symbolizer_user_inline_chain),
		cmocka_unit_test(test_symbolizer_user_missing_file_falls_back),
		cmocka_unit_test(test_symbolizer_user_garbage_elf),
		cmocka_unit_test(test_symbolizer_user_names_vdso),
		cmocka_unit_test(test_demangle_name_cases),
		cmocka_unit_test(test_perfmap_parse_line),
		cmocka_unit_test(test_perfmap_find_later_entry_wins),
		cmocka_unit_test(test_perfmap_load_refuses_symlink),
		cmocka_unit_test(test_symbolizer_kernel_with_fixture),
	};

	return cmocka_run_group_tests_name("symbolize", tests, NULL, NULL);
}
