/* SPDX-License-Identifier: MIT */
/*
 * sampler/sampler.c - attaching to targets, the recording loop, and turning
 * perf records into address stacks, maps and task names.
 *
 * Records are read in passes. A pass copies everything the rings hold,
 * sorts it by time and handles it in order, so a child's FORK record is seen
 * before its samples even when they sit in another CPU's ring. A record from
 * a process not yet known to be a target waits one more pass: every ring is
 * read to a point later than the record by then, so if its FORK record
 * exists, it has been read. Only then is the process called "other".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"

#define DEFAULT_CPU_RING_PAGES 128   /* 512 KiB per CPU */
#define DEFAULT_THREAD_RING_PAGES 16 /* 64 KiB per thread */
/* Samples that carry a stack copy need room for many more bytes. */
#define DWARF_RING_BYTES (8u << 20)
#define POLL_MS 100  /* longest wait between passes */
#define MAX_IPS 1024 /* frames kept per stack */
/*
 * fp mode copies this much of the user stack to find a frameless leaf's
 * caller by CFI: the leaf's frame holds at most a few saved registers.
 */
#define LEAF_STACK_BYTES 512
/* Unwinding times are kept in a histogram of 1/8-octave buckets of ns. */
#define UNWIND_HIST_BUCKETS 256

/*
 * One record of this pass: read in place in its ring (which is given back
 * to the kernel only after the pass), or copied into pass.buf when it
 * wrapped around the ring's end or waits for the next pass.
 */
struct rec {
	uint64_t time;
	const unsigned char *ptr; /* in a ring, or NULL: at buf + off */
	size_t off;		  /* into pass.buf */
	uint32_t seq;  /* order of arrival, to keep the sort stable */
	bool deferred; /* already waited one pass */
};

struct pass {
	unsigned char *buf;
	size_t len, cap;
	struct rec *recs;
	size_t nrecs, recs_cap;
};

struct sampler {
	struct record_opts opts;
	struct event_spec spec;
	enum sampler_scope scope;
	bool kernel;
	uint32_t max_stack;

	int *cpus; /* online CPUs */
	size_t ncpus;
	struct ring *rings; /* one per CPU; base == NULL until an event */
	bool *hup;	    /* per ring: stop polling it (owner task gone) */
	int *fds;	    /* every event fd, ring owners included */
	size_t nfds, fds_cap;

	int *pidfds; /* one per listed target, -1 once exited */
	pid_t *pids;
	size_t npids;
	pid_t child; /* launched command, or 0 */
	/* The child's exec was seen: before it, its samples are scorch's own
	 * fork between fork() and execvp(), not the command's. */
	bool child_execd;
	int child_status;
	bool child_reaped;

	struct stack_table *stacks;
	struct map_set *maps;
	struct module_table *mods;
	struct task_table *tasks;
	const struct unwinder_ops *uw_ops; /* NULL: no CFI unwinding */
	struct unwinder *uw;
	uint64_t regs_mask;   /* user registers sampled */
	uint32_t stack_bytes; /* user stack copied per sample */
	unsigned ring_shrink; /* rings halved this often (memory lock limit) */
	uint64_t unwind_hist[UNWIND_HIST_BUCKETS];
	struct sampler_stats stats;
	struct strbuf cmdlines;

	struct pass cur, next; /* this pass, records deferred to the next */
	uint64_t ips[MAX_IPS];
	uint64_t uips[MAX_IPS]; /* user frames from the unwinder */
	uint32_t umods[MAX_IPS];
	struct timespec start;
};

