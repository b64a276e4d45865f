/* SPDX-License-Identifier: MIT */
/* tests/unit/test_sampler.c - maps parsing, map tracking, stacks, callchains. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

#include "sampler/internal.h"

static void
test_maps_parse_line_exec(void **state)
{
	char line[] = "7f12a0000000-7f12a0195000 r-xp 00028000 08:01 1311 "
		      "   /usr/lib/x86_64-linux-gnu/libc.so.6\n";
	struct addr_map m;

	(void)state;
	assert_int_equal(maps_parse_line(line, &m), 1);
	assert_int_equal(m.start, 0x7f12a0000000ULL);
	assert_int_equal(m.end, 0x7f12a0195000ULL);
	assert_int_equal(m.pgoff, 0x28000);
	assert_string_equal(m.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

static void
test_maps_parse_line_not_exec(void **state)
{
	char line[] =
		"55d0c0000000-55d0c0021000 rw-p 00000000 00:00 0 [heap]\n";
	struct addr_map m;

	(void)state;
	assert_int_equal(maps_parse_line(line, &m), 0);
}

static void
test_maps_parse_line_spaces_and_anon(void **state)
{
	char spaced[] = "400000-401000 r-xp 00001000 fd:00 42 "
			"/opt/my app/bin/server (deleted)\n";
	char anon[] = "7f0000000000-7f0000001000 r-xp 00000000 00:00 0\n";
	struct addr_map m;

	(void)state;
	assert_int_equal(maps_parse_line(spaced, &m), 1);
	assert_string_equal(m.path, "/opt/my app/bin/server (deleted)");
	assert_int_equal(maps_parse_line(anon, &m), 1);
	assert_string_equal(m.path, "");
}

static void
test_maps_parse_line_malformed(void **state)
{
	char a[] = "garbage\n", b[] = "2000-1000 r-xp 0 0:0 0 /x\n",
	     c[] = "1000-2000 r-x 0 00:00 0 /x\n", d[] = "";
	struct addr_map m;

	(void)state;
	assert_int_equal(maps_parse_line(a, &m), -1);
	assert_int_equal(maps_parse_line(b, &m), -1);
	assert_int_equal(maps_parse_line(c, &m), -1);
	assert_int_equal(maps_parse_line(d, &m), -1);
}

/* Add a mapping of len bytes at start, from file offset pgoff of path. */
static void
map_add(struct map_set *ms, pid_t pid, uint64_t start, uint64_t len,
	uint64_t pgoff, const char *path)
{
	struct addr_map m = { .start = start,
			      .end = start + len,
			      .pgoff = pgoff,
			      .path = path,
			      .module = MODULE_NONE };

	map_set_add(ms, pid, &m);
}

static void
test_map_set_add_find(void **state)
{
	struct map_set *ms = map_set_new();
	const struct addr_map *m;

	(void)state;
	map_add(ms, 10, 0x1000, 0x1000, 0, "/bin/a");
	map_add(ms, 10, 0x5000, 0x2000, 0x3000, "/lib/b.so");
	map_add(ms, 11, 0x1000, 0x1000, 0, "/bin/other");
	m = map_set_find(ms, 10, 0x1fff);
	assert_non_null(m);
	assert_string_equal(m->path, "/bin/a");
	assert_null(map_set_find(ms, 10, 0x2000));
	m = map_set_find(ms, 10, 0x6000);
	assert_non_null(m);
	assert_string_equal(m->path, "/lib/b.so");
	assert_int_equal(m->pgoff, 0x3000);
	assert_string_equal(map_set_find(ms, 11, 0x1000)->path, "/bin/other");
	assert_null(map_set_find(ms, 12, 0x1000));
	map_set_free(ms);
}

