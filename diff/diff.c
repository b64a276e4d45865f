/* SPDX-License-Identifier: MIT */
/*
 * diff/diff.c - the comparison: per-function counts on both sides, the
 * tests, the findings and their call paths, the verdict. The method and
 * its reasons are in docs/DIFF.md; in short:
 *  - every function's self and total samples are counted per run, as a
 *    share of the run (the PR's rescaled so unchanged functions compare
 *    equal) or as absolute CPU time (--normalize none);
 *  - noise is sampling plus run-to-run noise proportional to size;
 *  - several runs a side (runs are the unit of replication: samples within
 *    a run are correlated): a moderated, weighted t-test on the per-run
 *    values; one run a side: a z-test on the counts, the run-to-run noise
 *    set from the spread of all functions' statistics;
 *  - Benjamini-Hochberg q-values over the functions tested; a finding needs
 *    q <= alpha and a change of at least min_delta;
 *  - with several runs a side, Mann-Whitney U across runs and the
 *    Hodges-Lehmann shift are reported too, and with four or more runs a
 *    side a finding must also pass U at 0.05.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

/* The median of a chi-square with one degree of freedom. */
#define CHI2_1_MEDIAN 0.45493642311957
/*
 * With one run a side, run-to-run noise is assumed at least this large (a
 * coefficient of variation of a function's share between runs): runs of
 * the examples here varied by 0 to 10% depending on the machine's load.
 */
#define SINGLE_RUN_MIN_CV 0.03
/*
 * The empirical null needs functions to learn from: with fewer than
 * NULL_MIN_FUNCTIONS tested, one changed function moves the median, and
 * SINGLE_RUN_FEW_CV is assumed instead.
 */
#define NULL_MIN_FUNCTIONS 8
#define SINGLE_RUN_FEW_CV 0.10
/* The noise model's weight, in runs' degrees of freedom, against one
 * function's own scatter of runs (runs_t_test). */
#define PRIOR_DF 4.0
/* A finding's call path is named when it carries this much of the change. */
#define PATH_MIN_SHARE 0.5
/* Below this overlap the two sides are not the same program. */
#define MIN_OVERLAP 0.3

void
diff_opts_init(struct diff_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->normalize = DIFF_NORM_SHARE;
	o->alpha = 0.001;
	o->min_delta = 0.5;
	o->min_share = 0.2;
	o->min_samples = 500;
}

const char *
diff_verdict_name(enum diff_verdict v)
{
	switch (v) {
	case DIFF_REGRESSION:
		return "regression";
	case DIFF_INCONCLUSIVE:
		return "inconclusive";
	case DIFF_NO_REGRESSION:
	default:
		return "no-regression";
	}
}

/* ---- counting ----------------------------------------------------------- */

/* Every function of every run, counted. */
struct counts {
	struct intmap index; /* hash(key) -> fn index + 1 (probing) */
	char **keys;
	struct diff_fn *fns;
	size_t nfns, cap;
	size_t nruns;	       /* base runs first, then PR runs */
	uint64_t **self;       /* [fn][run] */
	uint64_t **total;      /* [fn][run] */
	uint64_t *run_n;       /* samples per run */
	double *run_period_ms; /* per run, 0 when unknown */
	uint64_t *stamp;       /* per fn: last stack counted in total */
	size_t **frame_maps;   /* per run: its frames' function indexes */
	uint64_t stack_id;
};

static size_t
counts_fn(struct counts *c, const char *key, const struct frame *f)
{
	unsigned long long h = hash_bytes(key, strlen(key), 11);
	void *v;
	size_t i;

	while ((v = intmap_get(&c->index, h))) {
		i = (uintptr_t)v - 1;
		if (!strcmp(c->keys[i], key))
			return i;
		h++;
	}
	if (c->nfns == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->keys = xreallocarray(c->keys, c->cap, sizeof(*c->keys));
		c->fns = xreallocarray(c->fns, c->cap, sizeof(*c->fns));
		c->self = xreallocarray(c->self, c->cap, sizeof(*c->self));
		c->total = xreallocarray(c->total, c->cap, sizeof(*c->total));
		c->stamp = xreallocarray(c->stamp, c->cap, sizeof(*c->stamp));
	}
	i = c->nfns++;
	c->keys[i] = xstrdup(key);
	memset(&c->fns[i], 0, sizeof(c->fns[i]));
	c->fns[i].key = c->keys[i];
	c->fns[i].name = align_name(f->name);
	c->fns[i].module = xstrdup(f->module);
	c->fns[i].kind = (int)f->kind;
	c->self[i] = xcalloc(c->nruns, sizeof(uint64_t));
	c->total[i] = xcalloc(c->nruns, sizeof(uint64_t));
	c->stamp[i] = 0;
	intmap_put(&c->index, h, (void *)(uintptr_t)(i + 1));
	return i;
}

