/* SPDX-License-Identifier: MIT */
/*
 * diff/noise.c - the noise model's parameters (docs/DIFF.md, "The test"):
 * with several runs a side, how much of the sampling noise the runs show
 * (phi) and the run-to-run noise (tau2, the kernel's functions apart),
 * fitted robustly to every function's scatter of runs within each side;
 * with one run a side, tau2 from the spread of all functions' statistics
 * (an empirical null).
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
/* Kernel functions and the program's own have each their own run-to-run
 * noise when each group has at least this many functions to learn it. */
#define GROUP_MIN_FUNCTIONS 3
/* The grid of phi: from PHI_MIN up to 1 (binomial or Poisson sampling)
 * by steps of PHI_STEP. Below PHI_MIN, 3 runs cannot tell. */
#define PHI_MIN 0.05
#define PHI_STEP 1.25
/*
 * The model's weight against a function's own scatter, in degrees of
 * freedom, is estimated from how far the functions' scatter ratios spread
 * (noise_prior_df), within these bounds: PRIOR_DF_MIN where they spread
 * widely (threads whose start-up swings by 100%: each such function is
 * judged by its own scatter), up to PRIOR_DF_MAX where every function
 * scatters as the model says. PRIOR_MIN_FUNCTIONS ratios at least, else
 * PRIOR_DF_MIN. docs/DIFF.md, "The test", has the measurements.
 */
#define PRIOR_DF_MIN 4.0
#define PRIOR_DF_MAX 16.0
#define PRIOR_MIN_FUNCTIONS 5

/* One count's scatter of runs around its side's mean, both sides. */
struct noise_scatter {
	double ss;   /* squared deviations of the runs from their side's mean */
	double samp; /* what sampling alone would put in ss */
	double size2; /* ss's part per unit of tau2: sum of (runs - 1) mean^2 */
};

/* A run's raw value of a count: a fraction of the run, or a count. */
static double
noise_raw(const struct diff_sides *sd, size_t r, uint64_t count)
{
	if (sd->norm != DIFF_NORM_SHARE)
		return (double)count;
	return sd->n[r] ? (double)count / (double)sd->n[r] /
				  (sd->run_scale ? sd->run_scale[r] : 1)
			: 0;
}

/*
 * The scatter of a count's raw per-run values within each side (a change
 * between the sides does not enter: each side is measured around its own
 * mean). Under the model, ss / (samp + tau2 * size2) is a chi-square over
 * its degrees of freedom (runs - 2). False when the count is zero.
 */
static bool
noise_scatter(const struct diff_sides *sd, const uint64_t *cnt,
	      struct noise_scatter *sc)
{
	size_t side, r;

	memset(sc, 0, sizeof(*sc));
	for (side = 0; side < 2; side++) {
		size_t from = side ? sd->nb : 0;
		size_t to = side ? sd->nb + sd->np : sd->nb, n = to - from;
		double mean = 0, x;

		for (r = from; r < to; r++)
			mean += noise_raw(sd, r, cnt[r]);
		mean /= (double)n;
		for (r = from; r < to; r++) {
			x = noise_raw(sd, r, cnt[r]) - mean;
			sc->ss += x * x;
			/* Binomial, or Poisson; a run's part of n - 1. */
			/* in samples: a view in ns has grain ns a sample */
			sc->samp +=
				(sd->norm == DIFF_NORM_SHARE
					 ? mean * (1 - mean) / (double)sd->n[r]
					 : mean) *
				sd->grain * (double)(n - 1) / (double)n;
		}
		sc->size2 += (double)(n - 1) * mean * mean;
	}
	return sc->size2 > 0;
}

/* How many functions the count test can test. */
static size_t
noise_tested(struct diff_result *r, struct diff_counts *c,
	     const struct diff_sides *sd, const bool *cand,
	     const struct diff_noise *nz)
{
	size_t f, k = 0;

	for (f = 0; f < c->nfns; f++) {
		struct diff_measure m = r->fns[f].self;

		if (!cand[f])
			continue;
		diff_count_test(sd, nz, r->opts.alpha, &m);
		k += m.tested;
	}
	return k;
}

/* The median z^2 of the tested functions' self time with run-to-run
 * noise tau2; 0 when fewer than three can be tested. */
static double
noise_median_z2(struct diff_result *r, struct diff_counts *c,
		const struct diff_sides *sd, const bool *cand,
		const struct diff_noise *base, double tau2)
{
	double *v = xcalloc(c->nfns ? c->nfns : 1, sizeof(*v)), med = 0;
	struct diff_noise nz = *base;
	size_t f, k = 0;

	nz.tau2 = tau2;
	for (f = 0; f < c->nfns; f++) {
		struct diff_measure m = r->fns[f].self;

		if (!cand[f])
			continue;
		diff_count_test(sd, &nz, r->opts.alpha, &m);
		if (m.tested)
			v[k++] = m.z * m.z;
	}
	if (k >= 3)
		med = stat_median(v, k);
	free(v);
	return med;
}

