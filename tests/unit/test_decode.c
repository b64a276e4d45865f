/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_decode.c - decode_record() against hand-built perf records
 * for two sample_type sets (scorch's own, and one with bits inserted before
 * and between its fields), their sample_id trailers, and truncated records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sampler/internal.h"

/* struct perf_event_header as one little-endian u64. */
#define HDR(type, misc) ((uint64_t)(type) | (uint64_t)(uint16_t)(misc) << 32)
/* Two u32 in one u64 slot, first one low. */
#define PAIR(lo, hi) ((uint64_t)(uint32_t)(lo) | (uint64_t)(uint32_t)(hi) << 32)

#define PID 1234
#define TID 1235
#define TIME 5000000123ULL
#define CPU 3

/* What scorch opens its events with in fp mode (events.c, sampler.c). */
#define TYPE_SCORCH                                                            \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |                 \
	 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN |        \
	 PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)
/* The same plus fields before, between and after scorch's. */
#define TYPE_EXTRA                                                             \
	(TYPE_SCORCH | PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_ADDR |             \
	 PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_READ |           \
	 PERF_SAMPLE_RAW | PERF_SAMPLE_BRANCH_STACK | PERF_SAMPLE_WEIGHT |     \
	 PERF_SAMPLE_DATA_SRC | PERF_SAMPLE_PHYS_ADDR)
/* Without CPU and PERIOD: a set where scorch's time is all that precedes
 * the callchain after the ids. */
#define TYPE_SMALL                                                             \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |                 \
	 PERF_SAMPLE_CALLCHAIN)

static void
fmt_init(struct decode_format *f, uint64_t sample_type, uint64_t read_format)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.sample_type = sample_type;
	attr.read_format = read_format;
	attr.sample_regs_user = UNWIND_REGS_LEAF; /* bp, sp, ip */
	attr.branch_sample_type = PERF_SAMPLE_BRANCH_HW_INDEX;
	attr.sample_id_all = 1;
	assert_int_equal(decode_format_init(f, &attr), 0);
}

/* The copy the last decode_words() decoded: rec's pointers point into it. */
static void *last_copy;

/*
 * Set the header's size to n words and decode a copy exactly that long, so
 * that a read past the record is a read past the heap block (ASan). The
 * copy lives until the next call.
 */
static int
decode_words(const struct decode_format *f, uint64_t *w, size_t n,
	     struct perf_rec *rec)
{
	uint64_t time;
	int ret;

	w[0] = (w[0] & 0x0000ffffffffffffULL) | (uint64_t)(n * 8) << 48;
	free(last_copy);
	last_copy = malloc(n * 8);
	assert_non_null(last_copy);
	memcpy(last_copy, w, n * 8);
	ret = decode_record(f, last_copy, n * 8, rec);
	/* decode_time() finds the same time without decoding the rest
	 * (and, when the record is cut, never reads past it either) */
	if (decode_time(f, last_copy, n * 8, &time) == 0 && ret == 0)
		assert_int_equal(time, rec->id.time);
	else
		assert_int_not_equal(ret, 0);
	return ret;
}

static int
free_last_copy(void **state)
{
	(void)state;
	free(last_copy);
	last_copy = NULL;
	return 0;
}

/* Every shorter size (8-byte steps, as the kernel writes) is refused. */
static void
assert_truncations_refused(const struct decode_format *f, const uint64_t *w,
			   size_t n)
{
	uint64_t buf[64];
	struct perf_rec rec;
	size_t k;

	assert_true(n <= 64);
	for (k = 1; k < n; k++) {
		memcpy(buf, w, n * 8);
		assert_int_equal(decode_words(f, buf, k, &rec), -EBADMSG);
		assert_non_null(rec.error);
	}
}

/* Copy a string into consecutive words, NUL-padded. */
static void
put_str(uint64_t *at, size_t words, const char *s)
{
	memset(at, 0, words * 8);
	memcpy(at, s, strlen(s) + 1);
}

