/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_symbolize.c - kallsyms parsing and lookup, ELF naming,
 * file:line, separate debug files, corrupt input, demangling, perf maps.
 */
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

#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <inttypes.h>

#include "common/common.h"
#include "sampler/internal.h"
#include "symbolize/internal.h"
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
enum { MARKER_LINE = __LINE__ + 2 }; /* the line of its name, below */
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
	/* Where it is defined: this file (as the compiler was given it). */
	assert_non_null(strstr(a.file, "tests/unit/test_symbolize.c"));
	assert_int_equal(a.line, MARKER_LINE);
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

enum { HELPER_LINE = __LINE__ + 2 };
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
	/* An inlined call's definition, through its abstract origin. */
	assert_non_null(strstr(chain[1].file, "test_symbolize.c"));
	assert_int_equal(chain[1].line, HELPER_LINE);
	assert_int_equal(chain[0].line, HELPER_LINE + 8);
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

/*
 * The vDSO has no file: the sampler hands over scorch's own copy of the
 * image (the kernel maps the same one into every process), and the
 * symbolizer names it through the caller's descriptor.
 */
static void
test_symbolizer_module_user_names_vdso(void **state)
{
	struct symbolizer *sy = symbolizer_new(NULL);
	struct module_table *mt = module_table_new();
	struct addr_map m = { .start = 0x1000,
			      .end = 0x3000,
			      .path = "[vdso]" };
	struct sym_module sm = { .path = "[vdso]", .root_fd = -1 };
	bool found = false;
	uint64_t off;
	struct sym s;

	(void)state;
	sm.id = module_table_get(mt, 1, &m);
	sm.fd = module_table_at(mt, (uint32_t)sm.id)->fd;
	assert_true(sm.fd >= 0);
	for (off = 0; off < 8192 && !found; off += 4) {
		symbolizer_module_user(sy, &sm, off, &s, 1);
		found = s.named && strstr(s.name, "clock_gettime");
	}
	assert_true(found);
	assert_string_equal(s.module, "[vdso]");
	assert_int_equal(symbolizer_nwarnings(sy), 0);
	symbolizer_free(sy);
	module_table_free(mt);
}