/* Function indexes of profile p's frames (SIZE_MAX for process frames). */
static size_t *
counts_frame_map(struct counts *c, const struct profile *p, bool is_pr)
{
	size_t n = profile_nframes(p), i;
	size_t *map = xcalloc(n ? n : 1, sizeof(*map));
	const char *exe = align_exe(p);

	for (i = 0; i < n; i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);
		char *key;
		size_t idx;

		if (f->kind == FRAME_PROCESS) {
			map[i] = SIZE_MAX;
			continue;
		}
		key = align_key(f->name, f->module, (int)f->kind, exe);
		idx = counts_fn(c, key, f);
		/* Show the PR's module name when both sides have one. */
		if (is_pr && strcmp(c->fns[idx].module, f->module)) {
			free(c->fns[idx].module);
			c->fns[idx].module = xstrdup(f->module);
		}
		map[i] = idx;
		free(key);
	}
	return map;
}

/*
 * The frame a sample's self time belongs to: the innermost real function,
 * not a call the compiler inlined into it (the code that got slower is in
 * the function's own body; its inlined frames show where in it), nor the
 * process frame. st->depth when there is none.
 */
static uint32_t
diff_leaf(const struct profile *p, const struct stack *st, const size_t *map)
{
	uint32_t j, fallback = st->depth;

	for (j = st->depth; j-- > 0;) {
		if (map[st->frames[j]] == SIZE_MAX)
			continue;
		if (profile_frame(p, st->frames[j])->kind != FRAME_INLINED)
			return j;
		if (fallback == st->depth)
			fallback = j; /* only inlined frames: the innermost */
	}
	return fallback;
}

static void
counts_run(struct counts *c, const struct profile *p, size_t run, bool is_pr)
{
	size_t *map = counts_frame_map(c, p, is_pr);
	size_t i, n = profile_nstacks(p);
	int64_t period = profile_meta_int(p, "period_ns", 0);

	/* Kept for attribute_paths(): align keys are not built twice. */
	c->frame_maps[run] = map;
	c->run_period_ms[run] = period > 0 ? (double)period / 1e6 : 0;
	for (i = 0; i < n; i++) {
		const struct stack *st = profile_stack(p, i);
		uint32_t j;

		c->run_n[run] += st->count;
		if (!st->count)
			continue;
		c->stack_id++;
		j = diff_leaf(p, st, map);
		if (j < st->depth)
			c->self[map[st->frames[j]]][run] += st->count;
		for (j = 0; j < st->depth; j++) {
			size_t f = map[st->frames[j]];

			if (f == SIZE_MAX || c->stamp[f] == c->stack_id)
				continue;
			c->stamp[f] = c->stack_id;
			c->total[f][run] += st->count;
		}
	}
}

/* ---- tests ---------------------------------------------------------------- */

struct sides {
	size_t nb, np;
	const uint64_t *n; /* samples per run, base runs first */
	const double *period_ms;
	enum diff_norm norm;
	bool ms;      /* DIFF_NORM_NONE with every run's period known */
	double scale; /* the PR's shares are divided by this (share mode) */
};

/* A run's value of a count: percent of the run, or ms / samples. */
static double
run_value(const struct sides *sd, size_t r, uint64_t count)
{
	if (sd->norm == DIFF_NORM_SHARE)
		return sd->n[r] ? 100.0 * (double)count / (double)sd->n[r] /
					  (r >= sd->nb ? sd->scale : 1)
				: 0;
	return sd->ms ? (double)count * sd->period_ms[r] : (double)count;
}

/* Pooled values of both sides (percent, or mean per run). */
static void
pooled(const struct sides *sd, const uint64_t *cnt, struct diff_measure *m)
{
	uint64_t nb = 0, np = 0;
	double vb = 0, vp = 0;
	size_t r;

	m->base = m->pr = 0;
	for (r = 0; r < sd->nb + sd->np; r++) {
		bool pr = r >= sd->nb;

		(pr ? &m->pr : &m->base)[0] += cnt[r];
		(pr ? &np : &nb)[0] += sd->n[r];
		(pr ? &vp : &vb)[0] += run_value(sd, r, cnt[r]);
	}
	if (sd->norm == DIFF_NORM_SHARE) {
		m->base_v = nb ? 100.0 * (double)m->base / (double)nb : 0;
		m->pr_v =
			np ? 100.0 * (double)m->pr / (double)np / sd->scale : 0;
	} else {
		m->base_v = vb / (double)sd->nb;
		m->pr_v = vp / (double)sd->np;
	}
	m->delta = m->pr_v - m->base_v;
	m->rel = m->base_v > 0	? m->delta / m->base_v
		 : m->delta > 0 ? INFINITY
				: 0;
	m->z = 0;
	m->p = m->q = 1;
	m->lo = m->hi = m->delta;
	m->mw_p = 1;
	m->hl = m->hl_lo = m->hl_hi = NAN;
}