static void
assert_scorch_sample(const struct perf_rec *rec)
{
	const struct perf_rec_sample *s = &rec->sample;

	assert_int_equal(rec->type, PERF_RECORD_SAMPLE);
	assert_int_equal(s->ip, 0x401136);
	assert_int_equal(rec->id.pid, PID);
	assert_int_equal(rec->id.tid, TID);
	assert_int_equal(rec->id.time, TIME);
	assert_int_equal(rec->id.cpu, CPU);
	assert_int_equal(s->period, 10101010);
	assert_int_equal(s->nr_ips, 3);
	assert_int_equal(s->ips[0], PERF_CONTEXT_USER);
	assert_int_equal(s->ips[2], 0x401200);
	assert_int_equal(s->regs_user.abi, PERF_SAMPLE_REGS_ABI_64);
	assert_non_null(s->regs_user.regs);
	assert_int_equal(s->regs_user.regs[1], 0x7ffd0000); /* sp */
	assert_int_equal(s->regs_user.regs[2], 0x401136);   /* ip */
	assert_int_equal(s->stack_size, 16);
	assert_int_equal(s->stack_dyn_size, 8);
	assert_int_equal(s->stack[0], 0xaa);
}

static void
test_decode_sample_scorch_type(void **state)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[] = {
		HDR(PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER),
		0x401136,		 /* ip */
		PAIR(PID, TID),		 /* pid, tid */
		TIME,			 /* time */
		PAIR(CPU, 0),		 /* cpu, res */
		10101010,		 /* period */
		3,			 /* callchain nr */
		PERF_CONTEXT_USER,	 /* ... ips */
		0x401136,		 /* */
		0x401200,		 /* */
		PERF_SAMPLE_REGS_ABI_64, /* regs abi */
		0x7ffd0010,		 /* bp */
		0x7ffd0000,		 /* sp */
		0x401136,		 /* ip */
		16,			 /* stack size */
		0xaaaaaaaaaaaaaaaaULL,
		0xbbbb, /* stack data */
		8,	/* dyn_size */
	};

	(void)state;
	fmt_init(&f, TYPE_SCORCH, 0);
	assert_int_equal(decode_words(&f, w, ARRAY_SIZE(w), &rec), 0);
	assert_scorch_sample(&rec);
	assert_truncations_refused(&f, w, ARRAY_SIZE(w));
}

/* The same sample with ten more bits: scorch's fields do not move. */
static void
test_decode_sample_extra_bits(void **state)
{
	struct decode_format f;
	struct perf_rec rec;
	const struct perf_rec_sample *s = &rec.sample;
	uint64_t w[] = {
		HDR(PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER),
		77,			 /* identifier */
		0x401136,		 /* ip */
		PAIR(PID, TID),		 /* pid, tid */
		TIME,			 /* time */
		0xdead0000,		 /* addr */
		77,			 /* id */
		88,			 /* stream_id */
		PAIR(CPU, 0),		 /* cpu, res */
		10101010,		 /* period */
		42,			 /* read: value */
		900,			 /* time_enabled */
		800,			 /* time_running */
		77,			 /* id */
		3,			 /* callchain nr */
		PERF_CONTEXT_USER,	 /* ... ips */
		0x401136,		 /* */
		0x401200,		 /* */
		PAIR(4, 0xcafef00d),	 /* raw: u32 size, 4 bytes */
		1,			 /* branch nr */
		5,			 /* hw_idx */
		0x401100,		 /* from */
		0x401136,		 /* to */
		0,			 /* flags */
		PERF_SAMPLE_REGS_ABI_64, /* regs abi */
		0x7ffd0010,		 /* bp */
		0x7ffd0000,		 /* sp */
		0x401136,		 /* ip */
		16,			 /* stack size */
		0xaaaaaaaaaaaaaaaaULL,
		0xbbbb,	  /* stack data */
		8,	  /* dyn_size */
		300,	  /* weight */
		0x1234,	  /* data_src */
		0xfee000, /* phys_addr */
	};

	(void)state;
	fmt_init(&f, TYPE_EXTRA,
		 PERF_FORMAT_TOTAL_TIME_ENABLED |
			 PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID);
	assert_int_equal(decode_words(&f, w, ARRAY_SIZE(w), &rec), 0);
	assert_scorch_sample(&rec);
	assert_int_equal(rec.id.id, 77);
	assert_int_equal(rec.id.stream_id, 88);
	assert_int_equal(s->addr, 0xdead0000);
	assert_int_equal(s->read.nr, 1);
	assert_int_equal(s->read.value, 42);
	assert_int_equal(s->read.time_enabled, 900);
	assert_int_equal(s->read.time_running, 800);
	assert_int_equal(s->read.id, 77);
	assert_int_equal(s->raw_size, 4);
	assert_memory_equal(s->raw, "\x0d\xf0\xfe\xca", 4);
	assert_int_equal(s->nr_branches, 1);
	assert_int_equal(s->branch_hw_idx, 5);
	assert_int_equal(s->branches[1], 0x401136);
	assert_int_equal(s->weight, 300);
	assert_int_equal(s->data_src, 0x1234);
	assert_int_equal(s->phys_addr, 0xfee000);
	assert_truncations_refused(&f, w, ARRAY_SIZE(w));
}