/* A module the caller says cannot be read warns once and names nothing. */
static void
test_symbolizer_module_user_unreadable(void **state)
{
	struct symbolizer *sy = symbolizer_new(NULL);
	struct sym_module sm = { .id = 7,
				 .path = "/proc/self/exe",
				 .fd = -1,
				 .root_fd = -1,
				 .unreadable = "the file was replaced" };
	struct sym s;

	(void)state;
	symbolizer_module_user(sy, &sm, 0x1000, &s, 1);
	symbolizer_module_user(sy, &sm, 0x1010, &s, 1);
	assert_false(s.named);
	assert_string_equal(s.name, "[exe+0x1010]");
	assert_int_equal(symbolizer_nwarnings(sy), 1);
	assert_non_null(strstr(symbolizer_warning(sy, 0),
			       "/proc/self/exe: the file was replaced"));
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
		/* C++: namespaces, templates, operators, lambdas, ctor/dtor */
		{ "_ZN3geo3dotIiEET_RKNS_3VecIS1_EES5_",
		  "int geo::dot<int>(geo::Vec<int> const&, geo::Vec<int> "
		  "const&)",
		  true },
		{ "_ZNK3geo3VecIiEplERKS1_",
		  "geo::Vec<int>::operator+(geo::Vec<int> const&) const",
		  true },
		{ "_ZZ3runiENKUliE_clEi",
		  "run(int)::{lambda(int)#1}::operator()(int) const", true },
		{ "_ZN3foo3BarC2Ev", "foo::Bar::Bar()", true },
		{ "_ZN3foo3BarD1Ev", "foo::Bar::~Bar()", true },
		/* Rust legacy: the hash dropped, $-escapes decoded */
		{ "_ZN5tokio7runtime4task3raw7RawTask4poll17h3e2b1a2c3d4e5f60E",
		  "tokio::runtime::task::raw::RawTask::poll", true },
		{ "_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$"
		  "RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h5c2b6e0f6a3c3e9fE",
		  "core::ptr::drop_in_place<std::rt::lang_start<()>::{{"
		  "closure}}>",
		  true },
		/* Rust v0: generics, inherent and trait impls */
		{ "_RINvNtCs1234_7mycrate4util3maplEB4_",
		  "mycrate::util::map::<i32>", true },
		{ "_RNvMs_NtCs4fqI2P2rA04_3std4pathNtB4_7PathBuf4push",
		  "<std::path::PathBuf>::push", true },
		{ "_RNvXs5_NtCsd4VYFwevHkG_4core3fmtNtB5_9ArgumentsNtB5_"
		  "7Display3fmt",
		  "<core::fmt::Arguments as core::fmt::Display>::fmt", true },
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

/* kallsyms' [module] column names the frame's module; never a wrong name
 * far past the last symbol of a region. */
static void
test_symbolizer_kernel_modules(void **state)
{
	char *path = write_temp("ffffffff81000100 T schedule\n"
				"ffffffff81000200 T do_idle\n"
				"ffffffffc0a01000 t ext4_read_folio\t[ext4]\n"
				"ffffffffc0a02000 T ext4_iget\t[ext4]\n");
	struct symbolizer_opts o = { .kallsyms_path = path };
	struct symbolizer *sy = symbolizer_new(&o);
	struct sym s;

	(void)state;
	symbolizer_kernel(sy, 0xffffffffc0a01010ULL, &s);
	assert_true(s.named);
	assert_string_equal(s.name, "ext4_read_folio");
	assert_string_equal(s.module, "ext4");
	symbolizer_kernel(sy, 0xffffffff81000210ULL, &s);
	assert_string_equal(s.name, "do_idle");
	assert_string_equal(s.module, "[kernel]");
	/* BPF or module code scorch has no symbol for: 1 GiB past do_idle. */
	symbolizer_kernel(sy, 0xffffffffa0001000ULL, &s);
	assert_false(s.named);
	assert_string_equal(s.name, "[kernel]");
	assert_int_equal(symbolizer_nwarnings(sy), 0);
	symbolizer_free(sy);
	unlink(path);
	free(path);
}

/* kptr_restrict: every address reads 0. One warning, [kernel] frames. */
static void
test_symbolizer_kernel_hidden_warns_once(void **state)
{
	char *path = write_temp("0000000000000000 T schedule\n"
				"0000000000000000 T do_idle\n"
				"0000000000000000 t ext4_iget\t[ext4]\n");
	struct symbolizer_opts o = { .kallsyms_path = path };
	struct symbolizer *sy = symbolizer_new(&o);
	uint64_t addr;
	struct sym s;

	(void)state;
	for (addr = 0xffffffff81000000ULL; addr < 0xffffffff81000400ULL;
	     addr += 0x40) {
		symbolizer_kernel(sy, addr, &s);
		assert_false(s.named);
		assert_string_equal(s.name, "[kernel]");
		assert_string_equal(s.module, "[kernel]");
	}
	assert_int_equal(symbolizer_nwarnings(sy), 1);
	assert_non_null(strstr(symbolizer_warning(sy, 0), "kptr_restrict"));
	symbolizer_free(sy);
	unlink(path);
	free(path);
}

/* The path of this test binary and the file offset of the marker. */
static void
self_marker(char *path, size_t pathsz, uint64_t *off)
{
	assert_int_equal(
		self_file_offset((uint64_t)(uintptr_t)&test_marker_function,
				 path, pathsz, off),
		0);
	*off += 2;
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = xmalloc((size_t)n);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void
write_all(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/*
 * Corrupt copies of a real ELF file (this test binary): truncated at
 * several points, section headers overwritten, absurd header counts. Each
 * keeps its frames as [file+0xOFF], with exactly one warning, and no crash
 * (this runs under ASan too).
 */
static void
test_symbolizer_user_corrupt_elf(void **state)
{
	char self[400], dir[] = "/tmp/scorch-test-XXXXXX", path[512];
	size_t len, cut[] = { 16, 64, 700, 4096, 0, 0 }, i;
	uint64_t off;
	char *orig;

	(void)state;
	self_marker(self, sizeof(self), &off);
	orig = read_all(self, &len);
	cut[4] = len / 2;
	cut[5] = len - 1;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < ARRAY_SIZE(cut) + 3; i++) {
		struct symbolizer *sy = symbolizer_new(NULL);
		char *copy = xmalloc(len);
		size_t n = len;
		struct sym s;

		memcpy(copy, orig, len);
		if (i < ARRAY_SIZE(cut)) {
			n = cut[i];
		} else if (i == ARRAY_SIZE(cut)) {
			/* e_shoff points past the end of the file */
			memset(copy + 0x28, 0x7f, 8);
		} else if (i == ARRAY_SIZE(cut) + 1) {
			/* e_phnum and e_shnum at their maximum */
			memset(copy + 0x38, 0xff, 2);
			memset(copy + 0x3c, 0xff, 2);
		} else {
			/* the last 8 KiB (section headers, names) garbage */
			memset(copy + len - 8192, 0xa5, 8192);
		}
		snprintf(path, sizeof(path), "%s/bad%zu", dir, i);
		write_all(path, copy, n);
		symbolizer_user(sy, path, off, &s, 1);
		assert_false(s.named);
		assert_non_null(strstr(s.name, "[bad"));
		symbolizer_user(sy, path, off + 64, &s, 1);
		symbolizer_user(sy, path, 0x10, &s, 1);
		if (symbolizer_nwarnings(sy) != 1)
			fail_msg("corrupt copy %zu: %zu warnings", i,
				 symbolizer_nwarnings(sy));
		assert_non_null(strstr(symbolizer_warning(sy, 0), path));
		symbolizer_free(sy);
		unlink(path);
		free(copy);
	}
	free(orig);
	rmdir(dir);
}

/* The build-id of an ELF file as lowercase hex, through libelf. */
static void
build_id_hex(const char *path, char *hex, size_t hexsz)
{
	Dwfl_Callbacks cb = { .find_elf = dwfl_build_id_find_elf,
			      .find_debuginfo = dwfl_standard_find_debuginfo };
	Dwfl *dwfl = dwfl_begin(&cb);
	const unsigned char *id;
	GElf_Addr vaddr;
	Dwfl_Module *mod;
	int n, i;

	assert_non_null(dwfl);
	mod = dwfl_report_offline(dwfl, "x", path, -1);
	assert_non_null(mod);
	n = dwfl_module_build_id(mod, &id, &vaddr);
	assert_true(n > 2 && (size_t)n * 2 < hexsz);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	dwfl_end(dwfl);
}

static int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
run_cmd(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/*
 * A stripped copy of this binary gets its names, file and line from a debug
 * file found by build-id (DIR/.build-id/xx/rest.debug) under a debuginfo
 * path; truncated, that debug file gives one warning and unnamed frames.
 */
static void
test_symbolizer_build_id_debug_file(void **state)
{
	char self[400], dir[] = "/tmp/scorch-test-XXXXXX", bin[512], dbg[1024],
			hex[128], sub[600];
	struct symbolizer_opts o = { 0 };
	struct symbolizer *sy;
	size_t len;
	uint64_t off;
	struct sym s;
	char *data;

	(void)state;
	if (system("objcopy --version >/dev/null 2>&1") != 0)
		skip(); /* binutils is in scripts/deps.sh */
	self_marker(self, sizeof(self), &off);
	assert_non_null(mkdtemp(dir));
	snprintf(bin, sizeof(bin), "%s/stripped", dir);
	assert_int_equal(run_cmd("objcopy --strip-all '%s' '%s'", self, bin),
			 0);
	build_id_hex(bin, hex, sizeof(hex));
	snprintf(sub, sizeof(sub), "%s/.build-id/%.2s", dir, hex);
	assert_int_equal(run_cmd("mkdir -p '%s'", sub), 0);
	snprintf(dbg, sizeof(dbg), "%s/%s.debug", sub, hex + 2);
	assert_int_equal(
		run_cmd("objcopy --only-keep-debug '%s' '%s'", self, dbg), 0);

	o.debuginfo_path = dir;
	sy = symbolizer_new(&o);
	symbolizer_user(sy, bin, off, &s, 1);
	assert_true(s.named);
	assert_string_equal(s.name, "test_marker_function");
	assert_string_equal(s.module, "stripped");
	assert_int_equal(s.line, MARKER_LINE);
	assert_int_equal(symbolizer_nwarnings(sy), 0);
	symbolizer_free(sy);

	/* Truncated to a third: unusable, said once. */
	data = read_all(dbg, &len);
	write_all(dbg, data, len / 3);
	free(data);
	sy = symbolizer_new(&o);
	symbolizer_user(sy, bin, off, &s, 1);
	assert_false(s.named);
	assert_non_null(strstr(s.name, "[stripped+0x"));
	symbolizer_user(sy, bin, off + 32, &s, 1);
	assert_int_equal(symbolizer_nwarnings(sy), 1);
	assert_non_null(strstr(symbolizer_warning(sy, 0), "unusable"));
	assert_non_null(strstr(symbolizer_warning(sy, 0), dbg));
	symbolizer_free(sy);
	assert_int_equal(run_cmd("rm -rf '%s'", dir), 0);
}

/* symtab_find() makes dwfl_module_addrinfo()'s choice, on libc (aliases,
 * local and global symbols, assembly labels) and on this binary. */
/* Is a (a module address) inside one of mod's executable segments? */
static bool
symtab_test_in_code(Dwfl_Module *mod, Dwarf_Addr a)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	size_t i, n;

	if (!elf || elf_getphdrnum(elf, &n) != 0)
		return true;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    (ph.p_flags & PF_X) && a >= ph.p_vaddr + bias &&
		    a < ph.p_vaddr + bias + ph.p_memsz)
			return true;
	}
	return false;
}

