/* SPDX-License-Identifier: MIT */
/*
 * diff/model.c - the model: each side's per-run values of a count, the
 * PR's share scale, the noise (sampling plus run-to-run) and the tests of
 * one function's change (docs/DIFF.md, "The test").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

/* Whole commands whose CPU time per run scatters by more than this within
 * a side are not fixed work: 12 fixed-work runs of two examples here
 * scattered by 2-3% at a load of 4 on 2 CPUs, timed runs by 10-35%. */
#define FIXED_WORK_MAX_CV 0.08
/* A run's value of a count: percent of the run, or ms / samples. */
double
diff_run_value(const struct diff_sides *sd, size_t r, uint64_t count)
{
	if (sd->norm == DIFF_NORM_SHARE)
		return sd->n[r] ? 100.0 * (double)count / (double)sd->n[r] /
					  (r >= sd->nb ? sd->scale : 1) /
					  (sd->run_scale ? sd->run_scale[r] : 1)
				: 0;
	return sd->ms ? (double)count * sd->period_ms[r] : (double)count;
}

/* Pooled values of both sides (percent, or mean per run). */
void
diff_pooled(const struct diff_sides *sd, const uint64_t *cnt,
	    struct diff_measure *m)
{
	uint64_t nb = 0, np = 0;
	double vb = 0, vp = 0;
	size_t r;