static void
test_decode_sample_small_type(void **state)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[] = {
		HDR(PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER),
		0x401136,	   /* ip */
		PAIR(PID, TID),	   /* pid, tid */
		TIME,		   /* time */
		2,		   /* callchain nr */
		PERF_CONTEXT_USER, /* ... ips */
		0x401136,
	};

	(void)state;
	fmt_init(&f, TYPE_SMALL, 0);
	assert_int_equal(decode_words(&f, w, ARRAY_SIZE(w), &rec), 0);
	assert_int_equal(rec.id.tid, TID);
	assert_int_equal(rec.id.time, TIME);
	assert_int_equal(rec.sample.nr_ips, 2);
	assert_int_equal(rec.sample.ips[1], 0x401136);
	assert_null(rec.sample.regs_user.regs);
	assert_truncations_refused(&f, w, ARRAY_SIZE(w));
}

/* A kernel thread's sample: abi NONE (no regs), an empty stack copy. */
static void
test_decode_sample_no_user_regs(void **state)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[] = {
		HDR(PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL),
		0xffffffff81000000ULL, /* ip */
		PAIR(7, 7),	       /* pid, tid */
		TIME,		       /* time */
		PAIR(0, 0),	       /* cpu, res */
		1,		       /* period */
		1,		       /* callchain nr */
		PERF_CONTEXT_KERNEL,
		PERF_SAMPLE_REGS_ABI_NONE,
		0, /* stack size: no data, no dyn_size */
	};

	(void)state;
	fmt_init(&f, TYPE_SCORCH, 0);
	assert_int_equal(decode_words(&f, w, ARRAY_SIZE(w), &rec), 0);
	assert_null(rec.sample.regs_user.regs);
	assert_null(rec.sample.stack);
	assert_int_equal(rec.sample.stack_size, 0);
	assert_truncations_refused(&f, w, ARRAY_SIZE(w));
}

static void
test_decode_sample_group_read(void **state)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[] = {
		HDR(PERF_RECORD_SAMPLE, 0),
		PAIR(PID, TID),
		TIME,
		2, /* read: nr */
		11,
		101, /* value, id */
		22,
		102,	  /* value, id */
		0x401136, /* phys_addr */
	};

	(void)state;
	fmt_init(&f,
		 PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_READ |
			 PERF_SAMPLE_PHYS_ADDR,
		 PERF_FORMAT_GROUP | PERF_FORMAT_ID);
	assert_int_equal(decode_words(&f, w, ARRAY_SIZE(w), &rec), 0);
	assert_int_equal(rec.sample.read.nr, 2);
	assert_int_equal(rec.sample.read.stride, 2);
	assert_int_equal(rec.sample.read.cntr[2], 22);
	assert_int_equal(rec.sample.read.cntr[3], 102);
	assert_int_equal(rec.sample.phys_addr, 0x401136);
	assert_truncations_refused(&f, w, ARRAY_SIZE(w));
}

/* A callchain whose nr says more than the record holds. */
static void
test_decode_sample_corrupt_nr(void **state)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[] = {
		HDR(PERF_RECORD_SAMPLE, 0),
		0x401136,
		PAIR(PID, TID),
		TIME,
		UINT64_MAX / 4,
		0x401136,
	};

	(void)state;
	fmt_init(&f, TYPE_SMALL, 0);
	assert_int_equal(decode_words(&f, w, ARRAY_SIZE(w), &rec), -EBADMSG);
	assert_string_equal(rec.error, "callchain runs past the record end");
}

