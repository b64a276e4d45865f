/* SPDX-License-Identifier: MIT */
/*
 * sampler/handle.c - turning perf records into address stacks, maps and
 * task names.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "../common/common.h"
#include "internal.h"

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

uint64_t
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
	nuser = sampler_fix_modules(s, (pid_t)pid, user, s->umods, nuser,
				    &flags);
	stack_table_add(s->stacks, (pid_t)pid, (pid_t)tid, s->ips, s->umods,
			out.nkernel, nuser, flags, 1);
	s->stats.samples++;
	if (flags & STACK_TRUNCATED)
		s->stats.truncated++;
	if (flags & STACK_COPY_SHORT)
		s->stats.copy_short++;
	if (flags & STACK_BROKEN)
		s->stats.broken++;
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

void
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