static void
check_symtab_against_dwfl(const char *path, uint64_t step)
{
	Dwfl_Callbacks cb = { .find_elf = dwfl_build_id_find_elf,
			      .find_debuginfo = dwfl_standard_find_debuginfo,
			      .section_address = dwfl_offline_section_address };
	Dwfl *dwfl = dwfl_begin(&cb);
	Dwarf_Addr start, end, a;
	struct symtab *st;
	Dwfl_Module *mod;
	size_t n = 0, named = 0;

	assert_non_null(dwfl);
	dwfl_report_begin(dwfl);
	mod = dwfl_report_elf(dwfl, "m", path, -1, 0, true);
	dwfl_report_end(dwfl, NULL, NULL);
	assert_non_null(mod);
	st = symtab_new(mod);
	assert_non_null(st);
	dwfl_module_info(mod, NULL, &start, &end, NULL, NULL, NULL, NULL);
	for (a = start; a < end; a += step) {
		GElf_Off o;
		GElf_Sym sym;
		const char *want, *got;

		/* Code addresses only: samples are instruction pointers, and
		 * an ASan build's data (redzones, padded literals) is most of
		 * the module's range and has no symbols. */
		if (!symtab_test_in_code(mod, a))
			continue;
		want = dwfl_module_addrinfo(mod, a, &o, &sym, NULL, NULL, NULL);
		got = symtab_find(st, a);

		if ((want == NULL) != (got == NULL) ||
		    (want && strcmp(want, got)))
			fail_msg("%s+0x%" PRIx64 ": dwfl says %s, symtab %s",
				 path, (uint64_t)a, want ? want : "NULL",
				 got ? got : "NULL");
		n++;
		named += want != NULL;
	}
	/* Enough named addresses to mean something (data and bss, big in
	 * a sanitizer build, have none). */
	assert_true(n > 50 && named > 50);
	symtab_free(st);
	dwfl_end(dwfl);
}