/* Trailers: scorch's { pid, tid } { time } { cpu, res } (3 words), and
 * TYPE_EXTRA's { pid, tid } { time } { id } { stream_id } { cpu, res }
 * { identifier } (6 words). */
static size_t
put_trailer(uint64_t *at, uint64_t sample_type)
{
	size_t n = 0;

	at[n++] = PAIR(PID, TID);
	at[n++] = TIME;
	if (sample_type & PERF_SAMPLE_ID)
		at[n++] = 77;
	if (sample_type & PERF_SAMPLE_STREAM_ID)
		at[n++] = 88;
	at[n++] = PAIR(CPU, 0);
	if (sample_type & PERF_SAMPLE_IDENTIFIER)
		at[n++] = 77;
	return n;
}

static void
assert_trailer(const struct perf_rec *rec, uint64_t sample_type)
{
	assert_int_equal(rec->id.pid, PID);
	assert_int_equal(rec->id.tid, TID);
	assert_int_equal(rec->id.time, TIME);
	assert_int_equal(rec->id.cpu, CPU);
	if (sample_type & PERF_SAMPLE_STREAM_ID)
		assert_int_equal(rec->id.stream_id, 88);
	if (sample_type & PERF_SAMPLE_ID)
		assert_int_equal(rec->id.id, 77);
}

static void
check_mmap2(uint64_t sample_type)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[32] = {
		HDR(PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER),
		PAIR(PID, PID),
		0x400000,   /* addr */
		0x2000,	    /* len */
		0x1000,	    /* pgoff */
		PAIR(8, 1), /* maj, min */
		4242,	    /* ino */
		0,	    /* ino_generation */
		PAIR(5, 2), /* prot, flags */
	};
	size_t n = 9;

	put_str(&w[n], 3, "/usr/bin/cpuburn"); /* 17 bytes, padded */
	n += 3;
	n += put_trailer(&w[n], sample_type);
	fmt_init(&f, sample_type, 0);
	assert_int_equal(decode_words(&f, w, n, &rec), 0);
	assert_int_equal(rec.mmap.pid, PID);
	assert_int_equal(rec.mmap.addr, 0x400000);
	assert_int_equal(rec.mmap.len, 0x2000);
	assert_int_equal(rec.mmap.pgoff, 0x1000);
	assert_int_equal(rec.mmap.maj, 8);
	assert_int_equal(rec.mmap.min, 1);
	assert_int_equal(rec.mmap.ino, 4242);
	assert_int_equal(rec.mmap.prot, 5);
	assert_int_equal(rec.mmap.flags, 2);
	assert_string_equal(rec.mmap.filename, "/usr/bin/cpuburn");
	assert_trailer(&rec, sample_type);
	assert_truncations_refused(&f, w, n);
}

static void
test_decode_mmap2(void **state)
{
	(void)state;
	check_mmap2(TYPE_SCORCH);
	check_mmap2(TYPE_EXTRA);
}

static void
test_decode_mmap2_build_id(void **state)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[32] = {
		HDR(PERF_RECORD_MMAP2, PERF_RECORD_MISC_MMAP_BUILD_ID),
		PAIR(PID, PID),
		0x400000,
		0x2000,
		0x1000,
		0x0403020100000014ULL, /* size 20, 2 reserved, id 01 02 03 04 */
		0,
		0,
		PAIR(5, 2),
	};
	size_t n = 9;

	(void)state;
	put_str(&w[n], 1, "/bin/x");
	n += 1;
	n += put_trailer(&w[n], TYPE_SCORCH);
	fmt_init(&f, TYPE_SCORCH, 0);
	assert_int_equal(decode_words(&f, w, n, &rec), 0);
	assert_int_equal(rec.mmap.build_id_size, 20);
	assert_int_equal(rec.mmap.build_id[0], 1);
	assert_int_equal(rec.mmap.build_id[3], 4);
	assert_int_equal(rec.mmap.prot, 5);
	assert_string_equal(rec.mmap.filename, "/bin/x");
}