/* The functions' scatter, for the fit: one entry per function. */
struct noise_fit {
	struct noise_scatter *sc;
	double *w;    /* size: both sides' values */
	bool *kernel; /* a kernel function */
	double *v;    /* scratch: ratios */
	double *vw;   /* scratch: their weights */
	size_t n;
	double target; /* the median of a chi-square over its df, / df */
};

/* The ratio of a function's scatter to the model's (phi, tau2). */
static double
noise_ratio(const struct noise_scatter *sc, double phi, double tau2)
{
	double e = phi * sc->samp + tau2 * sc->size2;

	return e > 0 ? sc->ss / e : 0;
}

/* The size-weighted median ratio of a group's functions (group -1: all;
 * 0: not the kernel's; 1: the kernel's); -1 when the group is empty. */
static double
noise_group_median(struct noise_fit *ft, int group, double phi, double tau2)
{
	size_t i, k = 0;

	for (i = 0; i < ft->n; i++) {
		if (group >= 0 && ft->kernel[i] != (group == 1))
			continue;
		ft->v[k] = noise_ratio(&ft->sc[i], phi, tau2);
		ft->vw[k++] = ft->w[i];
	}
	return k ? stat_weighted_median(ft->v, ft->vw, k) : -1;
}

/*
 * A group's tau2 given phi: the tau2 at which the size-weighted median
 * of its functions' ratios is a chi-square's median (by bisection: the
 * median falls as tau2 grows); 0 when phi's sampling already explains it.
 */
static double
noise_group_tau2(struct noise_fit *ft, int group, double phi)
{
	double lo = 0, hi = 1, m = noise_group_median(ft, group, phi, 0);
	int it;

	if (m <= ft->target)
		return 0;
	while (noise_group_median(ft, group, phi, hi) > ft->target && hi < 1e4)
		hi *= 4;
	for (it = 0; it < 50; it++) {
		double mid = (lo + hi) / 2;

		if (noise_group_median(ft, group, phi, mid) > ft->target)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* How far every function's scatter is from the model: the sum of the
 * absolute log ratios to the chi-square's median. */
static double
noise_misfit(const struct noise_fit *ft, double phi, const double *tau2)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < ft->n; i++) {
		double x = noise_ratio(&ft->sc[i], phi, tau2[ft->kernel[i]]);

		sum += fabs(log(fmax(x, 1e-12) / ft->target));
	}
	return sum;
}

/*
 * The prior's degrees of freedom d0, as limma estimates them: under the
 * model with d0, a function's ratio of its scatter to the model's is
 * F-distributed with (df, d0) degrees of freedom, and the variance of its
 * log is trigamma(df / 2) + trigamma(d0 / 2). So d0 follows from the
 * ratios' sample variance of logs, within the bounds above.
 */