static void
test_map_set_add_overlap_trims(void **state)
{
	struct map_set *ms = map_set_new();
	const struct addr_map *m;

	(void)state;
	map_add(ms, 1, 0x10000, 0x10000, 0x1000, "/old");
	/* A new mapping in the middle splits the old one in two. */
	map_add(ms, 1, 0x14000, 0x4000, 0, "/new");
	m = map_set_find(ms, 1, 0x13fff);
	assert_string_equal(m->path, "/old");
	assert_int_equal(m->end, 0x14000);
	m = map_set_find(ms, 1, 0x16000);
	assert_string_equal(m->path, "/new");
	m = map_set_find(ms, 1, 0x18000);
	assert_string_equal(m->path, "/old");
	assert_int_equal(m->start, 0x18000);
	/* The right part keeps its file offsets right. */
	assert_int_equal(m->pgoff, 0x1000 + 0x8000);
	map_set_free(ms);
}

static void
test_map_set_fork_exec(void **state)
{
	struct map_set *ms = map_set_new();

	(void)state;
	map_add(ms, 1, 0x1000, 0x1000, 0, "/bin/parent");
	map_set_fork(ms, 1, 2);
	assert_string_equal(map_set_find(ms, 2, 0x1800)->path, "/bin/parent");
	map_set_exec(ms, 2);
	assert_null(map_set_find(ms, 2, 0x1800));
	assert_non_null(map_set_find(ms, 1, 0x1800));
	map_set_free(ms);
}

static void
test_stack_table_add_merges(void **state)
{
	struct stack_table *t = stack_table_new();
	uint64_t a[] = { 0xffffffff81000010ULL, 0x401000, 0x402000 };
	uint64_t b[] = { 0x401000, 0x402000 };
	uint32_t ma[] = { 0, 1 }, mb[] = { 0, MODULE_NONE };
	const struct addr_stack *st;
	size_t i;

	(void)state;
	stack_table_add(t, 5, 5, 0, a, ma, 1, 2, 0, 1);
	stack_table_add(t, 5, 5, 0, a, ma, 1, 2, 0, 2);
	stack_table_add(t, 5, 6, 0, a, ma, 1, 2, 0, 1); /* other thread */
	stack_table_add(t, 5, 5, 0, b, ma, 0, 2, 0, 1); /* no kernel part */
	stack_table_add(t, 5, 5, 0, a, ma, 1, 2, STACK_TRUNCATED, 1);
	stack_table_add(t, 5, 5, 0, a, mb, 1, 2, 0, 1); /* other module */
	assert_int_equal(stack_table_len(t), 5);
	st = stack_table_get(t, 0);
	assert_int_equal(st->count, 3);
	assert_int_equal(st->nkernel, 1);
	assert_int_equal(st->nuser, 2);
	assert_memory_equal(st->ips, a, sizeof(a));
	assert_memory_equal(st->modules, ma, sizeof(ma));
	assert_int_equal(stack_table_get(t, 3)->flags, STACK_TRUNCATED);
	/* Many distinct stacks force the table to grow and rehash. */
	for (i = 0; i < 5000; i++) {
		uint64_t ip = 0x500000 + i;

		stack_table_add(t, 7, 7, 0, &ip, ma, 0, 1, 0, 1);
		stack_table_add(t, 7, 7, 0, &ip, ma, 0, 1, 0, 1);
	}
	assert_int_equal(stack_table_len(t), 5005);
	for (i = 5; i < 5005; i++)
		assert_int_equal(stack_table_get(t, i)->count, 2);
	assert_memory_equal(stack_table_get(t, 0)->ips, a, sizeof(a));
	stack_table_free(t);
}