static void
test_decode_mmap(void **state)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[32] = {
		HDR(PERF_RECORD_MMAP, 0),
		PAIR(PID, PID),
		0x400000,
		0x2000,
		0x1000,
	};
	size_t n = 5;

	(void)state;
	put_str(&w[n], 1, "/bin/sh");
	n += 1;
	n += put_trailer(&w[n], TYPE_SCORCH);
	fmt_init(&f, TYPE_SCORCH, 0);
	assert_int_equal(decode_words(&f, w, n, &rec), 0);
	assert_int_equal(rec.mmap.pgoff, 0x1000);
	assert_string_equal(rec.mmap.filename, "/bin/sh");
	assert_trailer(&rec, TYPE_SCORCH);
	assert_truncations_refused(&f, w, n);
	/* A name that fills its words with no NUL before the trailer. */
	memcpy(&w[5], "/bin/shx", 8);
	assert_int_equal(decode_words(&f, w, n, &rec), -EBADMSG);
	assert_string_equal(rec.error, "mmap file name is not terminated");
}

static void
check_comm(uint64_t sample_type)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[32] = {
		HDR(PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC),
		PAIR(PID, TID),
	};
	size_t n = 2;

	put_str(&w[n], 2, "cpuburn-x"); /* 10 bytes, padded to 16 */
	n += 2;
	n += put_trailer(&w[n], sample_type);
	fmt_init(&f, sample_type, 0);
	assert_int_equal(decode_words(&f, w, n, &rec), 0);
	assert_int_equal(rec.misc, PERF_RECORD_MISC_COMM_EXEC);
	assert_int_equal(rec.comm.pid, PID);
	assert_int_equal(rec.comm.tid, TID);
	assert_string_equal(rec.comm.comm, "cpuburn-x");
	assert_trailer(&rec, sample_type);
	assert_truncations_refused(&f, w, n);
}

static void
test_decode_comm(void **state)
{
	(void)state;
	check_comm(TYPE_SCORCH);
	check_comm(TYPE_EXTRA);
}

static void
check_task(uint32_t type, uint64_t sample_type)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[32] = {
		HDR(type, 0),
		PAIR(PID + 1, PID), /* pid, ppid */
		PAIR(PID + 1, TID), /* tid, ptid */
		TIME - 5,
	};
	size_t n = 4;

	n += put_trailer(&w[n], sample_type);
	fmt_init(&f, sample_type, 0);
	assert_int_equal(decode_words(&f, w, n, &rec), 0);
	assert_int_equal(rec.type, type);
	assert_int_equal(rec.task.pid, PID + 1);
	assert_int_equal(rec.task.ppid, PID);
	assert_int_equal(rec.task.tid, PID + 1);
	assert_int_equal(rec.task.ptid, TID);
	assert_int_equal(rec.task.time, TIME - 5);
	assert_trailer(&rec, sample_type);
	assert_truncations_refused(&f, w, n);
}

static void
test_decode_fork_exit(void **state)
{
	(void)state;
	check_task(PERF_RECORD_FORK, TYPE_SCORCH);
	check_task(PERF_RECORD_EXIT, TYPE_SCORCH);
	check_task(PERF_RECORD_FORK, TYPE_EXTRA);
	check_task(PERF_RECORD_EXIT, TYPE_EXTRA);
}

/* Records of two u64 or more after the header: lost, throttle, ... */
static void
check_fixed(uint32_t type, uint16_t misc, const uint64_t *body, size_t nbody,
	    uint64_t sample_type, struct perf_rec *rec)
{
	struct decode_format f;
	uint64_t w[32] = { HDR(type, misc) };
	size_t n = 1;

	if (nbody)
		memcpy(&w[n], body, nbody * 8);
	n += nbody;
	n += put_trailer(&w[n], sample_type);
	fmt_init(&f, sample_type, 0);
	assert_int_equal(decode_words(&f, w, n, rec), 0);
	assert_int_equal(rec->type, type);
	assert_trailer(rec, sample_type);
	if (rec->type != PERF_RECORD_KSYMBOL) /* body not read: below */
		assert_truncations_refused(&f, w, n);
}