static double
noise_prior_df(const struct noise_fit *ft, double phi, const double *tau2,
	       double df)
{
	double sum = 0, sum2 = 0, var, excess, lo, hi, mid;
	size_t i, k = 0;
	int it;

	for (i = 0; i < ft->n; i++) {
		double x = noise_ratio(&ft->sc[i], phi, tau2[ft->kernel[i]]);

		if (!(x > 0))
			continue;
		sum += log(x);
		sum2 += log(x) * log(x);
		k++;
	}
	if (k < PRIOR_MIN_FUNCTIONS)
		return PRIOR_DF_MIN;
	var = (sum2 - sum * sum / (double)k) / (double)(k - 1);
	excess = var - stat_trigamma(df / 2);
	if (excess >= stat_trigamma(PRIOR_DF_MIN / 2))
		return PRIOR_DF_MIN;
	if (excess <= stat_trigamma(PRIOR_DF_MAX / 2))
		return PRIOR_DF_MAX;
	lo = PRIOR_DF_MIN;
	hi = PRIOR_DF_MAX;
	for (it = 0; it < 40; it++) {
		mid = (lo + hi) / 2;
		if (stat_trigamma(mid / 2) > excess)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/*
 * Several runs a side: phi (what of the binomial or Poisson sampling
 * noise the runs really show: cpu-clock samples are evenly spaced in CPU
 * time, not random, so a function that runs in long stretches scatters
 * far less) and tau2 per group (the kernel's functions and the rest),
 * from the functions' scatter of runs within each side. For each phi of
 * a grid, each group's tau2 puts its size-weighted median ratio at a
 * chi-square's median; the phi kept fits all functions best (least
 * absolute log ratios: robust to the few whose runs swing). Medians, not
 * means: a thread's start-up, the scheduler or the kernel's page faults
 * swing by more than 100% between runs and would otherwise set the noise
 * of every function; they are judged by their own scatter in the test.
 */
static void
noise_fit_runs(struct diff_result *r, const struct diff_counts *c,
	       const struct diff_sides *sd, const bool *cand,
	       struct diff_noise *nz)
{
	size_t nf = c->nfns ? c->nfns : 1, f, nk = 0;
	struct noise_fit ft;
	double df = (double)(sd->nb + sd->np - 2), best = INFINITY, phi;
	double tau2[2];

	ft.sc = xcalloc(nf, sizeof(*ft.sc));
	ft.w = xcalloc(nf, sizeof(*ft.w));
	ft.kernel = xcalloc(nf, sizeof(*ft.kernel));
	ft.v = xcalloc(nf, sizeof(*ft.v));
	ft.vw = xcalloc(nf, sizeof(*ft.vw));
	ft.n = 0;
	ft.target = stat_chi2_median(df) / df;
	for (f = 0; f < c->nfns; f++) {
		if (!cand[f] || !noise_scatter(sd, c->self[f], &ft.sc[ft.n]))
			continue;
		ft.w[ft.n] = r->fns[f].self.base_v + r->fns[f].self.pr_v;
		ft.kernel[ft.n] = r->fns[f].kind == FRAME_KERNEL;
		nk += ft.kernel[ft.n];
		ft.n++;
	}
	nz->phi = 1;
	nz->tau2 = nz->tau2_kernel = 0;
	for (phi = PHI_MIN; ft.n && phi <= 1.0001; phi *= PHI_STEP) {
		double all = noise_group_tau2(&ft, -1, phi), m;

		/* Two populations when each has functions enough to say. */
		tau2[0] = ft.n - nk >= GROUP_MIN_FUNCTIONS
				  ? noise_group_tau2(&ft, 0, phi)
				  : all;
		tau2[1] = nk >= GROUP_MIN_FUNCTIONS
				  ? noise_group_tau2(&ft, 1, phi)
				  : all;
		m = noise_misfit(&ft, phi, tau2);
		if (m < best - 1e-9) {
			best = m;
			nz->phi = phi;
			nz->tau2 = tau2[0];
			nz->tau2_kernel = tau2[1];
		}
	}
	tau2[0] = nz->tau2;
	tau2[1] = nz->tau2_kernel;
	nz->prior_df = noise_prior_df(&ft, nz->phi, tau2, df);
	r->prior_df = nz->prior_df;
	r->dispersion = sqrt(nz->tau2);
	r->dispersion_kernel =
		nk >= GROUP_MIN_FUNCTIONS ? sqrt(nz->tau2_kernel) : NAN;
	r->sampling_dispersion = nz->phi;
	r->dispersion_from = "runs";
	free(ft.sc);
	free(ft.w);
	free(ft.kernel);
	free(ft.v);
	free(ft.vw);
}

/*
 * The noise for the tests. Several runs a side: phi and tau2 from the
 * functions' scatter of runs (noise_fit_runs). One run a side: tau2 from
 * the median squared z of all tested functions, most of which did not
 * change.
 */
void
diff_estimate_noise(struct diff_result *r, struct diff_counts *c,
		    const struct diff_sides *sd, const bool *cand,
		    struct diff_noise *nz)
{
	nz->tau2 = 0;
	nz->tau2_kernel = -1; /* one run a side: the same for every kind */
	nz->phi = 1;
	nz->prior_df = PRIOR_DF_MIN;
	r->prior_df = NAN; /* no runs' scatter to weigh */
	r->dispersion_kernel = NAN;
	if (sd->nb >= 2 && sd->np >= 2) {
		noise_fit_runs(r, c, sd, cand, nz);
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
	/*
	 * A median over a handful of functions is itself noisy, and often
	 * says "no run-to-run noise" when there is some: one run a side is
	 * never trusted to be quieter than SINGLE_RUN_MIN_CV.
	 */
	if (nz->tau2 < SINGLE_RUN_MIN_CV * SINGLE_RUN_MIN_CV)
		nz->tau2 = SINGLE_RUN_MIN_CV * SINGLE_RUN_MIN_CV;
	nz->tau2_kernel = nz->tau2;
	r->dispersion = sqrt(nz->tau2);
	r->dispersion_from = "functions";
}