/* An exec starts a new image: the samples before it keep the old name. */
static void
test_task_table_exec_keeps_old_name(void **state)
{
	struct task_table *t = task_table_new();
	struct stack_table *st = stack_table_new();
	uint64_t ip = 0x401000;
	uint32_t mod = 0;

	(void)state;
	task_table_set_comm(t, 9, 9, "first");
	task_table_set_comm(t, 9, 10, "helper");
	assert_int_equal(task_table_image(t, 9), 0);
	stack_table_add(st, 9, 9, task_table_image(t, 9), &ip, &mod, 0, 1, 0,
			1);
	task_table_exec(t, 9);
	task_table_set_comm(t, 9, 9, "second");
	assert_int_equal(task_table_image(t, 9), 1);
	/* The same frames after the exec are another stack. */
	stack_table_add(st, 9, 9, task_table_image(t, 9), &ip, &mod, 0, 1, 0,
			1);
	assert_int_equal(stack_table_len(st), 2);
	assert_int_equal(stack_table_get(st, 0)->image, 0);
	assert_int_equal(stack_table_get(st, 1)->image, 1);
	assert_string_equal(task_table_comm_at(t, 9, 9, 0), "first");
	assert_string_equal(task_table_comm_at(t, 9, 9, 1), "second");
	assert_string_equal(task_table_comm(t, 9), "second");
	/* A thread of the old image keeps its own name. */
	assert_string_equal(task_table_comm_at(t, 9, 10, 0), "helper");
	/* A rename without exec names the image's samples alike. */
	task_table_set_comm(t, 9, 9, "renamed");
	assert_string_equal(task_table_comm_at(t, 9, 9, 1), "renamed");
	assert_string_equal(task_table_comm_at(t, 9, 9, 0), "first");
	/* Another process is untouched. */
	assert_int_equal(task_table_image(t, 8), 0);
	stack_table_free(st);
	task_table_free(t);
}

static void
test_stack_table_add_empty_stack(void **state)
{
	struct stack_table *t = stack_table_new();

	(void)state;
	/* A sample with no frames at all, first: nothing allocated yet. */
	stack_table_add(t, 1, 1, 0, NULL, NULL, 0, 0, 0, 1);
	stack_table_add(t, 1, 1, 0, NULL, NULL, 0, 0, 0, 1);
	assert_int_equal(stack_table_len(t), 1);
	assert_int_equal(stack_table_get(t, 0)->count, 2);
	stack_table_free(t);
}

static void
test_unwind_callchain_splits(void **state)
{
	uint64_t chain[] = { (uint64_t)PERF_CONTEXT_KERNEL,
			     0xffffffff81000100ULL,
			     0xffffffff81000200ULL,
			     (uint64_t)PERF_CONTEXT_USER,
			     0x401000,
			     0x402000,
			     0x403000 };
	uint64_t ips[16];
	struct unwind_out out = { .ips = ips, .cap = 16 };

	(void)state;
	unwind_callchain(chain, 7, 127, &out);
	assert_int_equal(out.nkernel, 2);
	assert_int_equal(out.nuser, 3);
	assert_false(out.truncated);
	assert_int_equal(ips[0], 0xffffffff81000100ULL);
	assert_int_equal(ips[1], 0xffffffff81000200ULL);
	assert_int_equal(ips[2], 0x401000);
	assert_int_equal(ips[4], 0x403000);
}

static void
test_unwind_callchain_truncated_and_guest(void **state)
{
	uint64_t chain[] = { (uint64_t)PERF_CONTEXT_GUEST_KERNEL,
			     0x1234,
			     (uint64_t)PERF_CONTEXT_USER,
			     0x401000,
			     0x402000,
			     0x403000 };
	uint64_t ips[16];
	struct unwind_out out = { .ips = ips, .cap = 16 };

	(void)state;
	unwind_callchain(chain, 6, 3, &out);
	assert_int_equal(out.nkernel, 0); /* guest frames are dropped */
	assert_int_equal(out.nuser, 3);
	assert_true(out.truncated); /* 3 frames = the limit of 3 */
	/* The capacity bounds what is kept. */
	out.cap = 2;
	unwind_callchain(chain, 6, 127, &out);
	assert_int_equal(out.nuser, 2);
}

static void
test_map_set_maps_generation(void **state)
{
	struct map_set *ms = map_set_new();
	const struct addr_map *maps;
	uint64_t g0, g1, g2;
	size_t n;

	(void)state;
	maps = map_set_maps(ms, 3, &n, &g0);
	assert_null(maps);
	assert_int_equal(n, 0);
	map_add(ms, 3, 0x2000, 0x1000, 0, "/b");
	map_add(ms, 3, 0x1000, 0x1000, 0, "/a");
	maps = map_set_maps(ms, 3, &n, &g1);
	assert_int_equal(n, 2);
	assert_string_equal(maps[0].path, "/a"); /* sorted by address */
	assert_true(g1 != g0);
	map_set_exec(ms, 3);
	maps = map_set_maps(ms, 3, &n, &g2);
	assert_int_equal(n, 0);
	assert_true(g2 != g1);
	map_set_free(ms);
}