static void
test_symtab_matches_dwfl(void **state)
{
	char self[400], libc[400];
	uint64_t off;

	(void)state;
	self_marker(self, sizeof(self), &off);
	check_symtab_against_dwfl(self, 13);
	assert_int_equal(self_file_offset((uint64_t)(uintptr_t)&fopen, libc,
					  sizeof(libc), &off),
			 0);
	check_symtab_against_dwfl(libc, 997);
}

/* Is sym an IFUNC symbol of path whose resolver is at value (readelf)? */
static bool
ifunc_at(const char *path, uint64_t value, const char *sym)
{
	char cmd[700], line[1024];
	bool found = false;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "readelf -sW '%s'", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char type[32], name[900];
		uint64_t v;

		if (sscanf(line, " %*u: %" SCNx64 " %*s %31s %*s %*s %*s %899s",
			   &v, type, name) == 3 &&
		    v == value && !strcmp(type, "IFUNC")) {
			name[strcspn(name, "@")] = '\0';
			found |= !strcmp(name, sym);
		}
	}
	pclose(f);
	return found;
}

/*
 * got, scorch's name for an entry objdump names want: the same, or for an
 * IRELATIVE entry objdump calls "*ABS*+0xR@plt" an IFUNC at R ("SYM@plt",
 * as perf names it) or objdump's name when path has none there.
 */
