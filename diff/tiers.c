/* SPDX-License-Identifier: MIT */
/*
 * diff/tiers.c - how strong each tested function's evidence is: a finding,
 * a possible change (and the runs a side that would decide it), or
 * nothing to say (docs/DIFF.md, "Two tiers").
 */
#include <math.h>

#include "internal.h"

/* The second tier: q at most this, and a change of at least this part of
 * the practical threshold (a change too small to fail CI on may still be
 * worth the runs that would tell: 0.1 share points by default). */
#define POSSIBLE_Q 0.05
#define POSSIBLE_MIN_DELTA 0.2
/* The power at which runs_needed would find a change of the size seen,
 * and the most runs it says. */
#define POWER 0.8
#define RUNS_NEEDED_MAX 1000

/*
 * Runs a side at which a change of m's size would be found: a two-sided
 * test at level a with power POWER, one run's variance a side as the
 * model measured it (n = (t_{1-a/2} + t_POWER)^2 (var_b + var_p) / d^2,
 * with the t quantiles at the degrees of freedom those runs would give),
 * and never fewer than one more run than there are. Capped at
 * RUNS_NEEDED_MAX.
 */
static double
tiers_runs_needed(const struct diff_measure *m, double a, size_t nruns)
{
	double v = m->run_var[0] + m->run_var[1], d2 = m->delta * m->delta;
	double n = 2, za, zb;
	int it;

	if (!(v > 0) || !(d2 > 0))
		return RUNS_NEEDED_MAX;
	for (it = 0; it < 20; it++) {
		double df = m->df_extra < 0 ? 0 : 2 * n - 2 + m->df_extra;
		double next;

		za = stat_t_quantile(1 - a / 2, df);
		zb = stat_t_quantile(POWER, df);
		next = (za + zb) * (za + zb) * v / d2;
		if (fabs(next - n) < 0.01)
			break;
		n = fmax(2, next);
	}
	n = ceil(fmax(n, (double)nruns + 1));
	return fmin(n, RUNS_NEEDED_MAX);
}

/* The tier of a tested function (docs/DIFF.md, "Two tiers"). */
static void
tiers_one(struct diff_result *r, struct diff_fn *fn, double min_v,
	  double a_next)
{
	size_t nruns = r->nbase < r->npr ? r->nbase : r->npr;

	fn->tier = DIFF_TIER_NONE;
	fn->runs_needed = 0;
	if (fn->significant) {
		fn->tier = DIFF_TIER_FINDING;
		return;
	}
	if (fn->self.q > POSSIBLE_Q ||
	    fabs(fn->self.delta) < POSSIBLE_MIN_DELTA * min_v)
		return;
	fn->tier = DIFF_TIER_POSSIBLE;
	fn->runs_needed = tiers_runs_needed(&fn->self, a_next, nruns);
}

void
diff_model_tiers(struct diff_result *r, double min_v, size_t ntested,
		 size_t nfind)
{
	/* A possible change is confirmed when its p reaches the level the
	 * next finding would need (Benjamini-Hochberg's step). */
	double a_next = r->opts.alpha * (double)(nfind + 1) /
			(double)(ntested ? ntested : 1);
	size_t f;

	for (f = 0; f < r->nfns; f++)
		if (r->fns[f].self.tested)
			tiers_one(r, &r->fns[f], min_v, a_next);
}