static void
test_module_table_identity(void **state)
{
	struct module_table *mt = module_table_new();
	struct addr_map m = { .start = 0x1000, .end = 0x2000, .path = "" };
	uint32_t a, b, c, v;

	(void)state;
	/* Anonymous memory, JIT code and [heap] are no module. */
	assert_int_equal(module_table_get(mt, 1, &m), MODULE_NONE);
	m.path = "//anon";
	assert_int_equal(module_table_get(mt, 1, &m), MODULE_NONE);
	m.path = "[heap]";
	assert_int_equal(module_table_get(mt, 1, &m), MODULE_NONE);
	/* One file is one module, whichever process maps it. */
	m.path = "/nonexistent/libx.so";
	m.ino = 42;
	a = module_table_get(mt, 1, &m);
	b = module_table_get(mt, 2, &m);
	assert_int_equal(a, b);
	assert_int_equal(module_table_at(mt, a)->fd, -1);
	/* "(deleted)" is not part of the name. */
	m.path = "/nonexistent/libx.so (deleted)";
	assert_int_equal(module_table_get(mt, 1, &m), a);
	/* A rebuilt file at the same path is another module. */
	m.path = "/nonexistent/libx.so";
	m.ino = 43;
	c = module_table_get(mt, 1, &m);
	assert_int_not_equal(a, c);
	assert_string_equal(module_table_at(mt, c)->path,
			    "/nonexistent/libx.so");
	/* The vDSO is read from scorch's own copy. */
	m.path = "[vdso]";
	m.ino = 0;
	v = module_table_get(mt, 1, &m);
	assert_true(module_table_at(mt, v)->fd >= 0);
	assert_int_equal(module_table_len(mt), 3);
	assert_null(module_table_at(mt, 99));
	module_table_free(mt);
}

/* A file replaced on disk after it was mapped is noticed, not misread. */
static void
test_module_table_replaced(void **state)
{
	char dir[] = "/tmp/scorch-test.XXXXXX", path[64], tmp[64];
	struct module_table *mt = module_table_new();
	struct addr_map m = { .start = 0x1000, .end = 0x2000 };
	struct stat st;
	uint32_t id;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lib.so", dir);
	snprintf(tmp, sizeof(tmp), "%s/new.so", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0 && write(fd, "old", 3) == 3);
	close(fd);
	assert_int_equal(stat(path, &st), 0);
	/* The rebuild: a new file renamed over the old one. */
	fd = open(tmp, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0 && write(fd, "new", 3) == 3);
	close(fd);
	assert_int_equal(rename(tmp, path), 0);
	m.path = path;
	m.ino = st.st_ino;
	/* pid 0: no /proc/0/map_files to read the old inode through. */
	id = module_table_get(mt, 0, &m);
	assert_int_equal(module_table_at(mt, id)->fd, -1);
	assert_true(module_table_at(mt, id)->replaced);
	/* The file as it is now opens fine under its own inode. */
	assert_int_equal(stat(path, &st), 0);
	m.ino = st.st_ino;
	id = module_table_get(mt, 0, &m);
	assert_true(module_table_at(mt, id)->fd >= 0);
	assert_false(module_table_at(mt, id)->replaced);
	module_table_free(mt);
	unlink(path);
	rmdir(dir);
}

