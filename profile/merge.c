/* SPDX-License-Identifier: MIT */
/*
 * profile/merge.c - the sum of several profiles: stacks add up, and the
 * metadata says what the runs had in common (docs/FORMAT.md, "Merged
 * profiles").
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "profile.h"

/*
 * Whether frame d of st stays in the machine-code view: an inlined frame
 * below a function that holds it is folded into it (dropped: its samples
 * are that function's); one with no such function above it stays, since
 * there is nothing to fold it into.
 */
static bool
merge_keep_frame(const struct profile *p, const struct stack *st, uint32_t d,
		 bool *held)
{
	enum frame_kind k = profile_frame(p, st->frames[d])->kind;

	if (k == FRAME_INLINED)
		return !*held;
	if (k != FRAME_PROCESS)
		*held = true;
	return true;
}

static uint32_t
merge_intern(struct profile *dst, const struct profile *src, uint32_t id)
{
	const struct frame *f = profile_frame(src, id);

	return profile_intern_frame_src(dst, f->name, f->module, f->kind,
					f->file, f->line);
}

void
profile_merge_add(struct profile *dst, const struct profile *src,
		  bool fold_inlined)
{
	size_t nframes = profile_nframes(src), ntasks = profile_ntasks(src);
	size_t i, nstacks = profile_nstacks(src), cap = 0;
	uint32_t *frame_map =
		xcalloc(nframes ? nframes : 1, sizeof(*frame_map));
	uint32_t *task_map = xcalloc(ntasks ? ntasks : 1, sizeof(*task_map));
	uint32_t *ids = NULL;

	for (i = 0; i < profile_nmodules(src); i++) {
		const struct module_info *m = profile_module(src, i);

		profile_add_module(dst, m->name, m->path, m->build_id);
	}
	/* Folded, only the frames left on a stack are dst's. */
	for (i = 0; i < nframes; i++)
		frame_map[i] = fold_inlined
				       ? UINT32_MAX
				       : merge_intern(dst, src, (uint32_t)i);
	for (i = 0; i < ntasks; i++) {
		const struct task *t = profile_task(src, (uint32_t)i);

		task_map[i] = profile_add_task(dst, t->pid, t->tid, t->comm,
					       t->thread);
	}
	for (i = 0; i < nstacks; i++) {
		const struct stack *st = profile_stack(src, i);
		bool held = false;
		uint32_t d, n = 0;

		if (st->depth > cap) {
			cap = st->depth;
			ids = xreallocarray(ids, 2 * cap, sizeof(*ids));
		}
		for (d = 0; d < st->depth; d++) {
			if (fold_inlined &&
			    !merge_keep_frame(src, st, d, &held))
				continue;
			if (frame_map[st->frames[d]] == UINT32_MAX)
				frame_map[st->frames[d]] =
					merge_intern(dst, src, st->frames[d]);
			ids[n] = frame_map[st->frames[d]];
			if (st->sites) {
				const struct site *si =
					profile_site(src, st->sites[d]);

				ids[cap + n] = profile_intern_site(
					dst, si->addr, si->line);
			}
			n++;
		}
		profile_add_stack_values(
			dst,
			st->task == TASK_NONE ? TASK_NONE : task_map[st->task],
			ids, st->sites ? ids + cap : NULL, n, st->count,
			st->off_cpu_ns);
	}
	free(ids);
	free(task_map);
	free(frame_map);
}

void
profile_add_profile(struct profile *dst, const struct profile *src)
{
	profile_merge_add(dst, src, false);
}

/* Counters that add up over runs. */
static const char *const merge_summed[] = {
	"samples",
	"lost",
	"throttled",
	"truncated_stacks",
	"broken_stacks",
	"duration_ms",
	"threads",
	"processes",
	"unknown_modules",
	"copy_truncated_stacks",
	"leaf_callers_recovered",
	/* record --off-cpu: every switch of every run counted */
	"off_cpu_samples",
	"off_cpu_switches",
	"off_cpu_open",
	"off_cpu_before",
	"off_cpu_unmatched",
	"off_cpu_no_switch_in",
	"off_cpu_preempted_ns",
	/* record's period re-drawn (sampler/jitter.c) */
	"period_changes",
};

static bool
merge_is_summed(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(merge_summed); i++)
		if (!strcmp(key, merge_summed[i]))
			return true;
	return false;
}

