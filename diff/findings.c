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

bool
diff_fn_is_finding(const struct diff_fn *fn)
{
	return fn->significant || fn->tier == DIFF_TIER_FINDING;
}

/* Listed (a finding or a possible change) and in the model's tier. */
static bool
findings_listed(const struct diff_fn *fn)
{
	return diff_fn_is_finding(fn) || fn->tier == DIFF_TIER_POSSIBLE;
}

double
diff_pr_own(const struct diff_result *r, const struct diff_measure *m)
{
	return r->pr_scale > 0 ? m->pr_v * r->pr_scale : m->pr_v;
}

bool
diff_rescaled(const struct diff_result *r)
{
	return r->unit && !strcmp(r->unit, "pts") && r->pr_scale > 0 &&
	       fabs(r->pr_scale - 1) > 1e-9;
}

/* Findings before possible changes; then by size of the change (sign: +1
 * for regressions, -1 for improvements), then by name. */
static int
findings_cmp_change(const struct diff_fn *x, const struct diff_fn *y,
		    double sign)
{
	bool fx = diff_fn_is_finding(x), fy = diff_fn_is_finding(y);

	if (fx != fy)
		return fx ? -1 : 1;
	if (x->self.delta != y->self.delta)
		return sign * x->self.delta > sign * y->self.delta ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
findings_cmp_regression(const void *a, const void *b, void *arg)
{
	const struct diff_result *r = arg;

	return findings_cmp_change(&r->fns[*(const size_t *)a],
				   &r->fns[*(const size_t *)b], 1);
}

static int
findings_cmp_improvement(const void *a, const void *b, void *arg)
{
	const struct diff_result *r = arg;

	return findings_cmp_change(&r->fns[*(const size_t *)a],
				   &r->fns[*(const size_t *)b], -1);
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

/*
 * The findings of each list (they come first), their total and each one's
 * share of the change in its direction; a possible change explains
 * nothing (0): its evidence is not enough to count it.
 */
static void
findings_explains(struct diff_result *r)
{
	double imp_total = 0;
	size_t i;

	r->regression_total = 0;
	r->nregression_findings = r->nimprovement_findings = 0;
	for (i = 0; i < r->nregressions; i++) {
		struct diff_fn *fn = &r->fns[r->regressions[i]];

		fn->explains = 0;
		if (diff_fn_is_finding(fn)) {
			r->nregression_findings++;
			r->regression_total += fn->self.delta;
		}
	}
	for (i = 0; i < r->nimprovements; i++) {
		struct diff_fn *fn = &r->fns[r->improvements[i]];

		fn->explains = 0;
		if (diff_fn_is_finding(fn)) {
			r->nimprovement_findings++;
			imp_total += fn->self.delta;
		}
	}
	for (i = 0; i < r->nregression_findings; i++)
		r->fns[r->regressions[i]].explains =
			r->fns[r->regressions[i]].self.delta /
			r->regression_total;
	for (i = 0; i < r->nimprovement_findings; i++)
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

		fn->caller = SIZE_MAX;
		if (findings_listed(fn) && fn->self.delta > 0)
			r->regressions[r->nregressions++] = f;
		else if (findings_listed(fn) && fn->self.delta < 0)
			r->improvements[r->nimprovements++] = f;
		/* New and gone functions worth a line: big enough to test. */
		if (fn->is_new && cand[f])
			r->added[r->nadded++] = f;
		if (fn->is_gone && cand[f])
			r->removed[r->nremoved++] = f;
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

/*
 * A function appears once per report. A library function called more
 * names the caller responsible; that caller is then no improvement of its
 * own: its improvement is folded into the callee's entry when its self
 * time really fell (a finding, by the tested values and by the PR's own
 * too), and dropped otherwise (weak evidence, or a fall the rescaling
 * alone made). Then the lists' totals again, and the keys the flame graph
 * marks.
 */
static void
findings_fold_callers(struct diff_result *r)
{
	size_t i, k, kept = 0;

	for (i = 0; i < r->nimprovements; i++) {
		size_t c = r->improvements[i];
		const struct diff_fn *cf = &r->fns[c];
		bool named = false;

		for (k = 0; k < r->nregressions && !named; k++) {
			struct diff_fn *fn = &r->fns[r->regressions[k]];

			if (!fn->callee_only || fn->caller != c)
				continue;
			named = true;
			fn->caller_fell =
				diff_fn_is_finding(cf) &&
				diff_pr_own(r, &cf->self) < cf->self.base_v;
		}
		if (!named)
			r->improvements[kept++] = c;
	}
	r->nimprovements = kept;
	findings_explains(r);
	for (i = 0; i < r->nregressions; i++)
		diff_keyset_add(r, r->regressions[i]);
	for (i = 0; i < r->nimprovements; i++)
		diff_keyset_add(r, r->improvements[i]);
}

/* One path of a finding's self samples, pooled on each side. */
struct findings_path {
	unsigned long long key;
	double base, pr; /* normalized like the measure */
	const struct profile *p;
	const struct stack *st; /* an example, for the names */
	const size_t *map;	/* p's frames to function indexes */
	uint32_t leaf;		/* the finding's frame in st */
};

struct findings_paths {
	struct findings_path *acc;
	size_t n, cap;
};

static void
findings_path_add(struct findings_paths *fp, unsigned long long key, bool pr,
		  double v, const struct profile *p, const size_t *map,
		  const struct stack *st, uint32_t leaf)
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
		fp->acc[i].map = map;
		fp->acc[i].leaf = leaf;
		fp->n++;
	}
	if (pr)
		fp->acc[i].pr += v;
	else
		fp->acc[i].base += v;
}

/*
 * The program's function that calls library function f on path st
 * (innermost first): the first frame below the leaf in another module
 * than f's and not the kernel's; SIZE_MAX if none.
 */
static size_t
findings_caller(const struct diff_result *r, size_t f,
		const struct findings_path *best)
{
	const struct stack *st = best->st;
	uint32_t j;

	for (j = best->leaf; j-- > 0;) {
		size_t g = best->map[st->frames[j]];

		if (g == SIZE_MAX || g == f)
			continue;
		if (r->fns[g].kind != FRAME_KERNEL &&
		    strcmp(r->fns[g].module, r->fns[f].module))
			return g;
	}
	return SIZE_MAX;
}

/* Function f's path that moved most in its direction, named when it
 * carries enough of the change (always for a library callee). */
static void
findings_best_path(struct diff_result *r, size_t f,
		   const struct findings_paths *fp)
{
	struct diff_fn *fn = &r->fns[f];
	const struct findings_path *best = NULL;
	double sign = fn->self.delta < 0 ? -1 : 1, bestd = 0;
	const struct stack *st;
	size_t i;
	uint32_t j;

	for (i = 0; i < fp->n; i++) {
		double d = sign * (fp->acc[i].pr - fp->acc[i].base);

		if (!best || d > bestd) {
			best = &fp->acc[i];
			bestd = d;
		}
	}
	if (!best || fn->self.delta == 0)
		return;
	st = best->st;
	fn->path_share = bestd / fabs(fn->self.delta);
	if (fn->path_share < PATH_MIN_SHARE && !fn->callee_only)
		return;
	fn->path = xcalloc(st->depth, sizeof(char *));
	for (j = 0; j <= best->leaf && j < st->depth; j++) {
		const struct frame *fr = profile_frame(best->p, st->frames[j]);

		if (fr->kind == FRAME_PROCESS)
			continue;
		fn->path[fn->npath++] = align_name(fr->name);
	}
	if (fn->callee_only)
		fn->caller = findings_caller(r, f, best);
}

/*
 * Which call path carries each listed change (both tiers): its self
 * samples grouped by the path from the root to it (frames lined up by
 * align key), pooled and normalized per side, and the path that moved
 * most in the change's direction; then the callers folded.
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
			if (!findings_listed(&r->fns[leaf]))
				continue;
			for (j = 0; j <= jl; j++) {
				size_t g = map[st->frames[j]];

				if (g == SIZE_MAX)
					continue;
				key = hash_bytes(c->keys[g], strlen(c->keys[g]),
						 key ^ 0x9e37);
			}
			findings_path_add(&fp[leaf], key, pr,
					  w * (double)st->count, p, map, st,
					  jl);
		}
	}
	for (f = 0; f < c->nfns; f++) {
		findings_best_path(r, f, &fp[f]);
		free(fp[f].acc);
	}
	free(fp);
	findings_fold_callers(r);
}

void
diff_findings_verdict(struct diff_result *r, double overlap, double min_v,
		      size_t ntested)
{
	const struct diff_opts *o = &r->opts;

	/* A view in ns: the samples its time is worth at the period (the
	 * model judges it so too), not the nanoseconds. */
	double grain = r->grain >= 1 ? r->grain : 1;
	double sb = floor((double)r->base_samples / grain);
	double sp = floor((double)r->pr_samples / grain);

	r->min_change = min_v;
	if (sb < (double)o->min_samples || sp < (double)o->min_samples) {
		r->verdict = DIFF_INCONCLUSIVE;
		r->why = xasprintf("too few samples: %.0f in the baseline, "
				   "%.0f in the PR%s (need %llu a side; record "
				   "longer or at a higher -F)",
				   sb, sp,
				   grain > 1 ? ", time counted in periods"
					     : "",
				   (unsigned long long)o->min_samples);
	} else if (overlap < MIN_OVERLAP) {
		r->verdict = DIFF_INCONCLUSIVE;
		r->why = xasprintf("the two sides share only %.0f%% of their "
				   "time by function: they do not look like "
				   "the same program",
				   100 * overlap);
	} else if (r->nregression_findings) {
		r->verdict = DIFF_REGRESSION;
		r->why = xasprintf("%zu function%s got significantly slower",
				   r->nregression_findings,
				   r->nregression_findings == 1 ? "" : "s");
	} else {
		size_t np = r->nregressions - r->nregression_findings;

		r->verdict = DIFF_NO_REGRESSION;
		r->why = xasprintf(
			"no function's self time changed by more than noise "
			"and %.2g %s (%zu tested)%s",
			min_v, r->unit, ntested,
			np ? "; a possible regression needs more runs" : "");
	}
}