/*
 * Run-to-run noise of one count on one side: the spread of its per-run
 * values beyond what sampling explains, relative to its size (a squared
 * coefficient of variation), and the degrees of freedom behind it. -1
 * when the side has one run or the count is zero.
 */
static double
side_excess(const struct sides *sd, const uint64_t *cnt, size_t from, size_t to,
	    double *df)
{
	double mean = 0, var = 0, sampling = 0, x;
	size_t r, n = to - from;

	*df = 0;
	if (n < 2)
		return -1;
	for (r = from; r < to; r++)
		mean += sd->norm == DIFF_NORM_SHARE
				? (double)cnt[r] / (double)sd->n[r]
				: (double)cnt[r];
	mean /= (double)n;
	if (mean <= 0)
		return -1;
	for (r = from; r < to; r++) {
		x = sd->norm == DIFF_NORM_SHARE
			    ? (double)cnt[r] / (double)sd->n[r]
			    : (double)cnt[r];
		var += (x - mean) * (x - mean);
		/* What sampling alone would give: binomial, or Poisson. */
		sampling += sd->norm == DIFF_NORM_SHARE
				    ? mean * (1 - mean) / (double)sd->n[r]
				    : mean;
	}
	var /= (double)(n - 1);
	sampling /= (double)n;
	*df = (double)(n - 1);
	return (var - sampling) / (mean * mean);
}

/*
 * The noise model. A count's per-run value varies by sampling (binomial
 * for a share, Poisson for a count) plus run-to-run noise proportional to
 * its size (the machine, the scheduler, caches: var = tau2 * value^2).
 * With several runs a side, tau2 is estimated from the runs; with one run
 * a side it cannot be, and the sampling variance is scaled by phi, the
 * spread of all functions' statistics instead (an empirical null).
 */
struct noise {
	double tau2; /* squared coefficient of run-to-run variation */
	double phi;  /* sampling variance scale (one run a side) */
};

/*
 * The count test of one measure: z, two-sided p, and a (1 - alpha)
 * interval of the delta in value units.
 */
static void
count_test(const struct sides *sd, const struct noise *nz, double alpha,
	   struct diff_measure *m)
{
	uint64_t nb = 0, np = 0;
	double se0, se1, zc, scale, vb, vp, v;
	size_t r;

	for (r = 0; r < sd->nb + sd->np; r++)
		(r >= sd->nb ? &np : &nb)[0] += sd->n[r];
	zc = stat_norm_quantile(1 - alpha / 2);
	if (sd->norm == DIFF_NORM_SHARE) {
		double k = sd->scale;
		double pb = (double)m->base / (double)nb;
		double pp = (double)m->pr / (double)np; /* raw PR share */
		double p = ((double)m->base + (double)m->pr / k) /
			   (double)(nb + np);

		if (p <= 0 || p * k >= 1 || p >= 1)
			return;
		/*
		 * Under no change: the baseline's share p on one side, k * p
		 * (the PR's share of an unchanged function) on the other;
		 * the PR side is compared divided by k.
		 */
		vb = nz->phi * p * (1 - p) / (double)nb +
		     nz->tau2 * p * p / (double)sd->nb;
		vp = nz->phi * p * (1 - k * p) / (k * (double)np) +
		     nz->tau2 * p * p / (double)sd->np;
		se0 = sqrt(vb + vp);
		v = nz->phi * (pb * (1 - pb) / (double)nb +
			       pp * (1 - pp) / ((double)np * k * k)) +
		    nz->tau2 * (pb * pb / (double)sd->nb +
				pp * pp / (k * k * (double)sd->np));
		se1 = sqrt(v);
		pp /= k;
		scale = 100;
		m->z = (pp - pb) / se0;
	} else {
		double lb = (double)m->base / (double)sd->nb;
		double lp = (double)m->pr / (double)sd->np;
		double l =
			(double)(m->base + m->pr) / (double)(sd->nb + sd->np);

		if (l <= 0)
			return;
		se0 = sqrt((nz->phi * l + nz->tau2 * l * l) *
			   (1.0 / (double)sd->nb + 1.0 / (double)sd->np));
		se1 = sqrt(
			(nz->phi * lb + nz->tau2 * lb * lb) / (double)sd->nb +
			(nz->phi * lp + nz->tau2 * lp * lp) / (double)sd->np);
		/* Samples to the measure's unit: the runs' mean period. */
		scale = 1;
		if (sd->ms) {
			double sum = 0;

			for (r = 0; r < sd->nb + sd->np; r++)
				sum += sd->period_ms[r];
			scale = sum / (double)(sd->nb + sd->np);
		}
		m->z = (lp - lb) / se0;
	}
	m->p = fmin(1, 2 * stat_norm_sf(fabs(m->z)));
	m->lo = m->delta - zc * se1 * scale;
	m->hi = m->delta + zc * se1 * scale;
	m->tested = true;
}