static bool
plt_name_ok(const char *path, const char *want, const char *got)
{
	uint64_t r;
	size_t len = got ? strlen(got) : 0;
	char sym[900];

	if (!got)
		return false;
	if (!strcmp(want, got))
		return true;
	if (sscanf(want, "*ABS*+0x%" SCNx64 "@plt", &r) != 1 || len < 5 ||
	    len - 4 >= sizeof(sym) || strcmp(got + len - 4, "@plt"))
		return false;
	snprintf(sym, sizeof(sym), "%.*s", (int)(len - 4), got);
	return ifunc_at(path, r, sym);
}

/*
 * Every PLT entry objdump -d names "SYMBOL@plt" gets that name from
 * scorch (plt_name_ok()), at its first byte and inside it, in path; the
 * entries' count goes to *n and whether one is want_sym@plt is returned.
 */
static bool
check_plt_against_objdump(const char *path, const char *want_sym, size_t *n)
{
	struct symbolizer_opts o = { .no_demangle = true };
	struct symbolizer *sy = symbolizer_new(&o);
	char cmd[700], line[1024], want[300];
	bool found = false;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "objdump -d '%s'", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	snprintf(want, sizeof(want), "%s@plt", want_sym);
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		char name[900];
		uint64_t a;
		size_t len, d;

		if (sscanf(line, "%" SCNx64 " <%899[^>]>:", &a, name) != 2)
			continue;
		len = strlen(name);
		if (len < 5 || strcmp(name + len - 4, "@plt"))
			continue;
		for (d = 0; d < 6; d += 5) {
			struct sym s;

			memset(&s, 0, sizeof(s));
			symbolizer_elf(sy, path, a + d, &s, 1);
			if (!plt_name_ok(path, name, s.name))
				fail_msg("%s+0x%" PRIx64 ": objdump says %s, "
					 "scorch %s",
					 path, a + d, name,
					 s.name ? s.name : "NULL");
		}
		found |= !strcmp(name, want);
		(*n)++;
	}
	pclose(f);
	symbolizer_free(sy);
	return found;
}

/* PLT entries by GNU ld (lazy and -z now, with and without IBT's
 * .plt.sec, PIE and not, .plt.got), LLD when installed, a shared library
 * and libc are named as objdump -d names them. */
