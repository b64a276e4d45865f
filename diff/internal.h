/* SPDX-License-Identifier: MIT */
/* diff/internal.h - declarations shared by the files of diff/ only. */
#ifndef SCORCH_DIFF_INTERNAL_H
#define SCORCH_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"
#include "diff.h"

struct profile;
struct stack;

/* stats.c */
/* P(Z > z) for a standard normal Z. */
double stat_norm_sf(double z);
/* The standard normal quantile: P(Z < x) = p. */
double stat_norm_quantile(double p);
/*
 * Two-sided Mann-Whitney U test of y against x: the p-value, and in *u the
 * U statistic of y over x (pairs where y is larger, ties counting half).
 * Exact (all splits of the pooled values enumerated, ties included) when
 * there are at most 200000 splits, else the normal approximation with the
 * tie correction. 1 when either side is empty.
 */
double stat_mann_whitney(const double *x, size_t n, const double *y, size_t m,
			 double *u);
/*
 * The Hodges-Lehmann shift of y over x (median of all y - x) and Moses'
 * distribution-free interval at confidence conf. Returns 0; 1 when there
 * are too few values for an interval (then lo, hi are -inf, +inf); -1 when
 * either side is empty.
 */
int stat_hodges_lehmann(const double *x, size_t n, const double *y, size_t m,
			double conf, double *shift, double *lo, double *hi);
/* P(T > t) for Student's t with df degrees of freedom; the normal when
 * df <= 0. */
double stat_t_sf(double t, double df);
/* The quantile: P(T < x) = p. */
double stat_t_quantile(double p, double df);
/* Benjamini-Hochberg q-values of p[0..n) into q[0..n). */
void stat_bh_qvalues(const double *p, size_t n, double *q);
/* The median of v[0..n) (v is sorted in place); 0 when empty. */
double stat_median(double *v, size_t n);
/* The median of v[0..n) weighted by w[0..n): the first value, in order,
 * where the weights' running sum reaches half; 0 when empty. */
double stat_weighted_median(const double *v, const double *w, size_t n);
/* The median of a chi-square with df degrees of freedom (approximate). */
double stat_chi2_median(double df);
/* The trigamma function, x > 0 (NAN otherwise). */
double stat_trigamma(double x);

/* align.c */
/*
 * The key that lines a frame up across builds: its name without the
 * suffixes compilers add to copies of a function (.constprop.N, .isra.N,
 * .part.N, .cold, .lto_priv.N), its module (the program's own executable
 * as "<exe>", whatever it was called), and its kind (an inlined copy's
 * that of the function: FRAME_USER). Returns a string the caller frees.
 */
char *align_key(const char *name, const char *module, int kind,
		const char *exe);
/* The name without those suffixes (caller frees). */
char *align_name(const char *name);
/* The module most of a profile's "main" samples come from, or "" (borrowed
 * from the profile). */
const char *align_exe(const struct profile *p);

/* paths.c: the listed functions' keys, for diff_frame_tier(). */
void diff_keyset_add(struct diff_result *r, size_t f);
void diff_keyset_free(struct diff_keyset *ks);

/*
 * The pipeline of diff_compute() (diff.c): count.c counts, model.c
 * measures and tests, findings.c lists, attributes and judges.
 */

/* count.c: every function of every run, counted by profile/aggregate.c. */
/* Where a function's self time ran inlined. */
struct diff_count_into {
	size_t *fns;	  /* the functions it ran in */
	uint64_t *counts; /* per fns[i]: its self samples there */
	size_t n;
	uint64_t inlined; /* self samples in inlined copies, all runs */
};

struct diff_counts {
	struct intmap index; /* hash(key) -> fn index + 1 (probing) */
	char **keys;
	struct diff_fn *fns;
	size_t nfns, cap;
	size_t nruns;	       /* base runs first, then PR runs */
	uint64_t **self;       /* [fn][run] */
	uint64_t **total;      /* [fn][run] */
	uint64_t *run_n;       /* samples per run */
	double *run_period_ms; /* per run, 0 when unknown */
	/* per run: counts one sample stands for (1; a view in ns: the
	 * period), so the sampling noise of ns is a sample's (model.c) */
	double *run_grain;
	size_t **frame_maps; /* per run: its frames' function indexes */
	/* per fn: where its self time ran inlined */
	struct diff_count_into *into;
};

/* model.c: the two sides' runs, as the tests see them. */
struct diff_sides {
	size_t nb, np;
	const uint64_t *n; /* samples per run, base runs first */
	const double *period_ms;
	enum diff_norm norm;
	/* Counts one sample stands for, the runs' mean: 1 for samples, the
	 * period for a view in ns (off-CPU time is measured, not sampled,
	 * and its sampling term is then a sample's: an upper bound). */
	double grain;
	bool ms;      /* DIFF_NORM_NONE with every run's period known */
	double scale; /* the PR's shares are divided by this (share mode) */
	/* Share mode, several runs a side: each run's shares are divided by
	 * this too (its scale within its side, mean 1 a side); or NULL. */
	double *run_scale;
};