/* perf's x86-64 register numbers of the ucontext registers. */
static void
test_regs_from_context(const ucontext_t *uc, uint64_t *regs)
{
	const greg_t *g = uc->uc_mcontext.gregs;

	regs[0] = (uint64_t)g[REG_RAX];
	regs[1] = (uint64_t)g[REG_RBX];
	regs[2] = (uint64_t)g[REG_RCX];
	regs[3] = (uint64_t)g[REG_RDX];
	regs[4] = (uint64_t)g[REG_RSI];
	regs[5] = (uint64_t)g[REG_RDI];
	regs[6] = (uint64_t)g[REG_RBP];
	regs[7] = (uint64_t)g[REG_RSP];
	regs[8] = (uint64_t)g[REG_RIP];
	regs[16] = (uint64_t)g[REG_R8];
	regs[17] = (uint64_t)g[REG_R9];
	regs[18] = (uint64_t)g[REG_R10];
	regs[19] = (uint64_t)g[REG_R11];
	regs[20] = (uint64_t)g[REG_R12];
	regs[21] = (uint64_t)g[REG_R13];
	regs[22] = (uint64_t)g[REG_R14];
	regs[23] = (uint64_t)g[REG_R15];
}

struct own_unwind {
	uint64_t ips[3][256];
	uint32_t n[3];
	enum unwind_result res[3];
};

/*
 * Copy the live stack as the kernel would, byte by byte: it crosses the
 * red zones AddressSanitizer puts between locals, which memcpy would
 * report.
 */
__attribute__((no_sanitize_address, noinline)) static void
test_copy_stack(unsigned char *dst, uintptr_t src, size_t len)
{
	volatile const unsigned char *p = (const unsigned char *)src;
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = p[i];
}

/*
 * Take this thread's registers and a copy of its stack, as the kernel
 * does for a sample, and unwind them with each backend.
 */
/* Unwind from here, with a copy of the stack up to copy_end (0: 32 KiB). */
__attribute__((noinline, noipa)) static void
test_unwind_probe_inner(struct own_unwind *out, uintptr_t copy_end)
{
	static unsigned char copy[32768];
	const struct unwinder_ops *ops[3] = { &unwind_libdw_ops,
					      &unwind_libdwfl_ops,
					      &unwind_libunwind_ops };
	struct map_set *ms = map_set_new();
	struct module_table *mt = module_table_new();
	struct unwind_sample smp;
	const struct addr_map *stack_map = NULL;
	ucontext_t uc;
	size_t len = sizeof(copy), want;
	int i;

	memset(&smp, 0, sizeof(smp));
	assert_int_equal(getcontext(&uc), 0);
	test_regs_from_context(&uc, smp.regs);
	if (copy_end)
		len = copy_end - smp.regs[7];
	want = len;
	assert_int_equal(map_set_load_proc(ms, mt, getpid()), 0);
	(void)stack_map;
	/* Copy no further than the end of the stack mapping. */
	{
		FILE *fp = fopen("/proc/self/maps", "re");
		char line[512];
		unsigned long long lo, hi;

		while (fp && fgets(line, sizeof(line), fp))
			if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 &&
			    smp.regs[7] >= lo && smp.regs[7] < hi &&
			    hi - smp.regs[7] < len)
				len = hi - smp.regs[7];
		if (fp)
			fclose(fp);
	}
	test_copy_stack(copy, (uintptr_t)smp.regs[7], len);
	smp.pid = getpid();
	smp.tid = (pid_t)syscall(186 /* gettid */);
	smp.regs_mask = UNWIND_REGS_ALL;
	smp.stack = copy;
	smp.stack_len = len;
	smp.stack_full = len == want;
	for (i = 0; i < 3; i++) {
		struct unwinder *u = ops[i]->new (ms, mt);

		out->res[i] =
			ops[i]->user(u, &smp, out->ips[i], 256, &out->n[i]);
		/* Twice: the second time from the caches. */
		out->res[i] =
			ops[i]->user(u, &smp, out->ips[i], 256, &out->n[i]);
		ops[i]->free(u);
	}
	module_table_free(mt);
	map_set_free(ms);
}

__attribute__((noinline, noipa)) static void
test_unwind_probe_outer(struct own_unwind *out, uintptr_t copy_end)
{
	test_unwind_probe_inner(out, copy_end);
	__asm__ volatile("" ::: "memory");
}

