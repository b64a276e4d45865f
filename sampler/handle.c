/* SPDX-License-Identifier: MIT */
/*
 * sampler/handle.c - turning perf records, decoded by decode.c, into
 * address stacks, maps and task names.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "../common/common.h"
#include "internal.h"

/* Decide whether a record of pid is ours; may defer it to the next pass. */
static enum task_state
sampler_classify(struct sampler *s, pid_t pid, const struct rec *r,
		 const struct perf_event_header *h)
{
	enum task_state st = task_table_state(s->tasks, pid);

	if (st != TASK_UNKNOWN)
		return st;
	if (sampler_all_seen_are_targets(s)) {
		sampler_adopt(s, pid);
		return TASK_TARGET;
	}
	if (!r->deferred) {
		pass_add(&s->next, h, h->size, r->time, true);
		return TASK_UNKNOWN;
	}
	task_table_set_state(s->tasks, pid, TASK_OTHER);
	return TASK_OTHER;
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
 * The unwinder's view of a sample: its user registers by perf number and
 * its stack copy. False when the sample has no user registers (a kernel
 * thread, or a task the kernel caught with none).
 */
static bool
sampler_unwind_sample(const struct perf_rec *pr, struct unwind_sample *smp)
{
	const struct perf_rec_sample *ps = &pr->sample;

	memset(smp, 0, sizeof(*smp));
	if (!ps->regs_user.regs)
		return false;
	smp->pid = (pid_t)pr->id.pid;
	smp->tid = (pid_t)pr->id.tid;
	smp->regs_mask = ps->regs_user.mask;
	sampler_unpack_regs(ps->regs_user.mask, ps->regs_user.regs, smp->regs);
	if (ps->stack_size) {
		smp->stack = ps->stack;
		smp->stack_len = ps->stack_dyn_size < ps->stack_size
					 ? ps->stack_dyn_size
					 : ps->stack_size;
		smp->stack_full = ps->stack_dyn_size >= ps->stack_size;
	}
	return true;
}

/* The user part of a sample's stack into user[] (*nuser frames, room for
 * room): CFI in dwarf mode, the kernel's frame-pointer walk (with its leaf
 * fixed) in fp mode. Returns STACK_* flags. */
static uint32_t
sampler_unwind_user(struct sampler *s, const struct perf_rec *pr,
		    uint64_t *user, uint32_t *nuser, uint32_t room)
{
	struct unwind_sample smp;
	enum unwind_result res;
	uint64_t t0;

	if (!sampler_unwind_sample(pr, &smp))
		return 0;
	if (s->opts.callgraph != CALLGRAPH_DWARF || !s->uw) {
		*nuser = sampler_fix_leaf(s, &smp, user, *nuser, room);
		return 0;
	}
	t0 = sampler_now_ns();
	res = s->uw_ops->user(s->uw, &smp, user, room, nuser);
	sampler_note_unwind_time(s, sampler_now_ns() - t0);
	if (res == UNWIND_COPY_SHORT || res == UNWIND_MAX)
		return STACK_COPY_SHORT;
	if (res == UNWIND_BROKEN)
		return STACK_BROKEN;
	return 0;
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

/* Count a kept sample, how its stack was cut, and a new task. */
static void
sampler_count_sample(struct sampler *s, pid_t pid, pid_t tid, uint32_t flags)
{
	int seen;

	s->stats.samples++;
	if (flags & STACK_TRUNCATED)
		s->stats.truncated++;
	if (flags & STACK_COPY_SHORT)
		s->stats.copy_short++;
	if (flags & STACK_BROKEN) {
		size_t nmaps;
		uint64_t gen;

		s->stats.broken++;
		/* Nothing to unwind with: the maps were not readable. */
		map_set_maps(s->maps, pid, &nmaps, &gen);
		if (!nmaps)
			s->stats.broken_nomaps++;
	}
	seen = task_table_seen(s->tasks, pid, tid);
	if (seen & TASK_NEW_THREAD)
		s->stats.threads++;
	if (seen & TASK_NEW_PROCESS)
		s->stats.processes++;
}

static void
sampler_handle_sample(struct sampler *s, const struct rec *r,
		      const struct perf_event_header *h,
		      const struct perf_rec *pr)
{
	pid_t pid = (pid_t)pr->id.pid, tid = (pid_t)pr->id.tid;
	uint32_t flags = 0, nuser;
	uint64_t *user;
	struct unwind_out out;

	switch (sampler_classify(s, pid, r, h)) {
	case TASK_TARGET:
		if (sampler_tid_wanted(s, tid))
			break;
		s->stats.other++; /* another thread of a --tid's process */
		return;
	case TASK_OTHER:
		s->stats.other++;
		return;
	default:
		return;
	}
	if (s->child && pid == s->child && !s->child_execd) {
		s->stats.launcher++;
		return;
	}
	out.ips = s->ips;
	out.cap = MAX_IPS;
	unwind_callchain(pr->sample.ips, pr->sample.nr_ips, s->max_stack, &out);
	if (out.truncated)
		flags |= STACK_TRUNCATED;
	user = s->ips + out.nkernel;
	nuser = out.nuser;
	flags |=
		sampler_unwind_user(s, pr, user, &nuser, MAX_IPS - out.nkernel);
	if (s->opts.callgraph == CALLGRAPH_FP && !out.truncated &&
	    !sampler_fp_whole(s, pid, user, nuser))
		flags |= STACK_BROKEN;
	nuser = sampler_fix_modules(s, pid, user, s->umods, nuser, &flags);
	if (offcpu_is_sample(s, pr->id.id)) {
		/* A switch-out: its weight comes with the switch-in. */
		offcpu_sample(s, pr,
			      stack_table_add(s->stacks, pid, tid,
					      task_table_image(s->tasks, pid),
					      s->ips, s->umods, out.nkernel,
					      nuser, flags, 0));
		return;
	}
	stack_table_add(s->stacks, pid, tid, task_table_image(s->tasks, pid),
			s->ips, s->umods, out.nkernel, nuser, flags, 1);
	sampler_count_sample(s, pid, tid, flags);
}

/* --off-cpu: a switch in or out of a target thread. */
static void
sampler_handle_switch(struct sampler *s, const struct rec *r,
		      const struct perf_event_header *h,
		      const struct perf_rec *pr)
{
	if (!s->opts.off_cpu)
		return;
	if (sampler_classify(s, (pid_t)pr->id.pid, r, h) != TASK_TARGET ||
	    !sampler_tid_wanted(s, (pid_t)pr->id.tid))
		return;
	if (s->child && (pid_t)pr->id.pid == s->child && !s->child_execd)
		return;
	offcpu_switch(s, pr);
}

static void
sampler_handle_mmap(struct sampler *s, const struct rec *r,
		    const struct perf_event_header *h,
		    const struct perf_rec *pr)
{
	const struct perf_rec_mmap *mm = &pr->mmap;
	pid_t pid = (pid_t)mm->pid;
	struct addr_map m;

	if (pr->misc & PERF_RECORD_MISC_MMAP_DATA)
		return;
	if (pid == -1)
		return; /* kernel module maps */
	if (pr->type == PERF_RECORD_MMAP2 && !(mm->prot & PROT_EXEC))
		return;
	if (sampler_classify(s, pid, r, h) != TASK_TARGET)
		return;
	memset(&m, 0, sizeof(m));
	m.start = mm->addr;
	m.end = mm->addr + mm->len;
	m.pgoff = mm->pgoff;
	if (pr->type == PERF_RECORD_MMAP2 && !mm->build_id) {
		m.ino = mm->ino;
		m.dev = makedev(mm->maj, mm->min);
	}
	m.path = mm->filename;
	m.module = module_table_get(s->mods, pid, &m);
	map_set_add(s->maps, pid, &m);
}

static void
sampler_handle_comm(struct sampler *s, const struct rec *r,
		    const struct perf_event_header *h,
		    const struct perf_rec *pr)
{
	pid_t pid = (pid_t)pr->comm.pid, tid = (pid_t)pr->comm.tid;

	if (sampler_classify(s, pid, r, h) != TASK_TARGET)
		return;
	/* An exec replaces the image: the old maps no longer apply. */
	if ((pr->misc & PERF_RECORD_MISC_COMM_EXEC) && pid == tid) {
		if (pid == s->child)
			s->child_execd = true;
		map_set_exec(s->maps, pid);
		if (s->uw)
			s->uw_ops->forget(s->uw, pid);
		task_table_exec(s->tasks, pid);
	}
	task_table_set_comm(s->tasks, pid, tid, pr->comm.comm);
}

static void
sampler_handle_fork(struct sampler *s, const struct perf_rec_task *t)
{
	pid_t pid = (pid_t)t->pid, ppid = (pid_t)t->ppid;

	/* A new target thread or process starts by switching in. */
	if (s->opts.off_cpu &&
	    (task_table_state(s->tasks, ppid) == TASK_TARGET ||
	     sampler_all_seen_are_targets(s)))
		offcpu_fork(s, pid, (pid_t)t->tid);
	if (pid == ppid)
		return; /* a new thread: its process is already classified */
	if (task_table_state(s->tasks, ppid) == TASK_UNKNOWN &&
	    sampler_all_seen_are_targets(s))
		sampler_adopt(s, ppid);
	if (task_table_state(s->tasks, ppid) != TASK_TARGET &&
	    !(s->scope == SCOPE_THREAD))
		return;
	/* A new process forked by a target is a target too (pid reuse too). */
	task_table_set_state(s->tasks, pid, TASK_TARGET);
	map_set_fork(s->maps, ppid, pid);
	task_table_set_comm(s->tasks, pid, pid,
			    task_table_comm(s->tasks, ppid));
}

/* A process exited: what the unwinder keeps for it can go. */
static void
sampler_handle_exit(struct sampler *s, const struct perf_rec_task *t)
{
	if (s->opts.off_cpu)
		offcpu_exit(s, (pid_t)t->tid);
	if (t->pid == t->tid && s->uw &&
	    task_table_state(s->tasks, (pid_t)t->pid) == TASK_TARGET)
		s->uw_ops->forget(s->uw, (pid_t)t->pid);
}

void
sampler_handle(struct sampler *s, const struct rec *r)
{
	const struct perf_event_header *h =
		(const void *)(r->ptr ? r->ptr : s->cur.buf + r->off);
	struct perf_rec pr;

	if (decode_record(&s->fmt, h, h->size, &pr) < 0) {
		s->stats.corrupt++; /* too short for what it should hold */
		return;
	}
	switch (pr.type) {
	case PERF_RECORD_SAMPLE:
		sampler_handle_sample(s, r, h, &pr);
		break;
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		sampler_handle_mmap(s, r, h, &pr);
		break;
	case PERF_RECORD_COMM:
		sampler_handle_comm(s, r, h, &pr);
		break;
	case PERF_RECORD_FORK:
		sampler_handle_fork(s, &pr.task);
		break;
	case PERF_RECORD_EXIT:
		sampler_handle_exit(s, &pr.task);
		break;
	case PERF_RECORD_LOST:
		/* Records dropped because the ring was full. */
		s->stats.lost += pr.lost.lost;
		/* The child's exec record may be among them: keep its
		 * samples from here on rather than drop them all. */
		s->child_execd = true;
		break;
	case PERF_RECORD_SWITCH:
	case PERF_RECORD_SWITCH_CPU_WIDE:
		sampler_handle_switch(s, r, h, &pr);
		break;
	case PERF_RECORD_LOST_SAMPLES:
		s->stats.lost_samples += pr.lost_samples.lost;
		break;
	case PERF_RECORD_THROTTLE:
		s->stats.throttled++;
		break;
	default:
		break;
	}
}