/*
 * With several runs a side: a moderated, weighted t-test on the per-run
 * values. The noise model gives each run's variance under no change,
 * sampling (a run with few samples is noisier) plus tau2 run-to-run noise,
 * and so its weight; each side's mean is the weighted mean of its runs.
 * How far the function's own runs scatter around those means, relative to
 * the model (a scale, df = runs - 2), is pooled with the model's own scale
 * of 1 worth PRIOR_DF runs, as limma moderates gene-wise variances: a
 * function whose runs scatter more than the model says is judged by its
 * own scatter, one with few runs leans on the model. The t statistic has
 * the summed degrees of freedom.
 */
static void
runs_t_test(const struct sides *sd, const uint64_t *cnt, const struct noise *nz,
	    double alpha, struct diff_measure *m)
{
	double sw[2] = { 0, 0 }, swx[2] = { 0, 0 }, mean[2], *w, ss = 0;
	double df, scale, se, tc, pm = 0, unit = 1, x;
	size_t r, n = sd->nb + sd->np;

	/* The pooled value under no change, for the model's variance. */
	for (r = 0; r < n; r++)
		pm += run_value(sd, r, cnt[r]);
	pm /= (double)n;
	if (pm <= 0)
		return;
	if (sd->norm != DIFF_NORM_SHARE && sd->ms) {
		double sum = 0;

		for (r = 0; r < n; r++)
			sum += sd->period_ms[r];
		unit = sum / (double)n;
	}
	w = xcalloc(n, sizeof(*w));
	for (r = 0; r < n; r++) {
		bool pr = r >= sd->nb;
		double v;

		if (sd->norm == DIFF_NORM_SHARE) {
			double k = pr ? sd->scale : 1, p0 = pm / 100;

			if (p0 * k >= 1) {
				free(w);
				return;
			}
			v = 1e4 * p0 * (1 - k * p0) / (k * (double)sd->n[r]);
		} else {
			v = unit * pm; /* Poisson: var = mean, in units */
		}
		v += nz->tau2 * pm * pm;
		w[r] = 1 / v;
		sw[pr] += w[r];
		swx[pr] += w[r] * run_value(sd, r, cnt[r]);
	}
	mean[0] = swx[0] / sw[0];
	mean[1] = swx[1] / sw[1];
	for (r = 0; r < n; r++) {
		x = run_value(sd, r, cnt[r]) - mean[r >= sd->nb];
		ss += w[r] * x * x;
	}
	free(w);
	df = (double)(n - 2);
	scale = (PRIOR_DF + ss) / (PRIOR_DF + df);
	se = sqrt(scale * (1 / sw[0] + 1 / sw[1]));
	if (!(se > 0))
		return;
	m->z = (mean[1] - mean[0]) / se;
	m->p = fmin(1, 2 * stat_t_sf(fabs(m->z), PRIOR_DF + df));
	tc = stat_t_quantile(1 - alpha / 2, PRIOR_DF + df);
	m->lo = m->delta - tc * se;
	m->hi = m->delta + tc * se;
	m->tested = true;
}

/* Runs as the unit: U test and shift of the per-run values. */
static void
runs_test(const struct sides *sd, const uint64_t *cnt, double alpha,
	  struct diff_measure *m)
{
	double *x, *y;
	size_t r;

	if (sd->nb < 2 || sd->np < 2)
		return;
	x = xmalloc(sd->nb * sizeof(*x));
	y = xmalloc(sd->np * sizeof(*y));
	for (r = 0; r < sd->nb; r++)
		x[r] = run_value(sd, r, cnt[r]);
	for (r = 0; r < sd->np; r++)
		y[r] = run_value(sd, sd->nb + r, cnt[sd->nb + r]);
	m->mw_p = stat_mann_whitney(x, sd->nb, y, sd->np, NULL);
	stat_hodges_lehmann(x, sd->nb, y, sd->np, 1 - alpha, &m->hl, &m->hl_lo,
			    &m->hl_hi);
	free(x);
	free(y);
}

/* ---- findings ------------------------------------------------------------- */

static const struct diff_result *cmp_result;