static bool
merge_meta_equal(const struct meta *a, const struct meta *b)
{
	if (!a || !b || a->type != b->type)
		return false;
	return a->type == META_INT ? a->num == b->num : !strcmp(a->str, b->str);
}

/*
 * period_ns: each run's samples stand for its own period (re-drawn
 * periods differ by a percent or two between runs), so the merge's is the
 * runs' CPU time over their samples, rounded: the mean of their periods
 * weighted by their samples (the first run's when none has samples).
 * Dropped when a run has none.
 */
static void
merge_period(struct profile *dst, struct profile *const *in, size_t n)
{
	double ns = 0, samples = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t p = profile_meta_int(in[i], "period_ns", -1);

		if (p <= 0)
			return;
		ns += (double)p * (double)profile_total(in[i]);
		samples += (double)profile_total(in[i]);
	}
	/* A weighted mean of positive int64s: within their range. */
	profile_meta_set_int(dst, "period_ns",
			     samples > 0
				     ? (int64_t)(ns / samples + 0.5)
				     : profile_meta_int(in[0], "period_ns", 1));
}

/* Set dst's value of key m->key from the n inputs, by the rules above
 * profile_merge() in profile.h. */
static void
merge_meta_key(struct profile *dst, struct profile *const *in, size_t n,
	       const struct meta *m)
{
	size_t i;

	if (!strcmp(m->key, "merged_from"))
		return; /* set at the end */
	if (merge_is_summed(m->key) && m->type == META_INT) {
		int64_t sum = 0, v;

		/* A run without the counter (folded input) adds what it
		 * shows: its samples, and nothing for the others. A sum
		 * past what the metadata holds is dropped, not wrapped. */
		for (i = 0; i < n; i++) {
			const struct meta *mi =
				profile_meta_find(in[i], m->key);
			uint64_t total = profile_total(in[i]);

			if (mi && mi->type == META_INT)
				v = mi->num;
			else if (!strcmp(m->key, "samples") &&
				 total <= INT64_MAX)
				v = (int64_t)total;
			else if (!strcmp(m->key, "samples"))
				return;
			else
				v = 0;
			if (__builtin_add_overflow(sum, v, &sum))
				return;
		}
		profile_meta_set_int(dst, m->key, sum);
		return;
	}
	if (!strcmp(m->key, "period_ns") && m->type == META_INT) {
		merge_period(dst, in, n);
		return;
	}
	if (!strcmp(m->key, "start_time") && m->type == META_STR) {
		const char *first = m->str;

		/* ISO 8601 UTC times sort as strings. */
		for (i = 1; i < n; i++) {
			const char *s = profile_meta_str(in[i], m->key);

			if (s && strcmp(s, first) < 0)
				first = s;
		}
		profile_meta_set_str(dst, m->key, first);
		return;
	}
	for (i = 1; i < n; i++)
		if (!merge_meta_equal(m, profile_meta_find(in[i], m->key)))
			return; /* the runs disagree: say nothing */
	if (m->type == META_INT)
		profile_meta_set_int(dst, m->key, m->num);
	else
		profile_meta_set_str(dst, m->key, m->str);
}

struct profile *
profile_merge(struct profile *const *in, size_t n, const char *const *names,
	      struct scorch_err *err)
{
	struct profile *dst = profile_new();
	int64_t runs = 0, r;
	size_t i;

	for (i = 0; i < n; i++) {
		/* Counts are exact: a sum past 2^64 - 1 is refused. */
		if (profile_total(in[i]) > UINT64_MAX - profile_total(dst) ||
		    profile_total_off_cpu(in[i]) >
			    UINT64_MAX - profile_total_off_cpu(dst)) {
			err_set(err,
				"%s: sample counts overflow: the sum with the "
				"profiles before it passes 2^64 - 1",
				names ? names[i] : "merge");
			profile_free(dst);
			return NULL;
		}
		profile_add_profile(dst, in[i]);
		r = profile_meta_int(in[i], "merged_from", 1);
		if (r < 1 || __builtin_add_overflow(runs, r, &runs))
			runs = INT64_MAX;
	}
	for (i = 0; n && i < profile_nmeta(in[0]); i++)
		merge_meta_key(dst, in, n, profile_meta(in[0], i));
	profile_meta_set_int(dst, "merged_from", runs);
	return dst;
}