static void
test_plt_names_match_objdump(void **state)
{
	static const char *const builds[] = {
		"gcc -fcf-protection=none",
		"gcc -fcf-protection -Wl,-z,ibt",
		"gcc -fcf-protection -Wl,-z,ibt,-z,now",
		"gcc -fcf-protection=none -Wl,-z,now",
		"gcc -no-pie -fcf-protection=none",
		"clang -fuse-ld=lld",
		"clang -fuse-ld=lld -fcf-protection -Wl,-z,force-ibt",
		"gcc -shared -fPIC -fcf-protection -Wl,-z,ibt",
		"gcc -shared -fPIC -fcf-protection=none",
		"clang -fuse-ld=lld -shared -fPIC",
	};
	char dir[] = "/tmp/scorch-test-XXXXXX", src[600], bin[600], libc[400];
	uint64_t off;
	size_t i, n;
	FILE *f;

	(void)state;
	if (system("objdump --version >/dev/null 2>&1") != 0 ||
	    system("gcc --version >/dev/null 2>&1") != 0)
		skip(); /* binutils and gcc are in scripts/deps.sh */
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/p.c", dir);
	f = fopen(src, "w");
	assert_non_null(f);
	/* memcpy and strlen through the PLT; memmove also by address (a
	 * GOT reference: GNU ld's .plt.got with __cxa_finalize). */
	fputs("#include <stdio.h>\n#include <string.h>\n"
	      "void *(*volatile fp)(void *, const void *, size_t) = memmove;\n"
	      "int main(int c, char **v) { static char a[64];\n"
	      "memcpy(a, v[0], (size_t)c); memmove(a, a + 1, 3);\n"
	      "printf(\"%zu %p\\n\", strlen(a), (void *)fp); return 0; }\n",
	      f);
	fclose(f);
	for (i = 0; i < ARRAY_SIZE(builds); i++) {
		if (!strncmp(builds[i], "clang", 5) &&
		    system("clang --version >/dev/null 2>&1 && "
			   "ld.lld --version >/dev/null 2>&1") != 0) {
			print_message("clang/lld not installed: %s skipped\n",
				      builds[i]);
			continue;
		}
		snprintf(bin, sizeof(bin), "%s/b%zu", dir, i);
		assert_int_equal(run_cmd("%s -O2 -fno-builtin -o '%s' '%s' "
					 "2>/dev/null",
					 builds[i], bin, src),
				 0);
		assert_true(check_plt_against_objdump(bin, "memcpy", &n));
		assert_true(n >= 3);
	}
	assert_int_equal(self_file_offset((uint64_t)(uintptr_t)&fopen, libc,
					  sizeof(libc), &off),
			 0);
	check_plt_against_objdump(libc, "", &n);
	assert_true(n > 10);
	assert_int_equal(run_cmd("rm -rf '%s'", dir), 0);
}

/* A relocated GOT slot of a test binary (readelf -rW): its symbol, or for
 * an IRELATIVE one (sym "") its resolver. */
struct plt_test_slot {
	uint64_t got, addend;
	char sym[200];
};

static size_t
plt_test_slots(const char *path, struct plt_test_slot *v, size_t max)
{
	char cmd[700], line[1024];
	size_t n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "readelf -rW '%s'", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < max) {
		char type[64], *last;
		struct plt_test_slot *s = &v[n];

		memset(s, 0, sizeof(*s));
		if (sscanf(line, "%" SCNx64 " %*x %63s", &s->got, type) != 2)
			continue;
		if (!strcmp(type, "R_X86_64_IRELATIVE")) {
			last = strrchr(line, ' ');
			s->addend = strtoull(last + 1, NULL, 16);
			n++;
		} else if ((!strcmp(type, "R_X86_64_JUMP_SLOT") ||
			    !strcmp(type, "R_X86_64_GLOB_DAT")) &&
			   sscanf(line, "%*x %*x %*s %*x %199s", s->sym) == 1) {
			s->sym[strcspn(s->sym, "@")] = '\0';
			n++;
		}
	}
	pclose(f);
	return n;
}