/*
 * The noise model. A count's per-run value varies by sampling (binomial
 * for a share, Poisson for a count) plus run-to-run noise proportional to
 * its size (the machine, the scheduler, caches: var = tau2 * value^2).
 * With several runs a side, tau2 is estimated from the runs; with one run
 * a side it cannot be, and the sampling variance is scaled by phi, the
 * spread of all functions' statistics instead (an empirical null).
 */
struct diff_noise {
	double tau2;	    /* squared coefficient of run-to-run variation */
	double tau2_kernel; /* the same for kernel functions (several runs a
			       side: the kernel's own, often far noisier) */
	double phi;	    /* sampling variance scale (one run a side) */
	/* The model's weight against a function's own scatter of runs, in
	 * degrees of freedom (several runs a side; noise.c) */
	double prior_df;
};

/* count.c */
void diff_counts_init(struct diff_counts *c, size_t nruns);
/* Count run number run (profile p) into c. */
void diff_counts_run(struct diff_counts *c, const struct profile *p, size_t run,
		     bool is_pr);
/*
 * The frame a sample's self time belongs to, as aggregate_stack_leaf()
 * says (the leaf, inlined or not, unless it is the process frame).
 * st->depth when there is none. map: the run's frame_maps entry (unused).
 */
uint32_t diff_counts_leaf(const struct profile *p, const struct stack *st,
			  const size_t *map);
void diff_counts_fini(struct diff_counts *c);

/* model.c */
/* Resolves DIFF_NORM_AUTO in r->opts from the runs' metadata ("extent")
 * and their CPU time (runs[0..nb) the baseline's), and says why in
 * r->normalize_why. */
void diff_model_normalize(struct diff_result *r, struct profile *const *runs,
			  size_t nb, size_t n);
/* Sides from the counts; sets r's sample totals, unit and per-run totals. */
void diff_sides_init(struct diff_sides *sd, struct diff_result *r,
		     const struct diff_counts *c);
void diff_sides_fini(struct diff_sides *sd);
/* A run's value of a count: percent of the run, or ms / samples. */
double diff_run_value(const struct diff_sides *sd, size_t r, uint64_t count);
/* Pooled values of both sides (percent, or mean per run) into m. */
void diff_pooled(const struct diff_sides *sd, const uint64_t *cnt,
		 struct diff_measure *m);
/* Every function's pooled values, which are candidates to test (cand[]),
 * and the sides' overlap by function (0..1). */
double diff_model_measure(struct diff_result *r, const struct diff_counts *c,
			  const struct diff_sides *sd, bool *cand);
/* The PR's share scale (share mode: sd->scale, r->pr_scale) and the
 * values measured again with it. */
void diff_model_rescale(struct diff_result *r, const struct diff_counts *c,
			struct diff_sides *sd, const bool *cand);
double diff_scale(const struct diff_result *r, const struct diff_sides *sd,
		  const bool *cand);
/* noise.c */
void diff_estimate_noise(struct diff_result *r, struct diff_counts *c,
			 const struct diff_sides *sd, const bool *cand,
			 struct diff_noise *nz);
/* The tests of one measure (docs/DIFF.md, "The test"). */
void diff_count_test(const struct diff_sides *sd, const struct diff_noise *nz,
		     double alpha, struct diff_measure *m);
void diff_runs_t_test(const struct diff_sides *sd, const uint64_t *cnt,
		      const struct diff_noise *nz, double alpha,
		      struct diff_measure *m);
void diff_runs_test(const struct diff_sides *sd, const uint64_t *cnt,
		    double alpha, struct diff_measure *m);
/* Test every candidate, q-values, significance; *min_v the practical
 * threshold in the measure's unit. Returns how many were tested. */
size_t diff_model_test(struct diff_result *r, const struct diff_counts *c,
		       const struct diff_sides *sd, const bool *cand,
		       const struct diff_noise *nz, double *min_v);

/* tiers.c: each tested function's tier (a finding, when significant; a
 * possible change, with the runs a side that would decide it), given the
 * practical threshold, how many were tested and how many are findings. */
void diff_model_tiers(struct diff_result *r, double min_v, size_t ntested,
		      size_t nfind);

/* findings.c */
/* The lists of r (regressions, improvements, added, removed), sorted,
 * with each finding's share of the change; exe: the PR's program. */
void diff_findings_lists(struct diff_result *r, const bool *cand,
			 const char *exe);
/* Each listed change's call path (runs: base runs first, as counted);
 * then a library callee's caller is folded into its entry. */
void diff_findings_paths(struct diff_result *r, struct diff_counts *c,
			 struct profile *const *runs,
			 const struct diff_sides *sd);
void diff_findings_verdict(struct diff_result *r, double overlap, double min_v,
			   size_t ntested);

#endif