static double
ts_elapsed(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* ---- passes ------------------------------------------------------------ */

static struct rec *
pass_new_rec(struct pass *p, uint64_t time, bool deferred)
{
	struct rec *r;

	if (p->nrecs == p->recs_cap) {
		p->recs_cap = p->recs_cap ? p->recs_cap * 2 : 1024;
		p->recs = xreallocarray(p->recs, p->recs_cap, sizeof(*r));
	}
	r = &p->recs[p->nrecs];
	r->time = time;
	r->ptr = NULL;
	r->off = 0;
	r->seq = (uint32_t)p->nrecs;
	r->deferred = deferred;
	p->nrecs++;
	return r;
}

/* Add a copy of a record. */
static void
pass_add(struct pass *p, const void *data, size_t size, uint64_t time,
	 bool deferred)
{
	struct rec *r;

	if (p->len + size > p->cap) {
		while (p->len + size > p->cap)
			p->cap = p->cap ? p->cap * 2 : 65536;
		p->buf = xrealloc(p->buf, p->cap);
	}
	memcpy(p->buf + p->len, data, size);
	r = pass_new_rec(p, time, deferred);
	r->off = p->len;
	p->len += size;
}

/*
 * Add a record where it lies in its ring: samples with a stack copy are
 * tens of KiB, and copying each once more costs more than unwinding it.
 */
static void
pass_add_ref(struct pass *p, const void *data, uint64_t time)
{
	pass_new_rec(p, time, false)->ptr = data;
}

static void
pass_clear(struct pass *p)
{
	p->len = 0;
	p->nrecs = 0;
}

static void
pass_free(struct pass *p)
{
	free(p->buf);
	free(p->recs);
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * With sample_id_all, every non-sample record ends with the sample_id
 * fields our sample_type selects: { pid, tid } { time } { cpu, res }.
 */
static uint64_t
rec_time(const struct perf_event_header *h)
{
	const unsigned char *p = (const void *)h;

	if (h->type == PERF_RECORD_SAMPLE) {
		/* header, ip, pid/tid, then time */
		if (h->size < sizeof(*h) + 24)
			return 0;
		return *(const uint64_t *)(p + sizeof(*h) + 16);
	}
	if (h->size < sizeof(*h) + 24)
		return 0;
	return *(const uint64_t *)(p + h->size - 16);
}

/* ---- record handling --------------------------------------------------- */

/* Decide whether a record of pid is ours; may defer it to the next pass. */
static enum task_state
sampler_classify(struct sampler *s, pid_t pid, const struct rec *r,
		 const struct perf_event_header *h)
{
	enum task_state st = task_table_state(s->tasks, pid);

	if (st != TASK_UNKNOWN)
		return st;
	if (s->scope == SCOPE_THREAD) {
		/* Our events only see our targets and their children. */
		task_table_set_state(s->tasks, pid, TASK_TARGET);
		return TASK_TARGET;
	}
	if (!r->deferred) {
		pass_add(&s->next, h, h->size, r->time, true);
		return TASK_UNKNOWN;
	}
	task_table_set_state(s->tasks, pid, TASK_OTHER);
	return TASK_OTHER;
}

/* The parts of a PERF_RECORD_SAMPLE that follow the callchain. */
struct sample_tail {
	const uint64_t *regs; /* sampled user registers, or NULL */
	const unsigned char *stack;
	uint64_t stack_len; /* bytes of the stack copy the kernel filled */
	bool stack_full;    /* ... all it was asked for */
};

/* Parse regs and stack after the callchain; false if the record is short. */
static bool
sampler_parse_tail(const struct sampler *s, const unsigned char *p,
		   const unsigned char *end, struct sample_tail *t)
{
	uint64_t abi, size, dyn;
	size_t nregs = (size_t)__builtin_popcountll(s->regs_mask);

	memset(t, 0, sizeof(*t));
	if (!s->regs_mask)
		return true;
	/* { u64 abi; u64 regs[weight(mask)] } when abi is not NONE */
	if (end - p < 8)
		return false;
	memcpy(&abi, p, 8);
	p += 8;
	if (abi != PERF_SAMPLE_REGS_ABI_NONE) {
		if ((size_t)(end - p) < nregs * 8)
			return false;
		t->regs = (const uint64_t *)p;
		p += nregs * 8;
	}
	/* { u64 size; char data[size]; u64 dyn_size } when size is not 0 */
	if (end - p < 8)
		return false;
	memcpy(&size, p, 8);
	p += 8;
	if (!size)
		return true;
	if ((uint64_t)(end - p) < size + 8)
		return false;
	memcpy(&dyn, p + size, 8);
	t->stack = p;
	t->stack_len = dyn < size ? dyn : size;
	t->stack_full = dyn >= size;
	return true;
}

/* Spread sampled registers (in mask order) into regs[] by perf number. */
static void
sampler_unpack_regs(uint64_t mask, const uint64_t *packed, uint64_t *regs)
{
	unsigned bit;
	size_t k = 0;

	for (bit = 0; bit < UNWIND_NREGS; bit++)
		if (mask & (1ULL << bit))
			memcpy(&regs[bit], &packed[k++], sizeof(*regs));
}

static void
sampler_note_unwind_time(struct sampler *s, uint64_t ns)
{
	/*
	 * Bucket 8 * octave + the three bits after the leading one: eight
	 * buckets per doubling, so a quantile is within 9% of the truth.
	 */
	unsigned b = 0, octave;

	if (ns >= 8) {
		octave = 63 - (unsigned)__builtin_clzll(ns);
		b = octave * 8 + (unsigned)((ns >> (octave - 3)) & 7);
	} else {
		b = (unsigned)ns;
	}
	if (b >= UNWIND_HIST_BUCKETS)
		b = UNWIND_HIST_BUCKETS - 1;
	s->unwind_hist[b]++;
}

static uint64_t
sampler_unwind_quantile(const struct sampler *s, double q)
{
	uint64_t total = 0, want, seen = 0;
	unsigned b;

	for (b = 0; b < UNWIND_HIST_BUCKETS; b++)
		total += s->unwind_hist[b];
	if (!total)
		return 0;
	want = (uint64_t)(q * (double)(total - 1)) + 1;
	for (b = 0; b < UNWIND_HIST_BUCKETS; b++) {
		seen += s->unwind_hist[b];
		if (seen >= want)
			break;
	}
	/* The bucket's middle. */
	if (b < 24)
		return b;
	return ((16ULL + 2 * (b & 7) + 1) << (b / 8 - 3)) / 2;
}

static uint64_t
ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * fp mode: GCC gives a leaf function that never touches the stack no frame,
 * even with -fno-omit-frame-pointer, and so does the C library for its
 * string functions; the kernel's frame-pointer walk from inside such a leaf
 * finds its caller's frame first and so drops the caller. Unwind the leaf
 * alone by CFI from a small stack copy and put the caller back.
 */
static uint32_t
sampler_fix_leaf(struct sampler *s, const struct unwind_sample *smp,
		 uint64_t *user, uint32_t nuser, uint32_t room)
{
	uint64_t two[2];
	uint32_t n = 0;

	if (!s->uw || nuser < 1 || room <= nuser)
		return nuser;
	s->uw_ops->user(s->uw, smp, two, 2, &n);
	if (n < 2 || (nuser >= 2 && two[1] == user[1]))
		return nuser;
	if (!map_set_find(s->maps, smp->pid, two[1] - 1))
		return nuser; /* not a return address into code */
	memmove(user + 2, user + 1, (size_t)(nuser - 1) * sizeof(*user));
	user[1] = two[1];
	s->stats.leaf_fixed++;
	return nuser + 1;
}

/*
 * Fix each user frame to its module and file offset, against the maps as
 * they are now (the time of the sample). A return address in no executable
 * mapping means the unwind left the code (in fp mode, a frame pointer
 * register that held data): the stack is cut there and marked broken.
 */
static uint32_t
sampler_fix_modules(struct sampler *s, pid_t pid, uint64_t *user,
		    uint32_t *mods, uint32_t nuser, uint32_t *flags)
{
	uint32_t j;

	for (j = 0; j < nuser; j++) {
		const struct addr_map *m =
			map_set_find(s->maps, pid, j ? user[j] - 1 : user[j]);

		if (!m) {
			if (j) {
				*flags |= STACK_BROKEN;
				return j;
			}
			mods[j] = MODULE_NONE; /* JIT code freed, or unknown */
			continue;
		}
		mods[j] = m->module;
		if (m->module != MODULE_NONE)
			user[j] = user[j] - m->start + m->pgoff;
	}
	return nuser;
}

/*
 * fp: the kernel's frame-pointer walk stops quietly wherever the chain
 * breaks; the chain is whole only if it ends at a root (the unwinder's
 * test, the one CFI unwinding uses).
 */
static bool
sampler_fp_whole(struct sampler *s, pid_t pid, const uint64_t *user,
		 uint32_t nuser)
{
	if (!nuser || !s->uw || !s->uw_ops->root)
		return true;
	return s->uw_ops->root(s->uw, pid, user[nuser - 1], nuser > 1);
}

/* Count a kept sample and how its stack was cut. */
static void
sampler_count_stack(struct sampler *s, pid_t pid, uint32_t flags)
{
	size_t nmaps;
	uint64_t gen;

	s->stats.samples++;
	if (flags & STACK_TRUNCATED)
		s->stats.truncated++;
	if (flags & STACK_COPY_SHORT)
		s->stats.copy_short++;
	if (!(flags & STACK_BROKEN))
		return;
	s->stats.broken++;
	/* Nothing to unwind with: the maps were not readable. */
	map_set_maps(s->maps, pid, &nmaps, &gen);
	if (!nmaps)
		s->stats.broken_nomaps++;
}

static void
sampler_handle_sample(struct sampler *s, const struct rec *r,
		      const struct perf_event_header *h)
{
	const unsigned char *p = (const unsigned char *)(h + 1);
	const unsigned char *end = (const unsigned char *)h + h->size;
	uint32_t pid, tid, flags = 0, nuser;
	uint64_t nr, *user;
	struct unwind_out out;
	struct sample_tail tail;
	struct unwind_sample smp;
	int seen;

	/* ip, pid/tid, time, cpu/res, period, nr, ips[nr], regs, stack */
	if (end - p < 48)
		return;
	memcpy(&pid, p + 8, 4);
	memcpy(&tid, p + 12, 4);
	memcpy(&nr, p + 40, 8);
	if (nr > (uint64_t)(end - p - 48) / 8)
		return; /* corrupt */
	if (!sampler_parse_tail(s, p + 48 + nr * 8, end, &tail))
		return;
	switch (sampler_classify(s, (pid_t)pid, r, h)) {
	case TASK_TARGET:
		break;
	case TASK_OTHER:
		s->stats.other++;
		return;
	default:
		return;
	}
	if (s->child && (pid_t)pid == s->child && !s->child_execd) {
		s->stats.launcher++;
		return;
	}
	out.ips = s->ips;
	out.cap = MAX_IPS;
	unwind_callchain((const uint64_t *)(p + 48), nr, s->max_stack, &out);
	if (out.truncated)
		flags |= STACK_TRUNCATED;
	user = s->ips + out.nkernel;
	nuser = out.nuser;
	if (tail.regs) {
		memset(&smp, 0, sizeof(smp));
		smp.pid = (pid_t)pid;
		smp.tid = (pid_t)tid;
		smp.regs_mask = s->regs_mask;
		sampler_unpack_regs(s->regs_mask, tail.regs, smp.regs);
		smp.stack = tail.stack;
		smp.stack_len = tail.stack_len;
		smp.stack_full = tail.stack_full;
	}
	if (s->opts.callgraph == CALLGRAPH_DWARF && tail.regs && s->uw) {
		uint64_t t0 = ns_now();
		enum unwind_result res;

		res = s->uw_ops->user(s->uw, &smp, user, MAX_IPS - out.nkernel,
				      &nuser);
		sampler_note_unwind_time(s, ns_now() - t0);
		if (res == UNWIND_COPY_SHORT || res == UNWIND_MAX)
			flags |= STACK_COPY_SHORT;
		else if (res == UNWIND_BROKEN)
			flags |= STACK_BROKEN;
	} else if (tail.regs) {
		nuser = sampler_fix_leaf(s, &smp, user, nuser,
					 MAX_IPS - out.nkernel);
	}
	if (s->opts.callgraph == CALLGRAPH_FP && !out.truncated &&
	    !sampler_fp_whole(s, (pid_t)pid, user, nuser))
		flags |= STACK_BROKEN;
	nuser = sampler_fix_modules(s, (pid_t)pid, user, s->umods, nuser,
				    &flags);
	stack_table_add(s->stacks, (pid_t)pid, (pid_t)tid,
			task_table_image(s->tasks, (pid_t)pid), s->ips,
			s->umods, out.nkernel, nuser, flags, 1);
	sampler_count_stack(s, (pid_t)pid, flags);
	seen = task_table_seen(s->tasks, (pid_t)pid, (pid_t)tid);
	if (seen & TASK_NEW_THREAD)
		s->stats.threads++;
	if (seen & TASK_NEW_PROCESS)
		s->stats.processes++;
}

static void
sampler_handle_mmap(struct sampler *s, const struct rec *r,
		    const struct perf_event_header *h)
{
	const unsigned char *p = (const unsigned char *)(h + 1);
	const unsigned char *end = (const unsigned char *)h + h->size;
	size_t fixed = h->type == PERF_RECORD_MMAP2 ? 64 : 32;
	uint32_t pid;
	uint64_t len;
	struct addr_map m;

	/* pid, tid, addr, len, pgoff, [mmap2: dev/ino/gen/prot/flags], name */
	if ((size_t)(end - p) <= fixed)
		return;
	if (h->misc & PERF_RECORD_MISC_MMAP_DATA)
		return;
	memcpy(&pid, p, 4);
	if ((int32_t)pid == -1)
		return; /* kernel module maps */
	if (h->type == PERF_RECORD_MMAP2) {
		uint32_t prot;

		/* pid tid addr len pgoff maj min ino ino_generation prot */
		memcpy(&prot, p + 56, 4);
		if (!(prot & 4 /* PROT_EXEC */))
			return;
	}
	if (sampler_classify(s, (pid_t)pid, r, h) != TASK_TARGET)
		return;
	memset(&m, 0, sizeof(m));
	memcpy(&m.start, p + 8, 8);
	memcpy(&len, p + 16, 8);
	memcpy(&m.pgoff, p + 24, 8);
	m.end = m.start + len;
	if (h->type == PERF_RECORD_MMAP2 &&
	    !(h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID)) {
		uint32_t major, minor;

		memcpy(&major, p + 32, 4);
		memcpy(&minor, p + 36, 4);
		memcpy(&m.ino, p + 40, 8);
		m.dev = makedev(major, minor);
	}
	m.path = (const char *)p + fixed;
	if (!memchr(m.path, '\0',
		    (size_t)(end - (const unsigned char *)m.path)))
		return;
	m.module = module_table_get(s->mods, (pid_t)pid, &m);
	map_set_add(s->maps, (pid_t)pid, &m);
}

static void
sampler_handle_comm(struct sampler *s, const struct rec *r,
		    const struct perf_event_header *h)
{
	const unsigned char *p = (const unsigned char *)(h + 1);
	const unsigned char *end = (const unsigned char *)h + h->size;
	uint32_t pid, tid;
	const char *comm;

	if (end - p <= 8)
		return;
	memcpy(&pid, p, 4);
	memcpy(&tid, p + 4, 4);
	comm = (const char *)p + 8;
	if (!memchr(comm, '\0', (size_t)(end - (const unsigned char *)comm)))
		return;
	if (sampler_classify(s, (pid_t)pid, r, h) != TASK_TARGET)
		return;
	/* An exec replaces the image: the old maps no longer apply. */
	if ((h->misc & PERF_RECORD_MISC_COMM_EXEC) && pid == tid) {
		if ((pid_t)pid == s->child)
			s->child_execd = true;
		map_set_exec(s->maps, (pid_t)pid);
		if (s->uw)
			s->uw_ops->forget(s->uw, (pid_t)pid);
		task_table_exec(s->tasks, (pid_t)pid);
	}
	task_table_set_comm(s->tasks, (pid_t)pid, (pid_t)tid, comm);
}

static void
sampler_handle_fork(struct sampler *s, const struct perf_event_header *h)
{
	const unsigned char *p = (const unsigned char *)(h + 1);
	uint32_t pid, ppid, tid;

	/* pid, ppid, tid, ptid, time */
	if (h->size < sizeof(*h) + 24)
		return;
	memcpy(&pid, p, 4);
	memcpy(&ppid, p + 4, 4);
	memcpy(&tid, p + 8, 4);
	if (pid == ppid)
		return; /* a new thread: its process is already classified */
	if (task_table_state(s->tasks, (pid_t)ppid) != TASK_TARGET &&
	    !(s->scope == SCOPE_THREAD))
		return;
	/* A new process forked by a target is a target too (pid reuse too). */
	task_table_set_state(s->tasks, (pid_t)pid, TASK_TARGET);
	map_set_fork(s->maps, (pid_t)ppid, (pid_t)pid);
	task_table_set_comm(s->tasks, (pid_t)pid, (pid_t)pid,
			    task_table_comm(s->tasks, (pid_t)ppid));
	(void)tid;
}

/* A process exited: what the unwinder keeps for it can go. */
static void
sampler_handle_exit(struct sampler *s, const struct perf_event_header *h)
{
	const unsigned char *p = (const unsigned char *)(h + 1);
	uint32_t pid, tid;

	/* pid, ppid, tid, ptid, time */
	if (h->size < sizeof(*h) + 24)
		return;
	memcpy(&pid, p, 4);
	memcpy(&tid, p + 8, 4);
	if (pid == tid && s->uw &&
	    task_table_state(s->tasks, (pid_t)pid) == TASK_TARGET)
		s->uw_ops->forget(s->uw, (pid_t)pid);
}

static void
sampler_handle(struct sampler *s, const struct rec *r)
{
	const struct perf_event_header *h =
		(const void *)(r->ptr ? r->ptr : s->cur.buf + r->off);
	const uint64_t *u = (const uint64_t *)(h + 1);

	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		sampler_handle_sample(s, r, h);
		break;
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		sampler_handle_mmap(s, r, h);
		break;
	case PERF_RECORD_COMM:
		sampler_handle_comm(s, r, h);
		break;
	case PERF_RECORD_FORK:
		sampler_handle_fork(s, h);
		break;
	case PERF_RECORD_EXIT:
		sampler_handle_exit(s, h);
		break;
	case PERF_RECORD_LOST:
		/* { id, lost }: records dropped because the ring was full. */
		if (h->size >= sizeof(*h) + 16)
			s->stats.lost += u[1];
		/* The child's exec record may be among them: keep its
		 * samples from here on rather than drop them all. */
		s->child_execd = true;
		break;
	case PERF_RECORD_LOST_SAMPLES:
		if (h->size >= sizeof(*h) + 8)
			s->stats.lost_samples += u[0];
		break;
	case PERF_RECORD_THROTTLE:
		s->stats.throttled++;
		break;
	default:
		break;
	}
}

/* Read every ring, then handle the records in time order. */
static void
sampler_pass(struct sampler *s)
{
	struct pass tmp;
	size_t i;

	/* Records deferred by the last pass come first, in their old order. */
	tmp = s->cur;
	s->cur = s->next;
	s->next = tmp;
	pass_clear(&s->next);
	for (i = 0; i < s->ncpus; i++) {
		const struct perf_event_header *h;
		struct ring *r = &s->rings[i];

		if (!r->base)
			continue;
		ring_snapshot(r);
		while ((h = ring_next(r))) {
			if ((const void *)h == r->bounce)
				pass_add(&s->cur, h, h->size, rec_time(h),
					 false);
			else
				pass_add_ref(&s->cur, h, rec_time(h));
		}
	}
	for (i = 0; i < s->cur.nrecs; i++)
		s->cur.recs[i].seq = (uint32_t)i;
	if (s->cur.nrecs)
		qsort(s->cur.recs, s->cur.nrecs, sizeof(*s->cur.recs), rec_cmp);
	for (i = 0; i < s->cur.nrecs; i++)
		sampler_handle(s, &s->cur.recs[i]);
	pass_clear(&s->cur);
	/* Only now may the kernel write over the records read in place. */
	for (i = 0; i < s->ncpus; i++)
		if (s->rings[i].base)
			ring_release(&s->rings[i]);
}

/* ---- opening events ---------------------------------------------------- */

static size_t
sampler_min_ring_pages(const struct sampler *s)
{
	return s->scope == SCOPE_CPU ? DEFAULT_CPU_RING_PAGES
				     : DEFAULT_THREAD_RING_PAGES;
}

/*
 * Samples with a stack copy are big: a ring must hold a quarter of a second
 * of them at the full rate of one CPU (up to DWARF_RING_BYTES), or samples
 * are lost between two passes. Halved when the kernel refuses to lock so
 * much memory for an unprivileged user (kernel.perf_event_mlock_kb).
 */
static size_t
sampler_ring_pages(const struct sampler *s)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = sampler_min_ring_pages(s);
	uint64_t want;

	if (s->opts.ring_pages)
		return s->opts.ring_pages;
	if (s->stack_bytes) {
		want = (uint64_t)s->opts.freq_hz * (s->stack_bytes + 1536) / 4;
		if (want > DWARF_RING_BYTES)
			want = DWARF_RING_BYTES;
		while ((uint64_t)pages * page < want)
			pages *= 2;
	}
	pages >>= s->ring_shrink;
	return pages < sampler_min_ring_pages(s) ? sampler_min_ring_pages(s)
						 : pages;
}