static void
test_unwind_own_stack(void **state)
{
	struct own_unwind *out = calloc(1, sizeof(*out));
	uintptr_t inner = (uintptr_t)test_unwind_probe_inner;
	uintptr_t outer = (uintptr_t)test_unwind_probe_outer;
	int i;

	(void)state;
	assert_non_null(out);
	test_unwind_probe_outer(out, 0);
	for (i = 0; i < 3; i++) {
		/* From the probe, through its caller, out to _start. */
		assert_int_equal(out->res[i], UNWIND_DONE);
		assert_true(out->n[i] >= 6);
		assert_true(out->ips[i][0] > inner &&
			    out->ips[i][0] < inner + 4096);
		assert_true(out->ips[i][1] > outer &&
			    out->ips[i][1] < outer + 64);
	}
	/* The three backends agree frame for frame. */
	assert_int_equal(out->n[0], out->n[1]);
	assert_int_equal(out->n[0], out->n[2]);
	assert_memory_equal(out->ips[0], out->ips[1], out->n[0] * 8);
	assert_memory_equal(out->ips[0], out->ips[2], out->n[0] * 8);
	free(out);
}

/* A stack copy too small for the stack says so, rather than "done". */
static void
test_unwind_short_copy(void **state)
{
	struct own_unwind *out = calloc(1, sizeof(*out));
	int i;

	(void)state;
	assert_non_null(out);
	/*
	 * A copy that ends at this function's frame pointer holds the
	 * probes' frames but not the slot of this function's own return
	 * address: three frames, then the copy runs out.
	 */
	test_unwind_probe_outer(out, (uintptr_t)__builtin_frame_address(0));
	for (i = 0; i < 3; i++) {
		assert_int_equal(out->res[i], UNWIND_COPY_SHORT);
		assert_int_equal(out->n[i], 3);
	}
	free(out);
}

/* Frames whose ip is below 0x2000 lie in the one installer range. */
static const uint64_t test_ehret_range[1][2] = { { 0x1000, 0x2000 } };

static bool
test_ehret_frame(void *ctx, uint32_t k, struct ehret_frame *f)
{
	const uint64_t *ips = ctx;

	f->elf = NULL; /* no code to read: every call fits */
	f->addr = ips[k];
	f->ranges = test_ehret_range;
	f->n = 1;
	return true;
}

static void
test_ehret_cut_repeated_return_address(void **state)
{
	/* leaf, installer, [the caller named], ..., the same address again */
	uint64_t ips[] = { 0x5000, 0x1800, 0x3000, 0x4000, 0x3000, 0x6000 };

	(void)state;
	/* Frame 1's caller (0x3000) comes back at frame 4: keep 0 and 1. */
	assert_int_equal(ehret_cut(ips, 6, test_ehret_frame, ips), 2);
	/* A genuine caller appears once: nothing is cut. */
	ips[4] = 0x7000;
	assert_int_equal(ehret_cut(ips, 6, test_ehret_frame, ips), 6);
	/* No frame in an installer: nothing is cut. */
	ips[1] = 0x2800;
	ips[4] = 0x3000;
	assert_int_equal(ehret_cut(ips, 6, test_ehret_frame, ips), 6);
}

/* A direct call whose return address is kept for the test below. */
static uintptr_t test_ehret_ra;