/* scorch names path's address a as want (plt_name_ok()), or fails. */
static void
plt_check_at(struct symbolizer *sy, const char *path, uint64_t a,
	     const char *want)
{
	struct sym sym;

	memset(&sym, 0, sizeof(sym));
	symbolizer_elf(sy, path, a, &sym, 1);
	if (!plt_name_ok(path, want, sym.name))
		fail_msg("%s+0x%" PRIx64 ": want %s, scorch %s", path, a, want,
			 sym.name ? sym.name : "NULL");
}

/* The slot of slots[0..n) at got, or NULL. */
static const struct plt_test_slot *
plt_test_slot_find(const struct plt_test_slot *slots, size_t n, uint64_t got)
{
	size_t i;

	for (i = 0; got && i < n; i++)
		if (slots[i].got == got)
			return &slots[i];
	return NULL;
}

/*
 * Every instruction of path's PLT sections (objdump -d) that loads a
 * relocated GOT slot (jmp *X(%rip); LLD's retpoline mov X(%rip),%r11),
 * and the endbr64 before it, is named as the slot's symbol, "SYM@plt"
 * (an IRELATIVE slot: objdump's *ABS*+0xR@plt, an IFUNC at R for scorch);
 * every instruction of .plt before its first entry (the header; all of it
 * in an IBT program) is ".plt". Counts into *nents and *nhdr; returns
 * whether one entry is memcpy@plt.
 */
static bool
check_plt_against_relocs(const char *path, size_t *nents, size_t *nhdr)
{
	static struct plt_test_slot slots[4096];
	size_t nslots = plt_test_slots(path, slots, ARRAY_SIZE(slots));
	struct symbolizer_opts o = { .no_demangle = true };
	struct symbolizer *sy = symbolizer_new(&o);
	char cmd[700], line[1024], sec[64] = "";
	bool entry_seen = false, memcpy_seen = false;
	uint64_t endbr = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "objdump -d -j .plt -j .plt.sec -j .plt.got '%s'", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	*nents = *nhdr = 0;
	while (fgets(line, sizeof(line), f)) {
		const char *hash = strstr(line, "# "), *text;
		const struct plt_test_slot *s;
		const char *want = NULL;
		char name[300];
		uint64_t a, got = 0;

		if (sscanf(line, "Disassembly of section %63[^:]:", sec) == 1) {
			entry_seen = false;
			endbr = 0;
			continue;
		}
		if (sscanf(line, " %" SCNx64 ":\t", &a) != 1 ||
		    !(text = strrchr(line, '\t')))
			continue;
		if (strstr(text, "endbr64")) {
			endbr = a; /* the next entry's, or the header's */
			continue;
		}
		if (hash && ((strstr(text, "jmp") && strchr(text, '*')) ||
			     (strstr(text, "mov") && strstr(text, "%r11"))))
			got = strtoull(hash + 2, NULL, 16);
		s = plt_test_slot_find(slots, nslots, got);
		if (s && s->sym[0])
			snprintf(name, sizeof(name), "%s@plt", s->sym);
		else if (s)
			snprintf(name, sizeof(name), "*ABS*+0x%" PRIx64 "@plt",
				 s->addend);
		if (s) {
			want = name;
			entry_seen = true;
			(*nents)++;
		} else if (!strcmp(sec, ".plt") && !entry_seen) {
			want = ".plt";
			(*nhdr)++;
		}
		if (want && endbr)
			plt_check_at(sy, path, endbr, want);
		if (want)
			plt_check_at(sy, path, a, want);
		endbr = 0;
		if (s) {
			struct sym sym;

			memset(&sym, 0, sizeof(sym));
			symbolizer_elf(sy, path, a, &sym, 1);
			memcpy_seen |=
				sym.name && !strcmp(sym.name, "memcpy@plt");
		}
	}
	pclose(f);
	symbolizer_free(sy);
	return memcpy_seen;
}

/*
 * The PLTs plt_names_match_objdump cannot check, since objdump does not
 * name their entries: the header (PLT0) and an IBT program's lazy .plt;
 * static programs' IRELATIVE entries (8 bytes apart, named by their
 * IFUNC: memcpy@plt); gold's; LLD's retpoline PLT (32-byte lazy entries
 * after a 48-byte header holding the thunk, and its -z now form).
 */
