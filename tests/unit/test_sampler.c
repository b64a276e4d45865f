/* SPDX-License-Identifier: MIT */
/* tests/unit/test_sampler.c - maps parsing, map tracking, stacks, callchains. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

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
	stack_table_add(t, 5, 5, a, ma, 1, 2, 0, 1);
	stack_table_add(t, 5, 5, a, ma, 1, 2, 0, 2);
	stack_table_add(t, 5, 6, a, ma, 1, 2, 0, 1); /* other thread */
	stack_table_add(t, 5, 5, b, ma, 0, 2, 0, 1); /* no kernel part */
	stack_table_add(t, 5, 5, a, ma, 1, 2, STACK_TRUNCATED, 1);
	stack_table_add(t, 5, 5, a, mb, 1, 2, 0, 1); /* other module */
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

		stack_table_add(t, 7, 7, &ip, ma, 0, 1, 0, 1);
		stack_table_add(t, 7, 7, &ip, ma, 0, 1, 0, 1);
	}
	assert_int_equal(stack_table_len(t), 5005);
	for (i = 5; i < 5005; i++)
		assert_int_equal(stack_table_get(t, i)->count, 2);
	assert_memory_equal(stack_table_get(t, 0)->ips, a, sizeof(a));
	stack_table_free(t);
}

static void
test_stack_table_add_empty_stack(void **state)
{
	struct stack_table *t = stack_table_new();

	(void)state;
	/* A sample with no frames at all, first: nothing allocated yet. */
	stack_table_add(t, 1, 1, NULL, NULL, 0, 0, 0, 1);
	stack_table_add(t, 1, 1, NULL, NULL, 0, 0, 0, 1);
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
		cmocka_unit_test(test_unwind_callchain_splits),
		cmocka_unit_test(test_unwind_callchain_truncated_and_guest),
	};

	return cmocka_run_group_tests_name("sampler", tests, NULL, NULL);
}