	m->base = m->pr = 0;
	for (r = 0; r < sd->nb + sd->np; r++) {
		bool pr = r >= sd->nb;

		(pr ? &m->pr : &m->base)[0] += cnt[r];
		(pr ? &np : &nb)[0] += sd->n[r];
		(pr ? &vp : &vb)[0] += diff_run_value(sd, r, cnt[r]);
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
 * The count test of one measure: z, two-sided p, and a (1 - alpha)
 * interval of the delta in value units.
 */
void
diff_count_test(const struct diff_sides *sd, const struct diff_noise *nz,
		double alpha, struct diff_measure *m)
{
	uint64_t nb = 0, np = 0;
	double se0, se1, zc, scale, vb, vp, v, g;
	size_t r;

	for (r = 0; r < sd->nb + sd->np; r++)
		(r >= sd->nb ? &np : &nb)[0] += sd->n[r];
	zc = stat_norm_quantile(1 - alpha / 2);
	g = sd->grain; /* sampling in samples, not in ns */
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
		vb = nz->phi * g * p * (1 - p) / (double)nb +
		     nz->tau2 * p * p / (double)sd->nb;
		vp = nz->phi * g * p * (1 - k * p) / (k * (double)np) +
		     nz->tau2 * p * p / (double)sd->np;
		se0 = sqrt(vb + vp);
		v = nz->phi * g *
			    (pb * (1 - pb) / (double)nb +
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
		se0 = sqrt((nz->phi * g * l + nz->tau2 * l * l) *
			   (1.0 / (double)sd->nb + 1.0 / (double)sd->np));
		se1 = sqrt((nz->phi * g * lb + nz->tau2 * lb * lb) /
				   (double)sd->nb +
			   (nz->phi * g * lp + nz->tau2 * lp * lp) /
				   (double)sd->np);
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
	/* One run's variance a side in value units (the counts' own). */
	m->run_var[0] = m->run_var[1] = se1 * se1 * scale * scale / 2 *
					((double)sd->nb + (double)sd->np) / 2;
	m->df_extra = -1; /* a z-test: the normal */
	m->p = fmin(1, 2 * stat_norm_sf(fabs(m->z)));
	m->lo = m->delta - zc * se1 * scale;
	m->hi = m->delta + zc * se1 * scale;
	m->tested = true;
}

/*
 * The model's variance of run r's value, its side's mean value being mean
 * (value units): phi times sampling at that share (binomial; Poisson for
 * counts) plus tau2 times the value squared. A side at zero is taken at half a
 * sample, so a new function's empty side is not infinitely sure.
 */
static double
model_run_var(const struct diff_sides *sd, size_t r, double mean, double unit,
	      const struct diff_noise *nz)
{
	double v;

	if (sd->norm == DIFF_NORM_SHARE) {
		double k = (r >= sd->nb ? sd->scale : 1) *
			   (sd->run_scale ? sd->run_scale[r] : 1);
		double n = (double)sd->n[r] / sd->grain;  /* samples */
		double p = fmax(mean / 100 * k, 0.5 / n); /* the raw share */

		if (p >= 1)
			p = 1 - 0.5 / n;
		v = 1e4 * p * (1 - p) / (n * k * k);
	} else {
		unit *= sd->grain; /* a sample's value */
		v = unit * fmax(mean, unit * 0.5);
	}
	return nz->phi * v + nz->tau2 * mean * mean;
}

/*
 * With several runs a side: a moderated, weighted t-test on the per-run
 * values. The noise model gives each run's variance under no change,
 * sampling (a run with few samples is noisier) plus tau2 run-to-run noise,
 * and so its weight; each side's mean is the weighted mean of its runs.
 * How far the function's own runs scatter around those means, relative to
 * the model (a scale, df = runs - 2), is pooled with the model's own scale
 * of 1 worth nz->prior_df runs (estimated from how the functions' scatter
 * spreads, diff/noise.c), as limma moderates gene-wise variances: a
 * function whose runs scatter more than the model says is judged by its
 * own scatter, one with few runs leans on the model. The t statistic has
 * the summed degrees of freedom.
 */
void
diff_runs_t_test(const struct diff_sides *sd, const uint64_t *cnt,
		 const struct diff_noise *nz, double alpha,
		 struct diff_measure *m)
{
	double sw[2] = { 0, 0 }, swx[2] = { 0, 0 }, mean[2] = { 0, 0 }, *w;
	double df, scale, se, tc, ss = 0, unit = 1, x;
	size_t r, n = sd->nb + sd->np;

	if (!m->base && !m->pr)
		return;
	if (sd->norm != DIFF_NORM_SHARE && sd->ms) {
		double sum = 0;

		for (r = 0; r < n; r++)
			sum += sd->period_ms[r];
		unit = sum / (double)n;
	}
	/* Each side's plain mean sets its runs' variance under the model. */
	for (r = 0; r < n; r++)
		mean[r >= sd->nb] += diff_run_value(sd, r, cnt[r]);
	mean[0] /= (double)sd->nb;
	mean[1] /= (double)sd->np;
	w = xcalloc(n, sizeof(*w));
	for (r = 0; r < n; r++) {
		bool pr = r >= sd->nb;

		w[r] = 1 / model_run_var(sd, r, mean[pr], unit, nz);
		sw[pr] += w[r];
		swx[pr] += w[r] * diff_run_value(sd, r, cnt[r]);
	}
	mean[0] = swx[0] / sw[0];
	mean[1] = swx[1] / sw[1];
	for (r = 0; r < n; r++) {
		x = diff_run_value(sd, r, cnt[r]) - mean[r >= sd->nb];
		ss += w[r] * x * x;
	}
	free(w);
	df = (double)(n - 2);
	scale = (nz->prior_df + ss) / (nz->prior_df + df);
	se = sqrt(scale * (1 / sw[0] + 1 / sw[1]));
	if (!(se > 0))
		return;
	/* One run's variance a side, for the runs a change would need. */
	m->run_var[0] = scale * (double)sd->nb / sw[0];
	m->run_var[1] = scale * (double)sd->np / sw[1];
	m->df_extra = nz->prior_df;
	m->z = (mean[1] - mean[0]) / se;
	m->p = fmin(1, 2 * stat_t_sf(fabs(m->z), nz->prior_df + df));
	tc = stat_t_quantile(1 - alpha / 2, nz->prior_df + df);
	m->lo = m->delta - tc * se;
	m->hi = m->delta + tc * se;
	m->tested = true;
}

/* Runs as the unit: U test and shift of the per-run values. */
void
diff_runs_test(const struct diff_sides *sd, const uint64_t *cnt, double alpha,
	       struct diff_measure *m)
{
	double *x, *y;
	size_t r;

	if (sd->nb < 2 || sd->np < 2)
		return;
	x = xmalloc(sd->nb * sizeof(*x));
	y = xmalloc(sd->np * sizeof(*y));
	for (r = 0; r < sd->nb; r++)
		x[r] = diff_run_value(sd, r, cnt[r]);
	for (r = 0; r < sd->np; r++)
		y[r] = diff_run_value(sd, sd->nb + r, cnt[sd->nb + r]);
	m->mw_p = stat_mann_whitney(x, sd->nb, y, sd->np, NULL);
	stat_hodges_lehmann(x, sd->nb, y, sd->np, 1 - alpha, &m->hl, &m->hl_lo,
			    &m->hl_hi);
	free(x);
	free(y);
}

/* Weighted median: the value where the weights' running sum reaches half. */
struct model_wv {
	double v, w;
};

static int
model_wv_cmp(const void *a, const void *b)
{
	const struct model_wv *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

/*
 * A function holding most of the profile would be the weighted median by
 * itself, and its own change would then read as the scale (a hot function
 * 20% slower at 68% of the time compared equal, and the others as
 * improvements): among three or more, its weight is capped at half the
 * others' together, so the median falls inside the rest (at their
 * quartile nearest it: a small function's noisy ratio at the rest's edge
 * does not decide either). *sum is updated.
 */
static void
model_cap_weight(struct model_wv *v, size_t n, double *sum)
{
	size_t i, big = 0;

	for (i = 1; i < n; i++)
		if (v[i].w > v[big].w)
			big = i;
	/* Two functions: which one changed is the bigger's call (as
	 * before); three or more: the rest agree or not. */
	if (n > 2 && v[big].w > *sum - v[big].w) {
		double rest = *sum - v[big].w;

		v[big].w = rest / 2;
		*sum = rest + v[big].w;
	}
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
double
diff_scale(const struct diff_result *r, const struct diff_sides *sd,
	   const bool *cand)
{
	struct model_wv *v = xcalloc(r->nfns ? r->nfns : 1, sizeof(*v));
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
	model_cap_weight(v, n, &sum);
	qsort(v, n, sizeof(*v), model_wv_cmp);
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
		se = 100 *
		     sqrt(m->base_v / 100 * (1 - m->base_v / 100) * sd->grain *
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

/*
 * --normalize auto: absolute CPU time when every run of both sides
 * recorded one whole command from its start to its exit (fixed work: a
 * slower build takes more samples, and shares would hide that), shares
 * otherwise (a window of time: attached, or stopped by -d). A run without
 * the metadata (folded input, an older recording) keeps shares, and so do
 * whole commands whose CPU time per run scatters by more than
 * FIXED_WORK_MAX_CV within a side: fixed work takes about the same CPU
 * time each run, while a benchmark that runs for a set time ("app 2")
 * gets what the machine's load leaves it.
 */
/* The runs' CPU time (samples) scatter within their sides: the largest
 * coefficient of variation of the two sides; 0 with one run a side. */
static double
model_total_cv(struct profile *const *runs, size_t nb, size_t n)
{
	double worst = 0;
	size_t side, i;

	for (side = 0; side < 2; side++) {
		size_t from = side ? nb : 0, to = side ? n : nb, k = to - from;
		double mean = 0, var = 0, x;

		if (k < 2)
			continue;
		for (i = from; i < to; i++)
			mean += (double)profile_total(runs[i]) / (double)k;
		for (i = from; i < to; i++) {
			x = (double)profile_total(runs[i]) - mean;
			var += x * x / (double)(k - 1);
		}
		if (mean > 0 && sqrt(var) / mean > worst)
			worst = sqrt(var) / mean;
	}
	return worst;
}

void
diff_model_normalize(struct diff_result *r, struct profile *const *runs,
		     size_t nb, size_t n)
{
	size_t i, whole = 0, window = 0, merged = 0;

	r->normalize_auto = r->opts.normalize == DIFF_NORM_AUTO;
	if (!r->normalize_auto) {
		r->normalize_why = r->opts.normalize == DIFF_NORM_NONE
					   ? "--normalize none"
					   : "--normalize share";
		return;
	}
	for (i = 0; i < n; i++) {
		const char *e = profile_meta_str(runs[i], "extent");

		if (e && !strcmp(e, "whole"))
			whole++;
		else if (e && !strcmp(e, "window"))
			window++;
		merged += profile_runs(runs[i]) > 1;
	}
	r->opts.normalize = DIFF_NORM_SHARE;
	if (merged) {
		/* The tests count a run's samples as one run's: a merge of
		 * several is compared by its shares. */
		r->normalize_why = "a run is a merge of several runs: shares, "
				   "rescaled";
	} else if (whole == n &&
		   model_total_cv(runs, nb, n) > FIXED_WORK_MAX_CV) {
		r->normalize_why = "every run recorded a whole command, but "
				   "their CPU time scatters too much for fixed "
				   "work (a timed run?): shares, rescaled";
	} else if (whole == n) {
		r->opts.normalize = DIFF_NORM_NONE;
		r->normalize_why =
			profile_unit(runs[0]) == PROFILE_UNIT_NS
				? "every run recorded a whole command (fixed "
				  "work): absolute time"
				: "every run recorded a whole command (fixed "
				  "work): absolute CPU time";
	} else if (window) {
		r->normalize_why = "a run recorded a window of time (attached, "
				   "or stopped before the command exited): "
				   "shares, rescaled";
	} else {
		r->normalize_why = "a run does not say how it was recorded "
				   "(folded, or recorded before scorch said): "
				   "shares, rescaled";
	}
}

void
diff_sides_init(struct diff_sides *sd, struct diff_result *r,
		const struct diff_counts *c)
{
	size_t i;

	sd->nb = r->nbase;
	sd->np = r->npr;
	sd->n = c->run_n;
	sd->period_ms = c->run_period_ms;
	sd->norm = r->opts.normalize;
	sd->ms = r->opts.normalize == DIFF_NORM_NONE;
	sd->scale = 1;
	sd->run_scale = NULL;
	sd->grain = 0;
	for (i = 0; i < c->nruns; i++)
		sd->grain += c->run_grain[i] / (double)c->nruns;
	if (!(sd->grain >= 1))
		sd->grain = 1;
	r->grain = sd->grain;
	for (i = 0; i < c->nruns; i++) {
		if (i < sd->nb)
			r->base_samples += c->run_n[i];
		else
			r->pr_samples += c->run_n[i];
		if (!c->run_period_ms[i])
			sd->ms = false;
	}
	r->unit = sd->norm == DIFF_NORM_SHARE ? "pts"
		  : sd->ms		      ? "ms"
					      : "samples";
	for (i = 0; i < c->nruns; i++)
		(i < sd->nb ? &r->base_total_v : &r->pr_total_v)[0] +=
			diff_run_value(sd, i, c->run_n[i]) /
			(double)(i < sd->nb ? sd->nb : sd->np);
}

double
diff_model_measure(struct diff_result *r, const struct diff_counts *c,
		   const struct diff_sides *sd, bool *cand)
{
	double overlap = 0;
	size_t f;

	for (f = 0; f < c->nfns; f++) {
		struct diff_fn *fn = &r->fns[f];
		double sb = 0, sp = 0;

		diff_pooled(sd, c->self[f], &fn->self);
		diff_pooled(sd, c->total[f], &fn->total);
		fn->is_new = fn->total.base == 0 && fn->total.pr > 0;
		fn->is_gone = fn->total.pr == 0 && fn->total.base > 0;
		/* Tested when big enough on either side, as shares. */
		if (r->base_samples)
			sb = 100.0 * (double)fn->total.base /
			     (double)r->base_samples;
		if (r->pr_samples)
			sp = 100.0 * (double)fn->total.pr /
			     (double)r->pr_samples;
		cand[f] = (sb + sp) / 2 >= r->opts.min_share;
		if (r->base_samples && r->pr_samples)
			overlap += fmin(
				(double)fn->self.base / (double)r->base_samples,
				(double)fn->self.pr / (double)r->pr_samples);
	}
	return overlap;
}

/*
 * One run's scale within its side: the ratio of its shares to the side's
 * pooled shares over the functions that agree (the median of ratios by
 * size first, then the functions within 15% or three standard errors of
 * it, as diff_scale does between the sides). 1 when none can say.
 */
static double
model_run_scale(const struct diff_result *r, const struct diff_counts *c,
		const struct diff_sides *sd, const bool *cand, size_t run,
		struct model_wv *v)
{
	size_t f, k = 0, i, from = run < sd->nb ? 0 : sd->nb;
	size_t to = run < sd->nb ? sd->nb : sd->nb + sd->np;
	double sum = 0, acc = 0, s0 = 1, ur = 0, up = 0, n = (double)sd->n[run];
	uint64_t side_n = 0;

	for (i = from; i < to; i++)
		side_n += sd->n[i];
	for (f = 0; f < c->nfns; f++) {
		uint64_t side_cnt = 0;

		if (!cand[f])
			continue;
		for (i = from; i < to; i++)
			side_cnt += c->self[f][i];
		v[f].w = (double)side_cnt / (double)side_n; /* pooled */
		v[f].v = -1;
		if (100 * v[f].w < r->opts.min_share)
			continue;
		v[k].v = (double)c->self[f][run] / n / v[f].w;
		v[k].w = v[f].w;
		sum += v[k].w;
		k++;
	}
	if (!k)
		return 1;
	qsort(v, k, sizeof(*v), model_wv_cmp);
	for (i = 0; i < k; i++) {
		acc += v[i].w;
		if (acc >= sum / 2) {
			s0 = v[i].v;
			break;
		}
	}
	/* A run with almost none of its side's functions: leave it be. */
	if (!(s0 > 0) || !isfinite(s0))
		return 1;
	for (f = 0; f < c->nfns; f++) {
		uint64_t side_cnt = 0;
		double p, x, se;

		if (!cand[f])
			continue;
		for (i = from; i < to; i++)
			side_cnt += c->self[f][i];
		p = (double)side_cnt / (double)side_n;
		x = (double)c->self[f][run] / n;
		se = sqrt(p * (1 - p) * sd->grain / n);
		if (p > 0 && (fabs(x / s0 - p) <= 0.15 * p ||
			      fabs(x / s0 - p) <= 3 * se / s0)) {
			ur += x;
			up += p;
		}
	}
	return ur > 0 && up > 0 ? ur / up : s0;
}

/*
 * Shares of one run move together: when the kernel takes more of a run
 * (a busier machine, a scheduler storm), every other function's share
 * shrinks though its cost did not change. With several runs a side, each
 * run is rescaled by its own scale within its side (mean 1 on each side),
 * so that one noisy function does not make every other one noisy.
 */
static void
model_run_scales(const struct diff_result *r, const struct diff_counts *c,
		 struct diff_sides *sd, const bool *cand)
{
	struct model_wv *v;
	size_t i, side;

	if (sd->norm != DIFF_NORM_SHARE || sd->nb < 2 || sd->np < 2)
		return;
	v = xcalloc(c->nfns ? c->nfns : 1, sizeof(*v));
	sd->run_scale = xcalloc(sd->nb + sd->np, sizeof(double));
	for (i = 0; i < sd->nb + sd->np; i++)
		sd->run_scale[i] = model_run_scale(r, c, sd, cand, i, v);
	for (side = 0; side < 2; side++) {
		size_t from = side ? sd->nb : 0;
		size_t to = side ? sd->nb + sd->np : sd->nb;
		double mean = 0;

		for (i = from; i < to; i++)
			mean += sd->run_scale[i];
		mean /= (double)(to - from);
		for (i = from; i < to; i++)
			sd->run_scale[i] =
				mean > 0 ? sd->run_scale[i] / mean : 1;
	}
	free(v);
}

void
diff_sides_fini(struct diff_sides *sd)
{
	free(sd->run_scale);
	sd->run_scale = NULL;
}

/*
 * Shares add up to 100%: when some functions grow, every other one
 * shrinks as a share though its cost did not change, and a big
 * improvement makes everything else look slower. Most functions do not
 * change between two builds, so the PR's shares are rescaled by the median
 * ratio of PR to baseline share over the functions (by size), as RNA-seq
 * counts are normalized: an unchanged function then compares equal, and a
 * delta is in points of the baseline's total.
 */
void
diff_model_rescale(struct diff_result *r, const struct diff_counts *c,
		   struct diff_sides *sd, const bool *cand)
{
	size_t f;

	if (sd->norm == DIFF_NORM_SHARE) {
		sd->scale = diff_scale(r, sd, cand);
		if (fabs(sd->scale - 1) > 1e-9)
			for (f = 0; f < c->nfns; f++) {
				diff_pooled(sd, c->self[f], &r->fns[f].self);
				diff_pooled(sd, c->total[f], &r->fns[f].total);
			}
	}
	r->pr_scale = sd->scale;
	model_run_scales(r, c, sd, cand);
}

/* Benjamini-Hochberg over every function tested, and which changes are
 * findings or possible ones; returns how many were tested. */
static size_t
model_decide(struct diff_result *r, double min_v)
{
	const struct diff_opts *o = &r->opts;
	size_t n = r->nfns ? r->nfns : 1, f, k, ntested = 0, nfind = 0;
	double *p_self = xcalloc(n, sizeof(double));
	double *q_self = xcalloc(n, sizeof(double));
	double *p_total = xcalloc(n, sizeof(double));
	double *q_total = xcalloc(n, sizeof(double));

	for (f = 0; f < r->nfns; f++)
		if (r->fns[f].self.tested) {
			p_self[ntested] = r->fns[f].self.p;
			p_total[ntested] = r->fns[f].total.p;
			ntested++;
		}
	stat_bh_qvalues(p_self, ntested, q_self);
	stat_bh_qvalues(p_total, ntested, q_total);
	for (f = 0, k = 0; f < r->nfns; f++) {
		struct diff_fn *fn = &r->fns[f];

		if (!fn->self.tested)
			continue;
		fn->self.q = q_self[k];
		fn->total.q = q_total[k];
		k++;
		fn->significant =
			fn->self.q <= o->alpha &&
			fabs(fn->self.delta) >= min_v &&
			(r->nbase < 4 || r->npr < 4 || fn->self.mw_p <= 0.05);
		nfind += fn->significant;
	}
	diff_model_tiers(r, min_v, ntested, nfind);
	free(p_self);
	free(q_self);
	free(p_total);
	free(q_total);
	return ntested;
}

size_t
diff_model_test(struct diff_result *r, const struct diff_counts *c,
		const struct diff_sides *sd, const bool *cand,
		const struct diff_noise *nz, double *min_v)
{
	const struct diff_opts *o = &r->opts;
	size_t f;

	for (f = 0; f < c->nfns; f++) {
		struct diff_fn *fn = &r->fns[f];

		if (!cand[f])
			continue;
		if (sd->nb >= 2 && sd->np >= 2) {
			struct diff_noise fz = *nz;

			if (fn->kind == FRAME_KERNEL)
				fz.tau2 = nz->tau2_kernel;
			diff_runs_t_test(sd, c->self[f], &fz, o->alpha,
					 &fn->self);
			diff_runs_t_test(sd, c->total[f], &fz, o->alpha,
					 &fn->total);
		} else {
			diff_count_test(sd, nz, o->alpha, &fn->self);
			diff_count_test(sd, nz, o->alpha, &fn->total);
		}
		diff_runs_test(sd, c->self[f], o->alpha, &fn->self);
		diff_runs_test(sd, c->total[f], o->alpha, &fn->total);
	}
	*min_v = o->normalize == DIFF_NORM_SHARE
			 ? o->min_delta
			 : o->min_delta / 100 * r->base_total_v;
	return model_decide(r, *min_v);
}