static void
test_decode_lost_throttle_switch(void **state)
{
	static const uint64_t lost[] = { 9, 321 };
	static const uint64_t thr[] = { TIME - 1, 9, 10 };
	const uint64_t cpuwide[] = { PAIR(4321, 4322) };
	static const uint64_t nlost[] = { 17 };
	uint64_t types[] = { TYPE_SCORCH, TYPE_EXTRA };
	struct perf_rec rec;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		check_fixed(PERF_RECORD_LOST, 0, lost, 2, types[i], &rec);
		assert_int_equal(rec.lost.id, 9);
		assert_int_equal(rec.lost.lost, 321);
		check_fixed(PERF_RECORD_THROTTLE, 0, thr, 3, types[i], &rec);
		assert_int_equal(rec.throttle.time, TIME - 1);
		assert_int_equal(rec.throttle.stream_id, 10);
		check_fixed(PERF_RECORD_UNTHROTTLE, 0, thr, 3, types[i], &rec);
		assert_int_equal(rec.throttle.id, 9);
		check_fixed(PERF_RECORD_SWITCH_CPU_WIDE,
			    PERF_RECORD_MISC_SWITCH_OUT, cpuwide, 1, types[i],
			    &rec);
		assert_true(rec.switch_.out);
		assert_int_equal(rec.switch_.next_prev_pid, 4321);
		assert_int_equal(rec.switch_.next_prev_tid, 4322);
		assert_false(rec.switch_.preempt);
		check_fixed(PERF_RECORD_SWITCH, 0, NULL, 0, types[i], &rec);
		assert_false(rec.switch_.out);
		assert_false(rec.switch_.preempt);
		/* preempted (runnable) rather than blocked: on the way out */
		check_fixed(PERF_RECORD_SWITCH,
			    PERF_RECORD_MISC_SWITCH_OUT |
				    PERF_RECORD_MISC_SWITCH_OUT_PREEMPT,
			    NULL, 0, types[i], &rec);
		assert_true(rec.switch_.out);
		assert_true(rec.switch_.preempt);
		check_fixed(PERF_RECORD_SWITCH_CPU_WIDE,
			    PERF_RECORD_MISC_SWITCH_OUT |
				    PERF_RECORD_MISC_SWITCH_OUT_PREEMPT,
			    cpuwide, 1, types[i], &rec);
		assert_true(rec.switch_.preempt);
		assert_int_equal(rec.switch_.next_prev_tid, 4322);
		/* the same bit on a switch in means nothing (it is
		 * PERF_RECORD_MISC_EXACT_IP's) */
		check_fixed(PERF_RECORD_SWITCH,
			    PERF_RECORD_MISC_SWITCH_OUT_PREEMPT, NULL, 0,
			    types[i], &rec);
		assert_false(rec.switch_.out);
		assert_false(rec.switch_.preempt);
		check_fixed(PERF_RECORD_LOST_SAMPLES, 0, nlost, 1, types[i],
			    &rec);
		assert_int_equal(rec.lost_samples.lost, 17);
	}
}

/* The header itself is checked: shorter than 8, longer than the buffer,
 * not a multiple of 8. */
static void
test_decode_bad_header(void **state)
{
	struct decode_format f;
	struct perf_rec rec;
	uint64_t w[8] = { HDR(PERF_RECORD_LOST, 0) | (uint64_t)64 << 48 };

	(void)state;
	fmt_init(&f, TYPE_SCORCH, 0);
	assert_int_equal(decode_record(&f, w, 4, &rec), -EBADMSG);
	assert_int_equal(decode_record(&f, w, 56, &rec), -EBADMSG);
	w[0] = HDR(PERF_RECORD_LOST, 0) | (uint64_t)44 << 48;
	assert_int_equal(decode_record(&f, w, 64, &rec), -EBADMSG);
	w[0] = HDR(PERF_RECORD_LOST, 0) | (uint64_t)4 << 48;
	assert_int_equal(decode_record(&f, w, 64, &rec), -EBADMSG);
	assert_non_null(rec.error);
}

/* A type it does not know gets its header and trailer only. */
static void
test_decode_other_type(void **state)
{
	struct perf_rec rec;
	const uint64_t body[] = { 1, 2, 3 };

	(void)state;
	check_fixed(PERF_RECORD_KSYMBOL, 0, body, 3, TYPE_SCORCH, &rec);
	assert_int_equal(rec.type, PERF_RECORD_KSYMBOL);
}

