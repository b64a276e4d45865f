/* SPDX-License-Identifier: MIT */
/*
 * diff/findings.c - the findings: the lists of regressions, improvements,
 * new and gone functions, most responsible first, each one's share of the
 * change and the call path that carries it, and the verdict
 * (docs/DIFF.md, "Attribution" and "The verdict").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

/* A finding's call path is named when it carries this much of the change. */
#define PATH_MIN_SHARE 0.5
/* Below this overlap the two sides are not the same program. */
#define MIN_OVERLAP 0.3

static int
findings_cmp_regression(const void *a, const void *b, void *arg)
{
	const struct diff_result *r = arg;
	const struct diff_fn *x = &r->fns[*(const size_t *)a];
	const struct diff_fn *y = &r->fns[*(const size_t *)b];

	if (x->self.delta != y->self.delta)
		return x->self.delta > y->self.delta ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
findings_cmp_improvement(const void *a, const void *b, void *arg)
{
	const struct diff_result *r = arg;
	const struct diff_fn *x = &r->fns[*(const size_t *)a];
	const struct diff_fn *y = &r->fns[*(const size_t *)b];

	if (x->self.delta != y->self.delta)
		return x->self.delta < y->self.delta ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
findings_cmp_added(const void *a, const void *b, void *arg)
{
	const struct diff_result *r = arg;
	const struct diff_fn *x = &r->fns[*(const size_t *)a];
	const struct diff_fn *y = &r->fns[*(const size_t *)b];
	double vx = x->is_new ? x->total.pr_v : x->total.base_v;
	double vy = y->is_new ? y->total.pr_v : y->total.base_v;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
findings_sort(struct diff_result *r, size_t *list, size_t n,
	      int (*cmp)(const void *, const void *, void *))
{
	if (n)
		qsort_r(list, n, sizeof(*list), cmp, r);
}

/* Each finding's share of the change in its direction. */
static void
findings_explains(struct diff_result *r)
{
	double imp_total = 0;
	size_t i;

	for (i = 0; i < r->nimprovements; i++)
		imp_total += r->fns[r->improvements[i]].self.delta;
	for (i = 0; i < r->nregressions; i++)
		r->fns[r->regressions[i]].explains =
			r->fns[r->regressions[i]].self.delta /
			r->regression_total;
	for (i = 0; i < r->nimprovements; i++)
		r->fns[r->improvements[i]].explains =
			r->fns[r->improvements[i]].self.delta / imp_total;
}

void
diff_findings_lists(struct diff_result *r, const bool *cand, const char *exe)
{
	size_t f, n = r->nfns ? r->nfns : 1;

	r->regressions = xcalloc(n, sizeof(size_t));
	r->improvements = xcalloc(n, sizeof(size_t));
	r->added = xcalloc(n, sizeof(size_t));
	r->removed = xcalloc(n, sizeof(size_t));
	for (f = 0; f < r->nfns; f++) {
		struct diff_fn *fn = &r->fns[f];

		if (fn->significant && fn->self.delta > 0) {
			r->regressions[r->nregressions++] = f;
			r->regression_total += fn->self.delta;
		} else if (fn->significant && fn->self.delta < 0) {
			r->improvements[r->nimprovements++] = f;
		}
		/* New and gone functions worth a line: big enough to test. */
		if (fn->is_new && cand[f])
			r->added[r->nadded++] = f;
		if (fn->is_gone && cand[f])
			r->removed[r->nremoved++] = f;
		if (fn->significant)
			diff_keyset_add(r, fn->key);
		fn->callee_only = !fn->is_new && fn->module[0] &&
				  strcmp(fn->module, exe) &&
				  fn->kind != FRAME_KERNEL;
	}
	findings_sort(r, r->regressions, r->nregressions,
		      findings_cmp_regression);
	findings_sort(r, r->improvements, r->nimprovements,
		      findings_cmp_improvement);
	findings_sort(r, r->added, r->nadded, findings_cmp_added);
	findings_sort(r, r->removed, r->nremoved, findings_cmp_added);
	findings_explains(r);
}

/* One path of a finding's self samples, pooled on each side. */
struct findings_path {
	unsigned long long key;
	double base, pr; /* normalized like the measure */
	const struct profile *p;
	const struct stack *st; /* an example, for the names */
	uint32_t leaf;		/* the finding's frame in st */
};

struct findings_paths {
	struct findings_path *acc;
	size_t n, cap;
};

static void
findings_path_add(struct findings_paths *fp, unsigned long long key, bool pr,
		  double v, const struct profile *p, const struct stack *st,
		  uint32_t leaf)
{
	size_t i;

	for (i = 0; i < fp->n; i++)
		if (fp->acc[i].key == key)
			break;
	if (i == fp->n) {
		if (fp->n == fp->cap) {
			fp->cap = fp->cap ? fp->cap * 2 : 16;
			fp->acc = xreallocarray(fp->acc, fp->cap,
						sizeof(*fp->acc));
		}
		memset(&fp->acc[i], 0, sizeof(fp->acc[i]));
		fp->acc[i].key = key;
		fp->acc[i].p = p;
		fp->acc[i].st = st;
		fp->acc[i].leaf = leaf;
		fp->n++;
	}
	if (pr)
		fp->acc[i].pr += v;
	else
		fp->acc[i].base += v;
}

/*
 * Which call path carries each finding's self change: its self samples
 * grouped by the path from the root to it (frames lined up by align key),
 * pooled and normalized per side, and the path that moved most in the
 * finding's direction.
 */
void
diff_findings_paths(struct diff_result *r, struct diff_counts *c,
		    struct profile *const *runs, const struct diff_sides *sd)
{
	struct findings_paths *fp = xcalloc(c->nfns, sizeof(*fp));
	size_t run, f;

	for (run = 0; run < sd->nb + sd->np; run++) {
		const struct profile *p = runs[run];
		const size_t *map = c->frame_maps[run];
		size_t i, n = profile_nstacks(p);
		bool pr = run >= sd->nb;
		double w;

		/* One sample's weight in the side's pooled value. */
		if (sd->norm == DIFF_NORM_SHARE) {
			uint64_t side = 0;
			size_t k;

			for (k = pr ? sd->nb : 0;
			     k < (pr ? sd->nb + sd->np : sd->nb); k++)
				side += sd->n[k];
			w = side ? 100.0 / (double)side / (pr ? sd->scale : 1)
				 : 0;
		} else {
			w = diff_run_value(sd, run, 1) /
			    (double)(pr ? sd->np : sd->nb);
		}
		for (i = 0; i < n; i++) {
			const struct stack *st = profile_stack(p, i);
			unsigned long long key = 0;
			uint32_t j, jl = diff_counts_leaf(p, st, map);
			size_t leaf;

			if (jl == st->depth || !st->count)
				continue;
			leaf = map[st->frames[jl]];
			if (!r->fns[leaf].significant)
				continue;
			for (j = 0; j <= jl; j++) {
				size_t g = map[st->frames[j]];

				if (g == SIZE_MAX)
					continue;
				key = hash_bytes(c->keys[g], strlen(c->keys[g]),
						 key ^ 0x9e37);
			}
			findings_path_add(&fp[leaf], key, pr,
					  w * (double)st->count, p, st, jl);
		}
	}
	for (f = 0; f < c->nfns; f++) {
		struct diff_fn *fn = &r->fns[f];
		const struct findings_path *best = NULL;
		double sign = fn->self.delta < 0 ? -1 : 1, bestd = 0;
		size_t i;

		for (i = 0; i < fp[f].n; i++) {
			double d = sign * (fp[f].acc[i].pr - fp[f].acc[i].base);

			if (!best || d > bestd) {
				best = &fp[f].acc[i];
				bestd = d;
			}
		}
		if (best && fn->self.delta != 0) {
			const struct stack *st = best->st;
			uint32_t j;

			fn->path_share = bestd / fabs(fn->self.delta);
			if (fn->path_share >= PATH_MIN_SHARE ||
			    fn->callee_only) {
				uint32_t jl = best->leaf;

				fn->path = xcalloc(st->depth, sizeof(char *));
				for (j = 0; j <= jl && j < st->depth; j++) {
					const struct frame *fr = profile_frame(
						best->p, st->frames[j]);

					if (fr->kind == FRAME_PROCESS)
						continue;
					fn->path[fn->npath++] =
						align_name(fr->name);
				}
			}
		}
		free(fp[f].acc);
	}
	free(fp);
}

void
diff_findings_verdict(struct diff_result *r, double overlap, double min_v,
		      size_t ntested)
{
	const struct diff_opts *o = &r->opts;

	if (r->base_samples < o->min_samples ||
	    r->pr_samples < o->min_samples) {
		r->verdict = DIFF_INCONCLUSIVE;
		r->why = xasprintf("too few samples: %llu in the baseline, "
				   "%llu in the PR (need %llu a side; record "
				   "longer or at a higher -F)",
				   (unsigned long long)r->base_samples,
				   (unsigned long long)r->pr_samples,
				   (unsigned long long)o->min_samples);
	} else if (overlap < MIN_OVERLAP) {
		r->verdict = DIFF_INCONCLUSIVE;
		r->why = xasprintf("the two sides share only %.0f%% of their "
				   "time by function: they do not look like "
				   "the same program",
				   100 * overlap);
	} else if (r->nregressions) {
		r->verdict = DIFF_REGRESSION;
		r->why = xasprintf("%zu function%s got significantly slower",
				   r->nregressions,
				   r->nregressions == 1 ? "" : "s");
	} else {
		r->verdict = DIFF_NO_REGRESSION;
		r->why = xasprintf(
			"no function's self time changed by more than noise "
			"and %.2g %s (%zu tested)",
			min_v, r->unit, ntested);
	}
}