/*
 * Take an event fd for CPU slot idx. The first event of a CPU gets the ring
 * buffer; later ones (other threads, thread scope) write into it through
 * PERF_EVENT_IOC_SET_OUTPUT, as rings can only be shared on one CPU.
 */
static int
sampler_add_event(struct sampler *s, int fd, size_t idx, struct scorch_err *err)
{
	struct ring *r = &s->rings[idx];
	int ret;

	if (s->nfds == s->fds_cap) {
		s->fds_cap = s->fds_cap ? s->fds_cap * 2 : 16;
		s->fds = xreallocarray(s->fds, s->fds_cap, sizeof(*s->fds));
	}
	s->fds[s->nfds++] = fd;
	while (!r->base) {
		size_t pages = sampler_ring_pages(s);

		ret = ring_open(r, fd, pages, err);
		if (ret != -EPERM || pages <= sampler_min_ring_pages(s) ||
		    s->opts.ring_pages)
			return ret;
		s->ring_shrink++;
	}
	if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) < 0) {
		ret = -errno;
		err_set(err, "cannot share a perf ring buffer: %s",
			strerror(errno));
		return ret;
	}
	return 0;
}

static void
sampler_close_events(struct sampler *s)
{
	size_t i;

	for (i = 0; i < s->ncpus; i++)
		ring_close(&s->rings[i]);
	for (i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	s->nfds = 0;
}

static void
sampler_attr(struct sampler *s, struct perf_event_attr *attr)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	event_attr_init(attr, &s->spec, s->opts.freq_hz, s->kernel, s->scope);
	attr->wakeup_watermark = (uint32_t)(sampler_ring_pages(s) * page / 4);
	attr->sample_max_stack = (uint16_t)s->max_stack;
	if (s->regs_mask) {
		attr->sample_type |= PERF_SAMPLE_REGS_USER;
		attr->sample_regs_user = s->regs_mask;
	}
	if (s->stack_bytes) {
		attr->sample_type |= PERF_SAMPLE_STACK_USER;
		attr->sample_stack_user = s->stack_bytes;
	}
	/* dwarf: the kernel's callchain is only wanted for kernel frames. */
	if (s->opts.callgraph == CALLGRAPH_DWARF)
		attr->exclude_callchain_user = 1;
}