__attribute__((noinline)) static void
test_ehret_callee(void)
{
	test_ehret_ra = (uintptr_t)__builtin_return_address(0);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void
test_ehret_caller(void)
{
	test_ehret_callee();
	__asm__ volatile("" ::: "memory"); /* a call, not a jump */
}

static int
test_ehret_bias(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	*(uintptr_t *)arg = info->dlpi_addr; /* the first: this program */
	return 1;
}

static void
test_ehret_call_fits_direct(void **state)
{
	uint64_t range[1][2];
	uintptr_t bias = 0, callee;
	Elf *elf;
	int fd;

	(void)state;
	test_ehret_caller();
	dl_iterate_phdr(test_ehret_bias, &bias);
	callee = (uintptr_t)test_ehret_callee - bias;
	fd = open("/proc/self/exe", O_RDONLY);
	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	/* The call before the return address goes to test_ehret_callee: it
	 * fits an installer there, and no other function. */
	range[0][0] = callee;
	range[0][1] = callee + 1;
	assert_true(ehret_call_fits(elf, test_ehret_ra - bias,
				    (const uint64_t(*)[2])range, 1));
	range[0][0] = callee + 16;
	range[0][1] = callee + 32;
	assert_false(ehret_call_fits(elf, test_ehret_ra - bias,
				     (const uint64_t(*)[2])range, 1));
	/* Not after a call instruction we can read: it fits. */
	assert_true(ehret_call_fits(elf, 1, (const uint64_t(*)[2])range, 1));
	elf_end(elf);
	close(fd);
}

static void
test_ehret_ranges_libgcc(void **state)
{
	static const char *const paths[] = {
		"/lib/x86_64-linux-gnu/libgcc_s.so.1",
		"/usr/lib/x86_64-linux-gnu/libgcc_s.so.1",
	};
	uint64_t r[8][2];
	size_t i, n;
	Elf *elf;
	int fd = -1;

	(void)state;
	for (i = 0; i < 2 && fd < 0; i++)
		fd = open(paths[i], O_RDONLY);
	if (fd < 0)
		skip();
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	/* _Unwind_RaiseException, _Resume, _Resume_or_Rethrow, _ForcedUnwind */
	n = ehret_ranges(elf, r, 8);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		assert_true(r[i][0] && r[i][1] > r[i][0]);
	assert_true(ehret_in((const uint64_t(*)[2])r, n, r[0][0]));
	assert_false(ehret_in((const uint64_t(*)[2])r, n, 0));
	elf_end(elf);
	close(fd);
}

/*
 * The CFA's offset from rsp in PLT stubs without CFI (unwind-plt.c), on
 * the layouts objdump shows of examples/plt: LLD's lazy PLT (header,
 * entries with the lazy push), with IBT, and its retpoline PLT, with and
 * without lazy binding.
 */
static void
test_plt_cfa_offset(void **state)
{
	static const uint8_t
		lazy
			[32] = {
				0xff, 0x35, 1,	  0,	0, 0,
				0xff, 0x25, 2,	  0,	0, 0,
				0x0f, 0x1f, 0x40, 0x00, /* header: push link map, jmp binder, nop */
				0xff, 0x25, 3,	  0,	0, 0,
				0x68, 0,    0,	  0,	0, 0xe9,
				0xe0, 0xff, 0xff, 0xff, /* jmp *got, push index, jmp header */
			};
	static const uint8_t
		ibt[32] = {
			0xff, 0x35, 1,	  0,	0,    0,    0xff, 0x25, 2,
			0,    0,    0,	  0x0f, 0x1f, 0x40, 0x00, 0xf3, 0x0f,
			0x1e, 0xfa, 0x68, 0,	0,    0,    0,	  0xe9, 0xe2,
			0xff, 0xff, 0xff, 0x66, 0x90, /* endbr64, push, jmp */
		};
	static const uint8_t retpoline_now[48] = {
		0xe8, 0x0b, 0, 0, 0, 0xf3, 0x90, 0x0f, 0xae, 0xe8, 0xeb, 0xf9,
		0xcc, 0xcc, 0xcc, 0xcc, 0x4c, 0x89, 0x1c, 0x24, 0xc3, 0xcc,
		0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
		/* header: the thunk */
		0x4c, 0x8b, 0x1d, 1, 0, 0, 0, 0xe9, 0xd4, 0xff, 0xff, 0xff,
		0xcc, 0xcc, 0xcc, 0xcc, /* mov *got to r11, jmp thunk */
	};
	static const uint8_t
		retpoline_lazy[80] = {
			0xff, 0x35, 1,	  0,	0,    0,    0x4c, 0x8b, 0x1d,
			2,    0,    0,	  0,	0xe8, 0x0e, 0,	  0,	0,
			0xf3, 0x90, 0x0f, 0xae, 0xe8, 0xeb, 0xf9, 0xcc, 0xcc,
			0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0x4c, 0x89, 0x1c, 0x24,
			0xc3, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
			0xcc, 0xcc, 0xcc, /* header 48: push, mov, call thunk; the thunk */
			0x4c, 0x8b, 0x1d, 3,	0,    0,    0,	  0xe8, 0xe4,
			0xff, 0xff, 0xff, 0xe9, 0xd1, 0xff, 0xff, 0xff, 0x68,
			0,    0,    0,	  0,	0xe9, 0xb5, 0xff, 0xff, 0xff,
			0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
			/* mov, call thunk, jmp; push index, jmp header */
		};
	static const struct {
		const uint8_t *code;
		size_t size;
		uint64_t pc;
		int cfa;
	} cases[] = {
		{ lazy, 32, 0x1000, 16 },	    /* header: the index */
		{ lazy, 32, 0x1006, 24 },	    /* and the link map */
		{ lazy, 32, 0x1010, 8 },	    /* jmp *got: at entry */
		{ lazy, 32, 0x1016, 8 },	    /* push index */
		{ lazy, 32, 0x101b, 16 },	    /* jmp header */
		{ lazy, 32, 0x1020, -1 },	    /* past the section */
		{ lazy, 32, 0x0fff, -1 },	    /* before it */
		{ ibt, 32, 0x1010, 8 },		    /* endbr64 */
		{ ibt, 32, 0x1014, 8 },		    /* push index */
		{ ibt, 32, 0x1019, 16 },	    /* jmp header */
		{ ibt, 32, 0x101e, 16 },	    /* the nop after it */
		{ retpoline_now, 48, 0x1000, 8 },   /* the thunk's call */
		{ retpoline_now, 48, 0x1010, 16 },  /* mov %r11, (%rsp) */
		{ retpoline_now, 48, 0x1014, 16 },  /* ret */
		{ retpoline_now, 48, 0x1020, 8 },   /* an entry */
		{ retpoline_now, 48, 0x1027, 8 },   /* its jmp to the thunk */
		{ retpoline_lazy, 80, 0x1000, 16 }, /* header */
		{ retpoline_lazy, 80, 0x1006, 24 },
		{ retpoline_lazy, 80, 0x100d, 24 }, /* call thunk */
		{ retpoline_lazy, 80, 0x1020, 16 }, /* the thunk */
		{ retpoline_lazy, 80, 0x1030, 8 },  /* an entry */
		{ retpoline_lazy, 80, 0x1037, 8 },  /* its call */
		{ retpoline_lazy, 80, 0x1041, 8 },  /* the lazy push */
		{ retpoline_lazy, 80, 0x1046, 16 }, /* jmp header */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plt_section s;
		int got;

		plt_section_init(&s, 0x1000, cases[i].code, cases[i].size, 0);
		got = plt_cfa_offset(&s, cases[i].pc);
		if (got != cases[i].cfa)
			fail_msg("case %zu (pc 0x%llx): CFA rsp+%d, want %d", i,
				 (unsigned long long)cases[i].pc, got,
				 cases[i].cfa);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_parse_line_exec),
		cmocka_unit_test(test_maps_parse_line_not_exec),
		cmocka_unit_test(test_maps_parse_line_spaces_and_anon),
		cmocka_unit_test(test_maps_parse_line_malformed),
		cmocka_unit_test(test_map_set_add_find),
		cmocka_unit_test(test_map_set_add_overlap_trims),
		cmocka_unit_test(test_map_set_fork_exec),
		cmocka_unit_test(test_stack_table_add_merges),
		cmocka_unit_test(test_stack_table_add_empty_stack),
		cmocka_unit_test(test_task_table_exec_keeps_old_name),
		cmocka_unit_test(test_unwind_callchain_splits),
		cmocka_unit_test(test_unwind_callchain_truncated_and_guest),
		cmocka_unit_test(test_map_set_maps_generation),
		cmocka_unit_test(test_module_table_identity),
		cmocka_unit_test(test_module_table_replaced),
		cmocka_unit_test(test_unwind_own_stack),
		cmocka_unit_test(test_unwind_short_copy),
		cmocka_unit_test(test_ehret_cut_repeated_return_address),
		cmocka_unit_test(test_ehret_ranges_libgcc),
		cmocka_unit_test(test_ehret_call_fits_direct),
		cmocka_unit_test(test_plt_cfa_offset),
	};

	return cmocka_run_group_tests_name("sampler", tests, NULL, NULL);
}