static void
test_plt_headers_irelative_retpoline(void **state)
{
	static const struct {
		const char *cc;
		bool header;
	} builds[] = {
		{ "gcc -fcf-protection=none -Wl,-z,lazy", true },
		{ "gcc -fcf-protection -Wl,-z,ibt,-z,lazy", true },
		{ "gcc -fcf-protection=none -fuse-ld=gold", true },
		{ "gcc -fcf-protection=none -static", false },
		{ "gcc -fcf-protection -Wl,-z,ibt -static", false },
		{ "gcc -fcf-protection=none -static-pie", true },
		{ "clang -fuse-ld=lld -Wl,-z,retpolineplt", true },
		{ "clang -fuse-ld=lld -Wl,-z,retpolineplt,-z,now", true },
		{ "clang -fuse-ld=lld -fcf-protection -Wl,-z,force-ibt", true },
	};
	char dir[] = "/tmp/scorch-test-XXXXXX", src[600], bin[600];
	size_t i, nents, nhdr;
	FILE *f;

	(void)state;
	if (system("objdump --version >/dev/null 2>&1") != 0 ||
	    system("gcc --version >/dev/null 2>&1") != 0)
		skip(); /* binutils and gcc are in scripts/deps.sh */
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/p.c", dir);
	f = fopen(src, "w");
	assert_non_null(f);
	fputs("#include <stdio.h>\n#include <string.h>\n"
	      "int main(int c, char **v) { static char a[64];\n"
	      "memcpy(a, v[0], (size_t)c);\n"
	      "printf(\"%zu\\n\", strlen(a)); return 0; }\n",
	      f);
	fclose(f);
	for (i = 0; i < ARRAY_SIZE(builds); i++) {
		if (!strncmp(builds[i].cc, "clang", 5) &&
		    system("clang --version >/dev/null 2>&1 && "
			   "ld.lld --version >/dev/null 2>&1") != 0) {
			print_message("clang/lld not installed: %s skipped\n",
				      builds[i].cc);
			continue;
		}
		snprintf(bin, sizeof(bin), "%s/b%zu", dir, i);
		assert_int_equal(run_cmd("%s -O2 -fno-builtin -o '%s' '%s' "
					 "2>/dev/null",
					 builds[i].cc, bin, src),
				 0);
		if (!check_plt_against_relocs(bin, &nents, &nhdr))
			fail_msg("%s: no memcpy@plt entry", builds[i].cc);
		if (nents < 3 || (builds[i].header && !nhdr))
			fail_msg("%s: %zu entries, %zu header instructions",
				 builds[i].cc, nents, nhdr);
	}
	assert_int_equal(run_cmd("rm -rf '%s'", dir), 0);
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
		cmocka_unit_test(test_symbolizer_module_user_names_vdso),
		cmocka_unit_test(test_symbolizer_module_user_unreadable),
		cmocka_unit_test(test_demangle_name_cases),
		cmocka_unit_test(test_perfmap_parse_line),
		cmocka_unit_test(test_perfmap_find_later_entry_wins),
		cmocka_unit_test(test_perfmap_load_refuses_symlink),
		cmocka_unit_test(test_symbolizer_kernel_with_fixture),
		cmocka_unit_test(test_symbolizer_kernel_modules),
		cmocka_unit_test(test_symbolizer_kernel_hidden_warns_once),
		cmocka_unit_test(test_symbolizer_user_corrupt_elf),
		cmocka_unit_test(test_symbolizer_build_id_debug_file),
		cmocka_unit_test(test_symtab_matches_dwfl),
		cmocka_unit_test(test_plt_names_match_objdump),
		cmocka_unit_test(test_plt_headers_irelative_retpoline),
	};

	/* Never ask a debuginfod server from a unit test. */
	unsetenv("DEBUGINFOD_URLS");

	return cmocka_run_group_tests_name("symbolize", tests, NULL, NULL);
}