static void
test_decode_format_unknown_bits(void **state)
{
	struct perf_event_attr attr;
	struct decode_format f;

	(void)state;
	memset(&attr, 0, sizeof(attr));
	attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_MAX;
	assert_int_equal(decode_format_init(&f, &attr), -EINVAL);
	attr.sample_type = PERF_SAMPLE_IP;
	attr.read_format = PERF_FORMAT_MAX;
	assert_int_equal(decode_format_init(&f, &attr), -EINVAL);
	attr.read_format = 0;
	assert_int_equal(decode_format_init(&f, &attr), 0);
	assert_int_equal(f.id_size, 0);
}

/* The attr scorch really opens: its sample_id trailer is 3 words. */
static void
test_decode_format_of_scorch(void **state)
{
	struct perf_event_attr attr;
	struct event_spec spec;
	struct decode_format f;

	(void)state;
	assert_int_equal(event_lookup("cpu-clock", &spec, NULL), 0);
	event_attr_init(&attr, &spec, 99, true, SCOPE_CPU);
	assert_int_equal(decode_format_init(&f, &attr), 0);
	assert_true(f.sample_id_all);
	assert_int_equal(f.id_size, 24);
}

/*
 * A real recording with seven more PERF_SAMPLE_* bits, before, between and
 * after scorch's fields: samples keep their pid, their stacks land in the
 * child's code, and no record is refused. (With fields read at fixed
 * offsets, every sample's pid was garbage and none was kept.)
 */
static void
test_decode_recording_extra_bits(void **state)
{
	char sh[] = "/bin/sh", dash_c[] = "-c",
	     script[] = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done";
	char *const argv[] = { sh, dash_c, script, NULL };
	struct record_opts opts;
	struct scorch_err err = { { 0 } };
	const struct sampler_stats *st;
	struct sampler *smp;
	size_t i, in_code = 0;
	pid_t child;

	(void)state;
	memset(&opts, 0, sizeof(opts));
	opts.argv = argv;
	opts.freq_hz = 499;
	opts.scope = SCOPE_CPU; /* PERF_SAMPLE_READ: not with inherit */
	opts.sample_type_extra = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_ADDR |
				 PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID |
				 PERF_SAMPLE_READ | PERF_SAMPLE_WEIGHT |
				 PERF_SAMPLE_DATA_SRC;
	smp = sampler_new(&opts, &err);
	if (!smp) {
		print_message("skipped: cannot record: %s\n", err.msg);
		skip();
	}
	child = sampler_child(smp);
	assert_int_equal(sampler_run(smp, &err), 0);
	assert_int_equal(sampler_wait_child(smp), 0);
	st = sampler_stats(smp);
	print_message("%llu samples, %llu corrupt records\n",
		      (unsigned long long)st->samples,
		      (unsigned long long)st->corrupt);
	assert_int_equal(st->corrupt, 0);
	/* 0.3 s or more of CPU time at 499 Hz: about 150 samples */
	assert_true(st->samples >= 20);
	for (i = 0; i < sampler_nstacks(smp); i++) {
		const struct addr_stack *a = sampler_stack(smp, i);

		assert_int_equal(a->pid, child);
		if (a->nuser && a->modules[0] != MODULE_NONE)
			in_code += a->count;
	}
	/* The ip decoded is an address in a mapped file: sh or libc. */
	assert_true(in_code * 2 >= st->samples);
	sampler_free(smp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_sample_scorch_type),
		cmocka_unit_test(test_decode_sample_extra_bits),
		cmocka_unit_test(test_decode_sample_small_type),
		cmocka_unit_test(test_decode_sample_no_user_regs),
		cmocka_unit_test(test_decode_sample_group_read),
		cmocka_unit_test(test_decode_sample_corrupt_nr),
		cmocka_unit_test(test_decode_mmap2),
		cmocka_unit_test(test_decode_mmap2_build_id),
		cmocka_unit_test(test_decode_mmap),
		cmocka_unit_test(test_decode_comm),
		cmocka_unit_test(test_decode_fork_exit),
		cmocka_unit_test(test_decode_lost_throttle_switch),
		cmocka_unit_test(test_decode_bad_header),
		cmocka_unit_test(test_decode_other_type),
		cmocka_unit_test(test_decode_format_unknown_bits),
		cmocka_unit_test(test_decode_format_of_scorch),
		cmocka_unit_test(test_decode_recording_extra_bits),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL,
					   free_last_copy);
}