static int
cmp_regression(const void *a, const void *b)
{
	const struct diff_fn *x = &cmp_result->fns[*(const size_t *)a];
	const struct diff_fn *y = &cmp_result->fns[*(const size_t *)b];

	if (x->self.delta != y->self.delta)
		return x->self.delta > y->self.delta ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
cmp_improvement(const void *a, const void *b)
{
	const struct diff_fn *x = &cmp_result->fns[*(const size_t *)a];
	const struct diff_fn *y = &cmp_result->fns[*(const size_t *)b];

	if (x->self.delta != y->self.delta)
		return x->self.delta < y->self.delta ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
cmp_added(const void *a, const void *b)
{
	const struct diff_fn *x = &cmp_result->fns[*(const size_t *)a];
	const struct diff_fn *y = &cmp_result->fns[*(const size_t *)b];
	double vx = x->is_new ? x->total.pr_v : x->total.base_v;
	double vy = y->is_new ? y->total.pr_v : y->total.base_v;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
sort_list(struct diff_result *r, size_t *list, size_t n,
	  int (*cmp)(const void *, const void *))
{
	cmp_result = r;
	if (n)
		qsort(list, n, sizeof(*list), cmp);
	cmp_result = NULL;
}

/* One path of a finding's self samples, pooled on each side. */
struct path_acc {
	unsigned long long key;
	double base, pr; /* normalized like the measure */
	const struct profile *p;
	const struct stack *st; /* an example, for the names */
	uint32_t leaf;		/* the finding's frame in st */
};

struct finding_paths {
	struct path_acc *acc;
	size_t n, cap;
};

static void
path_add(struct finding_paths *fp, unsigned long long key, bool pr, double v,
	 const struct profile *p, const struct stack *st, uint32_t leaf)
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
static void
attribute_paths(struct diff_result *r, struct counts *c,
		struct profile *const *runs, const struct sides *sd,
		const bool *finding)
{
	struct finding_paths *fp = xcalloc(c->nfns, sizeof(*fp));
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
			w = run_value(sd, run, 1) /
			    (double)(pr ? sd->np : sd->nb);
		}
		for (i = 0; i < n; i++) {
			const struct stack *st = profile_stack(p, i);
			unsigned long long key = 0;
			uint32_t j, jl = diff_leaf(p, st, map);
			size_t leaf;

			if (jl == st->depth || !st->count)
				continue;
			leaf = map[st->frames[jl]];
			if (!finding[leaf])
				continue;
			for (j = 0; j <= jl; j++) {
				size_t g = map[st->frames[j]];

				if (g == SIZE_MAX)
					continue;
				key = hash_bytes(c->keys[g], strlen(c->keys[g]),
						 key ^ 0x9e37);
			}
			path_add(&fp[leaf], key, pr, w * (double)st->count, p,
				 st, jl);
		}
	}
	for (f = 0; f < c->nfns; f++) {
		struct diff_fn *fn = &r->fns[f];
		const struct path_acc *best = NULL;
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

/* ---- the comparison ------------------------------------------------------- */

static void
counts_fini(struct counts *c)
{
	size_t i;

	for (i = 0; i < c->nfns; i++) {
		if (!c->fns)
			c->keys[i] = NULL; /* owned by the result's fns */
		free(c->keys[i]);
		free(c->self[i]);
		free(c->total[i]);
	}
	free(c->keys);
	free(c->self);
	free(c->total);
	free(c->stamp);
	for (i = 0; c->frame_maps && i < c->nruns; i++)
		free(c->frame_maps[i]);
	free(c->frame_maps);
	free(c->run_n);
	free(c->run_period_ms);
	intmap_fini(&c->index);
}

/* Weighted median: the value where the weights' running sum reaches half. */
struct wv {
	double v, w;
};

static int
wv_cmp(const void *a, const void *b)
{
	const struct wv *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

/*
 * The PR's share scale. A first guess is the median, weighted by size, of
 * each function's PR share over its baseline share (functions with at
 * least min_share of self time on both sides). The functions that agree
 * with it (within 15%, or within three standard errors of sampling) are
 * taken as unchanged, and the scale is the ratio of their summed shares:
 * pooled over most of the profile, it is far less noisy than any one
 * function's ratio. 1 when no function can say.
 */
static double
diff_scale(const struct diff_result *r, const bool *cand)
{
	struct wv *v = xcalloc(r->nfns ? r->nfns : 1, sizeof(*v));
	double sum = 0, half, run = 0, s0 = 1, ub = 0, up = 0;
	size_t f, n = 0, i;

	for (f = 0; f < r->nfns; f++) {
		const struct diff_measure *m = &r->fns[f].self;

		if (!cand[f] || m->base_v < r->opts.min_share ||
		    m->pr_v < r->opts.min_share)
			continue;
		v[n].v = m->pr_v / m->base_v;
		v[n].w = m->base_v;
		sum += v[n].w;
		n++;
	}
	if (!n) {
		free(v);
		return 1;
	}
	qsort(v, n, sizeof(*v), wv_cmp);
	half = sum / 2;
	for (i = 0; i < n; i++) {
		run += v[i].w;
		if (run >= half) {
			s0 = v[i].v;
			break;
		}
	}
	free(v);
	for (f = 0; f < r->nfns; f++) {
		const struct diff_measure *m = &r->fns[f].self;
		double se, d;

		if (!cand[f] || m->base_v <= 0 || m->pr_v <= 0)
			continue;
		/* Sampling error of the difference, in points. */
		se = 100 * sqrt(m->base_v / 100 * (1 - m->base_v / 100) *
				(1.0 / (double)r->base_samples +
				 1.0 / (double)r->pr_samples));
		d = m->pr_v / s0 - m->base_v;
		if (fabs(d) <= 0.15 * m->base_v || fabs(d) <= 3 * se) {
			ub += m->base_v;
			up += m->pr_v;
		}
	}
	return ub > 0 && up > 0 ? up / ub : s0;
}

/* How many functions the count test can test. */
static size_t
noise_tested(struct diff_result *r, struct counts *c, const struct sides *sd,
	     const bool *cand, const struct noise *nz)
{
	size_t f, k = 0;

	for (f = 0; f < c->nfns; f++) {
		struct diff_measure m = r->fns[f].self;

		if (!cand[f])
			continue;
		count_test(sd, nz, r->opts.alpha, &m);
		k += m.tested;
	}
	return k;
}

/* The median z^2 of the tested functions' self time with run-to-run
 * noise tau2; 0 when fewer than three can be tested. */
static double
noise_median_z2(struct diff_result *r, struct counts *c, const struct sides *sd,
		const bool *cand, const struct noise *base, double tau2)
{
	double *v = xcalloc(c->nfns ? c->nfns : 1, sizeof(*v)), med = 0;
	struct noise nz = *base;
	size_t f, k = 0;

	nz.tau2 = tau2;
	for (f = 0; f < c->nfns; f++) {
		struct diff_measure m = r->fns[f].self;

		if (!cand[f])
			continue;
		count_test(sd, &nz, r->opts.alpha, &m);
		if (m.tested)
			v[k++] = m.z * m.z;
	}
	if (k >= 3)
		med = stat_median(v, k);
	free(v);
	return med;
}

/*
 * The noise for the tests. Several runs a side: tau2 is the average of
 * the functions' relative run-to-run excess variance, weighted by their
 * size (big functions show it best; a change between the sides does not
 * enter, as it is measured within each side). One run a side: phi from
 * the median squared z of all tested functions, most of which did not
 * change.
 */
static void
estimate_noise(struct diff_result *r, struct counts *c, const struct sides *sd,
	       const bool *cand, struct noise *nz)
{
	size_t f, k = 0;

	nz->tau2 = 0;
	nz->phi = 1;
	if (sd->nb >= 2 && sd->np >= 2) {
		double sum = 0, wsum = 0;

		for (f = 0; f < c->nfns; f++) {
			double dfb, dfp, eb, ep, w;

			if (!cand[f])
				continue;
			eb = side_excess(sd, c->self[f], 0, sd->nb, &dfb);
			ep = side_excess(sd, c->self[f], sd->nb,
					 sd->nb + sd->np, &dfp);
			w = r->fns[f].self.base_v + r->fns[f].self.pr_v;
			if (dfb > 0) {
				sum += w * dfb * eb;
				wsum += w * dfb;
			}
			if (dfp > 0) {
				sum += w * dfp * ep;
				wsum += w * dfp;
			}
		}
		nz->tau2 = wsum > 0 && sum > 0 ? sum / wsum : 0;
		r->dispersion = sqrt(nz->tau2);
		r->dispersion_from = "runs";
		return;
	}
	/*
	 * One run a side: the same two-part model, with tau2 set so that
	 * the median z^2 over all tested functions, most of which did not
	 * change, is the median of a chi-square with one degree of freedom
	 * (an empirical null). Found by bisection: the median falls as tau2
	 * grows.
	 */
	{
		double lo = 0, hi = 1, med;
		int it;

		if (noise_tested(r, c, sd, cand, nz) < NULL_MIN_FUNCTIONS) {
			/* Too few functions to learn the noise from. */
			nz->tau2 = SINGLE_RUN_FEW_CV * SINGLE_RUN_FEW_CV;
			goto single_done;
		}
		if (noise_median_z2(r, c, sd, cand, nz, 0) <= CHI2_1_MEDIAN)
			goto single_done;
		while (noise_median_z2(r, c, sd, cand, nz, hi) >
			       CHI2_1_MEDIAN &&
		       hi < 1e4)
			hi *= 4;
		for (it = 0; it < 50; it++) {
			double mid = (lo + hi) / 2;

			med = noise_median_z2(r, c, sd, cand, nz, mid);
			if (med > CHI2_1_MEDIAN)
				lo = mid;
			else
				hi = mid;
		}
		nz->tau2 = hi;
	}
single_done:
	(void)k;
	/*
	 * A median over a handful of functions is itself noisy, and often
	 * says "no run-to-run noise" when there is some: one run a side is
	 * never trusted to be quieter than SINGLE_RUN_MIN_CV.
	 */
	if (nz->tau2 < SINGLE_RUN_MIN_CV * SINGLE_RUN_MIN_CV)
		nz->tau2 = SINGLE_RUN_MIN_CV * SINGLE_RUN_MIN_CV;
	r->dispersion = sqrt(nz->tau2);
	r->dispersion_from = "functions";
}

struct diff_result *
diff_compute(struct profile *const *base, size_t nbase,
	     struct profile *const *pr, size_t npr, const struct diff_opts *o,
	     struct scorch_err *err)
{
	struct diff_result *r;
	struct counts c;
	struct sides sd;
	struct profile **runs;
	double *p_self, *q_self, *p_total, *q_total;
	struct noise nz;
	double min_v, overlap = 0;
	bool *cand, *finding;
	size_t f, i, ntested = 0, k;

	if (!nbase || !npr) {
		err_set(err, "diff: need at least one profile on each side");
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->opts = *o;
	r->nbase = nbase;
	r->npr = npr;
	memset(&c, 0, sizeof(c));
	intmap_init(&c.index);
	c.nruns = nbase + npr;
	c.run_n = xcalloc(c.nruns, sizeof(*c.run_n));
	c.run_period_ms = xcalloc(c.nruns, sizeof(*c.run_period_ms));
	c.frame_maps = xcalloc(c.nruns, sizeof(*c.frame_maps));
	runs = xcalloc(c.nruns, sizeof(*runs));
	for (i = 0; i < nbase; i++)
		runs[i] = base[i];
	for (i = 0; i < npr; i++)
		runs[nbase + i] = pr[i];
	for (i = 0; i < c.nruns; i++)
		counts_run(&c, runs[i], i, i >= nbase);

	sd.nb = nbase;
	sd.np = npr;
	sd.n = c.run_n;
	sd.period_ms = c.run_period_ms;
	sd.norm = o->normalize;
	sd.ms = o->normalize == DIFF_NORM_NONE;
	sd.scale = 1;
	for (i = 0; i < c.nruns; i++) {
		if (i < nbase)
			r->base_samples += c.run_n[i];
		else
			r->pr_samples += c.run_n[i];
		if (!c.run_period_ms[i])
			sd.ms = false;
	}
	r->unit = o->normalize == DIFF_NORM_SHARE ? "pts"
		  : sd.ms			  ? "ms"
						  : "samples";
	for (i = 0; i < c.nruns; i++)
		(i < nbase ? &r->base_total_v : &r->pr_total_v)[0] +=
			run_value(&sd, i, c.run_n[i]) /
			(double)(i < nbase ? nbase : npr);

	r->fns = c.fns;
	r->nfns = c.nfns;
	cand = xcalloc(c.nfns ? c.nfns : 1, sizeof(*cand));
	finding = xcalloc(c.nfns ? c.nfns : 1, sizeof(*finding));
	p_self = xcalloc(c.nfns ? c.nfns : 1, sizeof(*p_self));
	q_self = xcalloc(c.nfns ? c.nfns : 1, sizeof(*q_self));
	p_total = xcalloc(c.nfns ? c.nfns : 1, sizeof(*p_total));
	q_total = xcalloc(c.nfns ? c.nfns : 1, sizeof(*q_total));

	for (f = 0; f < c.nfns; f++) {
		struct diff_fn *fn = &r->fns[f];
		double sb = 0, sp = 0;

		pooled(&sd, c.self[f], &fn->self);
		pooled(&sd, c.total[f], &fn->total);
		fn->is_new = fn->total.base == 0 && fn->total.pr > 0;
		fn->is_gone = fn->total.pr == 0 && fn->total.base > 0;
		/* Tested when big enough on either side, as shares. */
		if (r->base_samples)
			sb = 100.0 * (double)fn->total.base /
			     (double)r->base_samples;
		if (r->pr_samples)
			sp = 100.0 * (double)fn->total.pr /
			     (double)r->pr_samples;
		cand[f] = (sb + sp) / 2 >= o->min_share;
		if (r->base_samples && r->pr_samples)
			overlap += fmin(
				(double)fn->self.base / (double)r->base_samples,
				(double)fn->self.pr / (double)r->pr_samples);
	}

	/*
	 * Shares add up to 100%: when some functions grow, every other one
	 * shrinks as a share though its cost did not change, and a big
	 * improvement makes everything else look slower. Most functions do
	 * not change between two builds, so the PR's shares are rescaled by
	 * the median ratio of PR to baseline share over the functions (by
	 * size), as RNA-seq counts are normalized: an unchanged function
	 * then compares equal, and a delta is in points of the baseline's
	 * total.
	 */
	if (o->normalize == DIFF_NORM_SHARE) {
		sd.scale = diff_scale(r, cand);
		if (fabs(sd.scale - 1) > 1e-9)
			for (f = 0; f < c.nfns; f++) {
				pooled(&sd, c.self[f], &r->fns[f].self);
				pooled(&sd, c.total[f], &r->fns[f].total);
			}
	}
	r->pr_scale = sd.scale;
	estimate_noise(r, &c, &sd, cand, &nz);
	for (f = 0; f < c.nfns; f++) {
		struct diff_fn *fn = &r->fns[f];

		if (!cand[f])
			continue;
		if (nbase >= 2 && npr >= 2) {
			runs_t_test(&sd, c.self[f], &nz, o->alpha, &fn->self);
			runs_t_test(&sd, c.total[f], &nz, o->alpha, &fn->total);
		} else {
			count_test(&sd, &nz, o->alpha, &fn->self);
			count_test(&sd, &nz, o->alpha, &fn->total);
		}
		runs_test(&sd, c.self[f], o->alpha, &fn->self);
		runs_test(&sd, c.total[f], o->alpha, &fn->total);
	}
	/* False-discovery rate over every function tested. */
	for (f = 0; f < c.nfns; f++)
		if (r->fns[f].self.tested) {
			p_self[ntested] = r->fns[f].self.p;
			p_total[ntested] = r->fns[f].total.p;
			ntested++;
		}
	stat_bh_qvalues(p_self, ntested, q_self);
	stat_bh_qvalues(p_total, ntested, q_total);
	min_v = o->normalize == DIFF_NORM_SHARE
			? o->min_delta
			: o->min_delta / 100 * r->base_total_v;
	for (f = 0, k = 0; f < c.nfns; f++) {
		struct diff_fn *fn = &r->fns[f];

		if (!fn->self.tested)
			continue;
		fn->self.q = q_self[k];
		fn->total.q = q_total[k];
		k++;
		fn->significant =
			fn->self.q <= o->alpha &&
			fabs(fn->self.delta) >= min_v &&
			(nbase < 4 || npr < 4 || fn->self.mw_p <= 0.05);
	}

	/* Findings, most responsible first. */
	r->regressions = xcalloc(c.nfns ? c.nfns : 1, sizeof(size_t));
	r->improvements = xcalloc(c.nfns ? c.nfns : 1, sizeof(size_t));
	r->added = xcalloc(c.nfns ? c.nfns : 1, sizeof(size_t));
	r->removed = xcalloc(c.nfns ? c.nfns : 1, sizeof(size_t));
	for (f = 0; f < c.nfns; f++) {
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
		finding[f] = fn->significant;
		if (fn->significant)
			diff_keyset_add(r, fn->key);
		fn->callee_only = !fn->is_new && fn->module[0] &&
				  strcmp(fn->module, align_exe(pr[0])) &&
				  fn->kind != FRAME_KERNEL;
	}
	sort_list(r, r->regressions, r->nregressions, cmp_regression);
	sort_list(r, r->improvements, r->nimprovements, cmp_improvement);
	sort_list(r, r->added, r->nadded, cmp_added);
	sort_list(r, r->removed, r->nremoved, cmp_added);
	{
		double imp_total = 0;

		for (i = 0; i < r->nimprovements; i++)
			imp_total += r->fns[r->improvements[i]].self.delta;
		for (i = 0; i < r->nregressions; i++)
			r->fns[r->regressions[i]].explains =
				r->fns[r->regressions[i]].self.delta /
				r->regression_total;
		for (i = 0; i < r->nimprovements; i++)
			r->fns[r->improvements[i]].explains =
				r->fns[r->improvements[i]].self.delta /
				imp_total;
	}
	attribute_paths(r, &c, runs, &sd, finding);

	/* The verdict. */
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
	/* The function table now belongs to the result. */
	c.fns = NULL;
	counts_fini(&c);
	free(runs);
	free(cand);
	free(finding);
	free(p_self);
	free(q_self);
	free(p_total);
	free(q_total);
	return r;
}

void
diff_result_free(struct diff_result *r)
{
	size_t f, j;

	if (!r)
		return;
	for (f = 0; f < r->nfns; f++) {
		free(r->fns[f].key);
		free(r->fns[f].name);
		free(r->fns[f].module);
		for (j = 0; j < r->fns[f].npath; j++)
			free(r->fns[f].path[j]);
		free(r->fns[f].path);
	}
	free(r->fns);
	free(r->regressions);
	free(r->improvements);
	free(r->added);
	free(r->removed);
	free(r->why);
	diff_keyset_free(r->findings);
	free(r);
}