/* Explain a perf_event_open failure in a user's words. */
static void
sampler_open_error(struct sampler *s, int ret, const char *what,
		   struct scorch_err *err)
{
	if (ret == -ENOENT || ret == -EOPNOTSUPP || ret == -ENODEV)
		err_set(err,
			"event '%s' is not supported on this machine%s; "
			"use -e cpu-clock",
			s->spec.name,
			s->spec.type == PERF_TYPE_HARDWARE
				? " (no hardware performance counters)"
				: "");
	else if (ret == -EACCES || ret == -EPERM)
		err_set(err,
			"%s: permission denied opening perf events; run as "
			"root, grant CAP_PERFMON, or lower "
			"kernel.perf_event_paranoid",
			what);
	else if (ret == -EMFILE)
		err_set(err,
			"%s: too many open files; raise the limit with "
			"'ulimit -n'",
			what);
	else
		err_set(err, "%s: perf_event_open: %s", what, strerror(-ret));
}

/* One event per online CPU, for every task; samples are filtered by pid. */
static int
sampler_open_cpu(struct sampler *s, struct scorch_err *err)
{
	struct perf_event_attr attr;
	size_t i;
	int fd, ret;

	sampler_attr(s, &attr);
	for (i = 0; i < s->ncpus; i++) {
		fd = event_open(&attr, -1, s->cpus[i]);
		if (fd == -ENODEV)
			continue; /* went offline meanwhile */
		if (fd < 0) {
			char what[32];

			snprintf(what, sizeof(what), "cpu %d", s->cpus[i]);
			sampler_open_error(s, fd, what, err);
			return fd;
		}
		ret = sampler_add_event(s, fd, i, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * Open inherited events on one thread, one per CPU (the kernel maps no
 * ring for an inherited event that follows a task across CPUs). Returns
 * -ESRCH when the thread is gone.
 */
static int
sampler_open_thread(struct sampler *s, pid_t tid, bool on_exec,
		    struct scorch_err *err)
{
	struct perf_event_attr attr;
	size_t i;
	int fd, ret;

	sampler_attr(s, &attr);
	if (on_exec)
		attr.enable_on_exec = 1;
	else
		attr.disabled = 0;
	for (i = 0; i < s->ncpus; i++) {
		fd = event_open(&attr, tid, s->cpus[i]);
		if (fd == -ENODEV)
			continue;
		if (fd == -ESRCH)
			return fd;
		if (fd < 0) {
			char what[32];

			snprintf(what, sizeof(what), "thread %d", (int)tid);
			sampler_open_error(s, fd, what, err);
			return fd;
		}
		ret = sampler_add_event(s, fd, i, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int
pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Open events on every thread of pid. Threads started by a thread we
 * already watch inherit its event; threads started by one we have not
 * reached yet are found by scanning /proc again until nothing is new.
 * A thread that exits before we reach it is counted, not fatal.
 */
static int
sampler_attach_threads(struct sampler *s, pid_t pid, struct scorch_err *err)
{
	pid_t *done = NULL;
	size_t ndone = 0, cap = 0;
	char path[64];
	int round, ret = 0;
	bool fresh = true;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (round = 0; fresh && round < 100; round++) {
		struct dirent *de;
		DIR *dir = opendir(path);

		fresh = false;
		if (!dir)
			break; /* the process exited; pidfd tells the rest */
		while ((de = readdir(dir))) {
			pid_t tid;

			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			tid = (pid_t)atoi(de->d_name);
			if (ndone &&
			    bsearch(&tid, done, ndone, sizeof(*done), pid_cmp))
				continue;
			ret = sampler_open_thread(s, tid, false, err);
			if (ret == -ESRCH) {
				s->stats.skipped_threads++;
				ret = 0;
			} else if (ret < 0) {
				closedir(dir);
				goto out;
			}
			if (ndone == cap) {
				cap = cap ? cap * 2 : 64;
				done = xreallocarray(done, cap, sizeof(*done));
			}
			done[ndone++] = tid;
			qsort(done, ndone, sizeof(*done), pid_cmp);
			fresh = true;
		}
		closedir(dir);
	}
out:
	free(done);
	return ret;
}

static void
sampler_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
sampler_enable(struct sampler *s, bool on)
{
	size_t i;

	for (i = 0; i < s->nfds; i++)
		ioctl(s->fds[i],
		      on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0);
}

/* ---- targets ----------------------------------------------------------- */

static void
sampler_add_cmdline(struct sampler *s, pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n, i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	if (s->cmdlines.len)
		strbuf_addstr(&s->cmdlines, "; ");
	strbuf_addstr(&s->cmdlines, buf);
}

static int
pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static void
sampler_watch_pid(struct sampler *s, pid_t pid)
{
	s->pids = xreallocarray(s->pids, s->npids + 1, sizeof(*s->pids));
	s->pidfds = xreallocarray(s->pidfds, s->npids + 1, sizeof(*s->pidfds));
	s->pids[s->npids] = pid;
	s->pidfds[s->npids] = pidfd_open_compat(pid);
	if (s->pidfds[s->npids] >= 0)
		fcntl(s->pidfds[s->npids], F_SETFD, FD_CLOEXEC);
	s->npids++;
}

/* Check that pid names a process we can attach to. */
static int
sampler_check_pid(pid_t pid, struct scorch_err *err)
{
	char path[64], line[256];
	long tgid = -1;
	FILE *fp;

	if (pid <= 0) {
		err_set(err, "pid %d: not a valid process id", (int)pid);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "re");
	if (!fp) {
		err_set(err, "pid %d: no such process", (int)pid);
		return -ESRCH;
	}
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(fp);
	if (tgid > 0 && tgid != pid) {
		err_set(err, "pid %d: is a thread of process %ld; use -p %ld",
			(int)pid, tgid, tgid);
		return -EINVAL;
	}
	if (pid == getpid()) {
		err_set(err, "pid %d: is scorch itself", (int)pid);
		return -EINVAL;
	}
	return 0;
}

/*
 * Start the command stopped at a pipe, so events can be opened on it before
 * it runs a single instruction of its own. *go is the write end that lets it
 * continue; *status_fd reports an exec failure (EOF means exec worked).
 */
static pid_t
sampler_fork_command(char *const *argv, int *go, int *status_fd,
		     struct scorch_err *err)
{
	int gopipe[2], errpipe[2];
	pid_t pid;

	if (pipe2(gopipe, O_CLOEXEC) < 0 || pipe2(errpipe, O_CLOEXEC) < 0) {
		err_set(err, "%s: cannot start: %s", argv[0], strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		err_set(err, "%s: cannot start: %s", argv[0], strerror(errno));
		close(gopipe[0]);
		close(gopipe[1]);
		close(errpipe[0]);
		close(errpipe[1]);
		return -1;
	}
	if (pid == 0) {
		char c;
		int e;

		close(gopipe[1]);
		close(errpipe[0]);
		if (read(gopipe[0], &c, 1) != 1)
			_exit(127); /* scorch gave up before starting us */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		e = errno;
		if (write(errpipe[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(gopipe[0]);
	close(errpipe[1]);
	*go = gopipe[1];
	*status_fd = errpipe[0];
	return pid;
}

struct sampler *
sampler_new(const struct record_opts *opts, struct scorch_err *err)
{
	struct sampler *s = xcalloc(1, sizeof(*s));
	int go = -1, status_fd = -1, ret = 0;
	size_t i;

	s->opts = *opts;
	if (!s->opts.freq_hz)
		s->opts.freq_hz = 99;
	if (!s->opts.event)
		s->opts.event = "cpu-clock";
	if (event_lookup(s->opts.event, &s->spec, err) < 0)
		goto out_free;
	s->stacks = stack_table_new();
	s->maps = map_set_new();
	s->mods = module_table_new();
	s->tasks = task_table_new();
	/*
	 * dwarf: every sample carries the user registers and a copy of the
	 * user stack, unwound by CFI. fp: the kernel walks frame pointers,
	 * and a few registers and a small copy let a frameless leaf's caller
	 * be found by CFI.
	 */
	if (s->opts.callgraph == CALLGRAPH_DWARF) {
		s->regs_mask = UNWIND_REGS_ALL;
		s->stack_bytes = s->opts.stack_bytes ? s->opts.stack_bytes
						     : SAMPLER_STACK_BYTES;
	} else {
		s->regs_mask = UNWIND_REGS_LEAF;
		s->stack_bytes = LEAF_STACK_BYTES;
	}
	s->stack_bytes = (s->stack_bytes + 7) & ~7u;
	if (s->stack_bytes > SAMPLER_MAX_STACK_BYTES)
		s->stack_bytes = SAMPLER_MAX_STACK_BYTES;
	s->uw_ops = unwind_backend(s->opts.unwinder);
	s->uw = s->uw_ops->new (s->maps, s->mods);
	s->stats.unwind_mismatches = -1;
	if (s->opts.unwind_check && s->uw_ops->set_check)
		s->uw_ops->set_check(s->uw, true);
	strbuf_init(&s->cmdlines);
	s->kernel = true;
	s->max_stack = event_max_stack();
	sampler_raise_nofile();
	{
		int *cpus, n = event_online_cpus(&cpus);

		s->cpus = cpus;
		s->ncpus = (size_t)n;
		s->rings = xcalloc(s->ncpus ? s->ncpus : 1, sizeof(*s->rings));
		s->hup = xcalloc(s->ncpus ? s->ncpus : 1, sizeof(*s->hup));
	}

	for (i = 0; i < opts->npids; i++)
		if (sampler_check_pid(opts->pids[i], err) < 0)
			goto out_free;

	/* Nobody samples scorch itself or the idle task. */
	task_table_set_state(s->tasks, getpid(), TASK_OTHER);
	task_table_set_state(s->tasks, 0, TASK_OTHER);
	for (i = 0; i < opts->npids; i++) {
		pid_t pid = opts->pids[i];

		task_table_set_state(s->tasks, pid, TASK_TARGET);
		task_table_load_proc(s->tasks, pid);
		ret = map_set_load_proc(s->maps, s->mods, pid);
		if (ret < 0 && !s->stats.nomaps_pid) {
			s->stats.nomaps_pid = pid;
			s->stats.nomaps_errno = -ret;
		}
		sampler_add_cmdline(s, pid);
		sampler_watch_pid(s, pid);
	}
	if (opts->argv) {
		s->child =
			sampler_fork_command(opts->argv, &go, &status_fd, err);
		if (s->child < 0) {
			s->child = 0;
			goto out_free;
		}
		task_table_set_state(s->tasks, s->child, TASK_TARGET);
		task_table_set_comm(s->tasks, s->child, s->child,
				    opts->argv[0]);
		sampler_watch_pid(s, s->child);
		for (i = 0; opts->argv[i]; i++) {
			strbuf_addstr(&s->cmdlines, i ? " " : "");
			strbuf_addstr(&s->cmdlines, opts->argv[i]);
		}
	}

	/* Per-CPU events where we may; otherwise per-thread (see events.c). */
	s->scope = opts->scope == SCOPE_AUTO ? SCOPE_CPU : opts->scope;
	for (;;) {
		ret = 0;
		if (s->scope == SCOPE_CPU) {
			ret = sampler_open_cpu(s, err);
		} else {
			for (i = 0; i < opts->npids && ret >= 0; i++)
				ret = sampler_attach_threads(s, opts->pids[i],
							     err);
			if (ret >= 0 && s->child)
				ret = sampler_open_thread(s, s->child, true,
							  err);
		}
		if (ret >= 0)
			break;
		sampler_close_events(s);
		if ((ret == -EACCES || ret == -EPERM) && s->kernel) {
			/* Unprivileged: user stacks are still worth having. */
			s->kernel = false;
			continue;
		}
		if ((ret == -EACCES || ret == -EPERM) &&
		    s->scope == SCOPE_CPU && opts->scope == SCOPE_AUTO) {
			s->scope = SCOPE_THREAD;
			s->kernel = true;
			continue;
		}
		goto out_kill;
	}
	if (s->scope == SCOPE_CPU)
		sampler_enable(s, true);
	s->stats.scope = s->scope;
	s->stats.kernel = s->kernel;
	s->stats.period_ns =
		s->spec.is_clock ? 1000000000ULL / s->opts.freq_hz : 0;
	s->stats.stack_bytes = s->stack_bytes;
	s->stats.unwinder = s->uw_ops == &unwind_libdw_ops ? UNWINDER_LIBDW
			    : s->uw_ops == &unwind_libdwfl_ops
				    ? UNWINDER_LIBDWFL
				    : UNWINDER_LIBUNWIND;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	if (s->child) {
		int e = 0;
		ssize_t n;

		/* Let it run; exec closes status_fd, or it sends errno. */
		if (write(go, "g", 1) != 1)
			goto out_kill;
		close(go);
		go = -1;
		n = read(status_fd, &e, sizeof(e));
		close(status_fd);
		status_fd = -1;
		if (n == (ssize_t)sizeof(e)) {
			err_set(err, "%s: cannot run command: %s",
				opts->argv[0], strerror(e));
			goto out_kill;
		}
	}
	return s;

out_kill:
	if (s->child) {
		close(go);
		go = -1;
		waitpid(s->child, NULL, 0);
		s->child = 0;
	}
out_free:
	if (go >= 0)
		close(go);
	if (status_fd >= 0)
		close(status_fd);
	sampler_free(s);
	return NULL;
}

/* ---- recording --------------------------------------------------------- */

/* True once every listed target (and the command) has exited. */
static bool
sampler_targets_gone(struct sampler *s, struct pollfd *pfd, size_t base)
{
	size_t i, alive = 0;

	for (i = 0; i < s->npids; i++) {
		if (s->pidfds[i] >= 0 && pfd &&
		    (pfd[base + i].revents & (POLLIN | POLLHUP))) {
			close(s->pidfds[i]);
			s->pidfds[i] = -2;
		}
		if (s->pidfds[i] == -1 && kill(s->pids[i], 0) < 0 &&
		    errno == ESRCH)
			s->pidfds[i] = -2; /* no pidfd: polled by kill() */
		if (s->pidfds[i] != -2)
			alive++;
	}
	return s->npids > 0 && alive == 0;
}

int
sampler_run(struct sampler *s, struct scorch_err *err)
{
	struct pollfd *pfd = xcalloc(s->ncpus + s->npids + 1, sizeof(*pfd));
	double elapsed = 0, next_progress = 0.25;
	int ret = 0;

	for (;;) {
		size_t i, n = 0, base;
		int timeout = POLL_MS;
		bool stop = false;

		for (i = 0; i < s->ncpus; i++) {
			pfd[i].fd = s->hup[i] || !s->rings[i].base
					    ? -1
					    : s->rings[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		base = s->ncpus;
		for (i = 0; i < s->npids; i++) {
			pfd[base + i].fd =
				s->pidfds[i] >= 0 ? s->pidfds[i] : -1;
			pfd[base + i].events = POLLIN;
			pfd[base + i].revents = 0;
		}
		n = base + s->npids;
		if (s->opts.duration_s > 0) {
			double left = s->opts.duration_s - elapsed;

			if (left * 1000 < timeout)
				timeout = left > 0 ? (int)(left * 1000) + 1 : 0;
		}
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			err_set(err, "poll: %s", strerror(errno));
			ret = -1;
			stop = true;
		}
		for (i = 0; i < s->ncpus; i++)
			if (pfd[i].revents & (POLLHUP | POLLERR))
				s->hup[i] = true;
		if (sampler_targets_gone(s, pfd, base))
			stop = true;
		sampler_pass(s);
		elapsed = ts_elapsed(&s->start);
		s->stats.elapsed_s = elapsed;
		if (s->opts.stop && *s->opts.stop)
			stop = true;
		if (s->opts.duration_s > 0 && elapsed >= s->opts.duration_s)
			stop = true;
		if (s->opts.progress && elapsed >= next_progress) {
			s->opts.progress(s, s->opts.progress_arg);
			next_progress = elapsed + 0.25;
		}
		if (stop)
			break;
	}
	/* Stop the events, drain what they wrote, settle deferred records. */
	sampler_enable(s, false);
	sampler_pass(s);
	sampler_pass(s);
	s->stats.elapsed_s = ts_elapsed(&s->start);
	s->stats.unwind_ns_median = sampler_unwind_quantile(s, 0.5);
	s->stats.unwind_ns_p99 = sampler_unwind_quantile(s, 0.99);
	if (s->opts.unwind_check && s->uw_ops->mismatches)
		s->stats.unwind_mismatches = (int64_t)s->uw_ops->mismatches(
			s->uw, &s->stats.unwind_checked);
	free(pfd);
	return ret;
}

void
sampler_free(struct sampler *s)
{
	size_t i;

	if (!s)
		return;
	if (s->rings)
		sampler_close_events(s);
	for (i = 0; i < s->npids; i++)
		if (s->pidfds[i] >= 0)
			close(s->pidfds[i]);
	free(s->rings);
	free(s->hup);
	free(s->fds);
	free(s->cpus);
	free(s->pidfds);
	free(s->pids);
	if (s->uw)
		s->uw_ops->free(s->uw);
	stack_table_free(s->stacks);
	map_set_free(s->maps);
	module_table_free(s->mods);
	task_table_free(s->tasks);
	if (s->cmdlines.buf)
		strbuf_fini(&s->cmdlines);
	pass_free(&s->cur);
	pass_free(&s->next);
	free(s);
}

const struct sampler_stats *
sampler_stats(const struct sampler *s)
{
	return &s->stats;
}

pid_t
sampler_child(const struct sampler *s)
{
	return s->child;
}

int
sampler_wait_child(struct sampler *s)
{
	int status;

	if (!s->child)
		return 0;
	if (!s->child_reaped) {
		while (waitpid(s->child, &status, 0) < 0) {
			if (errno != EINTR)
				return 127;
		}
		s->child_reaped = true;
		s->child_status = WIFEXITED(status) ? WEXITSTATUS(status)
						    : 128 + WTERMSIG(status);
	}
	return s->child_status;
}

void
sampler_signal_child(struct sampler *s, int sig)
{
	if (s->child && !s->child_reaped)
		kill(s->child, sig);
}

size_t
sampler_nstacks(const struct sampler *s)
{
	return stack_table_len(s->stacks);
}

const struct addr_stack *
sampler_stack(const struct sampler *s, size_t idx)
{
	return stack_table_get(s->stacks, idx);
}

const struct addr_module *
sampler_module(const struct sampler *s, uint32_t id)
{
	return module_table_at(s->mods, id);
}

size_t
sampler_nmodules(const struct sampler *s)
{
	return module_table_len(s->mods);
}

const char *
sampler_comm(const struct sampler *s, pid_t pid)
{
	return task_table_comm(s->tasks, pid);
}

const char *
sampler_thread_name(const struct sampler *s, pid_t tid)
{
	return task_table_comm(s->tasks, tid);
}

const char *
sampler_stack_comm(const struct sampler *s, const struct addr_stack *st)
{
	return task_table_comm_at(s->tasks, st->pid, st->pid, st->image);
}

const char *
sampler_stack_thread(const struct sampler *s, const struct addr_stack *st)
{
	return task_table_comm_at(s->tasks, st->pid, st->tid, st->image);
}

const char *
sampler_cmdlines(const struct sampler *s)
{
	return s->cmdlines.buf;
}
