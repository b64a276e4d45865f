/* SPDX-License-Identifier: MIT */
/*
 * diff/diff.h - compares a baseline and a PR (each one or several runs):
 * lines functions up across builds by name and module, measures each one's
 * self and total time on both sides, tests whether the change is more than
 * sampling and run-to-run noise (false-discovery rate controlled across all
 * functions tested), attributes growth to the call paths that caused it,
 * and gives a verdict. docs/DIFF.md specifies the method.
 *
 * Ownership: diff_compute() returns a result the caller frees with
 * diff_result_free(). Strings in a result are owned by it. The profiles
 * passed in must outlive the result only where a function says so.
 */
#ifndef SCORCH_DIFF_H
#define SCORCH_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct profile;
struct scorch_err;
struct diff_keyset;

enum diff_norm {
	DIFF_NORM_SHARE, /* share of all samples of a run */
	DIFF_NORM_NONE,	 /* absolute: CPU ms per run (samples without a
			    known period), for fixed-work benchmarks */
	DIFF_NORM_AUTO,	 /* the default: NONE when every run of both sides
			    recorded a whole command (metadata "extent":
			    "whole"), SHARE otherwise; the result says
			    which (opts.normalize) and why */
};

struct diff_opts {
	enum diff_norm normalize;
	double alpha;	      /* false-discovery rate, default 0.001 */
	double min_delta;     /* practical threshold: share points, or with
			      DIFF_NORM_NONE percent of the baseline's total;
			      default 0.5 */
	double min_share;     /* functions are tested when their self or total
			      share (both sides pooled) reaches this many
			      percent; default 0.2 */
	uint64_t min_samples; /* fewer per side: inconclusive; default 500 */
};

void diff_opts_init(struct diff_opts *o);

enum diff_verdict {
	DIFF_NO_REGRESSION,
	DIFF_REGRESSION,
	DIFF_INCONCLUSIVE,
};

/* One side of one measure of a function, both sides' runs pooled. */
struct diff_measure {
	uint64_t base, pr; /* samples, summed over the runs */
	double base_v,
		pr_v;	/* normalized: percent, or CPU ms (samples) per run */
	double delta;	/* pr_v - base_v */
	double rel;	/* delta / base_v; +inf when base_v is 0 */
	double z, p, q; /* the count test; q after BH; 1 if untested */
	double lo, hi;	/* confidence interval of delta (1 - alpha) */
	bool tested;
	/* Runs as the unit: Mann-Whitney U and Hodges-Lehmann (>= 2 runs a
	 * side; mw_p 1 and NAN shift otherwise). */
	double mw_p, hl, hl_lo, hl_hi;
	/* The model's variance of one run's value, baseline and PR (value
	 * units, squared), and the degrees of freedom the test adds to the
	 * runs' (-1: a z-test): for the runs a change would need. */
	double run_var[2];
	double df_extra;
};

/*
 * How strong the evidence of a function's change is (docs/DIFF.md, "Two
 * tiers"): a finding (q <= alpha and the practical threshold: the only
 * tier --fail-on-regression fails on), a possible change (weaker
 * evidence, listed after the findings with the runs that would decide
 * it), or nothing to say.
 */
enum diff_tier {
	DIFF_TIER_NONE,
	DIFF_TIER_FINDING,
	DIFF_TIER_POSSIBLE,
};

/* A function's findings. */
struct diff_fn {
	char *key;    /* the alignment key (diff/align.c) */
	char *name;   /* as shown (compiler clone suffixes removed) */
	char *module; /* as the PR (else the baseline) names it */
	int kind;     /* enum frame_kind */
	struct diff_measure self, total;
	bool significant;    /* self: q <= alpha and |delta| >= min_delta */
	enum diff_tier tier; /* DIFF_TIER_FINDING exactly when significant */
	/* DIFF_TIER_POSSIBLE: runs a side that would confirm or clear a
	 * change of this size under the noise measured; 0 otherwise */
	double runs_needed;
	/* Where its self time ran inlined (docs/DIFF.md, "Self time"): the
	 * function it was inlined into that holds most of its inlined self
	 * samples, both sides' runs pooled, and the share of its self samples
	 * that ran inlined (0..1); NULL and 0 for a function never inlined */
	char *inlined_into;
	double inlined_share;
	bool is_new;	 /* no samples in the baseline at all */
	bool is_gone;	 /* no samples in the PR at all */
	double explains; /* share of the total regression (or improvement)
			     this function's self delta accounts for, 0..1 */
	/* The call path that carries most of the self change, root first
	 * (process frame excluded), and how much of it: set for findings. */
	char **path;
	size_t npath;
	double path_share; /* 0..1 of the self delta */
	bool callee_only;  /* in another module (a library) than the program:
			      the caller's path is what changed */
	/* callee_only with a path: the index in fns of the program's function
	 * on that path that calls it (the innermost), SIZE_MAX if none. */
	size_t caller;
	/* The caller's own self time fell too (a finding by both the tested
	 * and the PR's own values): this entry says both, and the caller is
	 * not listed as an improvement of its own (docs/DIFF.md). */
	bool caller_fell;
};

struct diff_result {
	enum diff_verdict verdict;
	char *why;			   /* the reason, one line */
	size_t nbase, npr;		   /* runs a side */
	uint64_t base_samples, pr_samples; /* summed over runs */
	/* What one sample stands for in those counts: 1, or in a view in
	 * ns (wall, off-CPU) the period; base_samples / grain is then how
	 * many samples the time is worth (min_samples counts those). */
	double grain;
	double base_total_v, pr_total_v;   /* DIFF_NORM_NONE: per-run totals */
	double pr_scale;   /* the PR's shares were divided by this, so that
			    unchanged functions compare equal (share mode) */
	double dispersion; /* run-to-run noise (runs), or the sampling noise
			      factor (one run a side) */
	const char *dispersion_from; /* "runs" or "functions" */
	/* Several runs a side: the kernel functions' own run-to-run noise
	 * (dispersion is then the program's and its libraries'); NAN when
	 * no kernel function was tested or with one run a side. */
	double dispersion_kernel;
	/* Several runs a side: the share of binomial (Poisson) sampling
	 * noise the runs show (below 1: cpu-clock samples are evenly spaced
	 * in CPU time); 1 with one run a side. */
	double sampling_dispersion;
	/* Several runs a side: the model's weight against each function's
	 * own scatter, in degrees of freedom (4 to 16, from how the
	 * functions' scatter spreads); NAN with one run a side. */
	double prior_df;
	const char *unit; /* "pts" (share points), "ms", "samples" */
	/* what the runs' counts are: NULL or "samples", or "ns" (a view of
	 * off-CPU or wall time: --value); set by the caller */
	const char *count_name;
	/* The options used: opts.normalize is SHARE or NONE, AUTO resolved */
	struct diff_opts opts;
	bool normalize_auto;	   /* opts.normalize was chosen by AUTO */
	const char *normalize_why; /* why that normalization, one phrase */
	struct diff_fn *fns; /* every function seen, in no particular order */
	size_t nfns;
	/* Indexes into fns: the findings most responsible first, then the
	 * possible ones (DIFF_TIER_POSSIBLE), largest first. A function is in
	 * at most one of the two lists. */
	size_t *regressions, nregressions;
	size_t *improvements, nimprovements;
	size_t nregression_findings;  /* regressions[0..n): the findings */
	size_t nimprovement_findings; /* improvements[0..n): the findings */
	size_t *added, nadded;	      /* new in PR (with any samples) */
	size_t *removed, nremoved;    /* gone from PR */
	double regression_total;      /* sum of the findings' self deltas */
	double min_change; /* the practical threshold, in unit (min_delta
			      points, or min_delta % of the baseline's total) */
	struct diff_keyset *findings; /* align keys of the findings (private) */
};

/*
 * Compare base[0..nbase) with pr[0..npr). Returns NULL with err filled only
 * when there is nothing to compare (a side with no runs).
 */
struct diff_result *diff_compute(struct profile *const *base, size_t nbase,
				 struct profile *const *pr, size_t npr,
				 const struct diff_opts *o,
				 struct scorch_err *err);
void diff_result_free(struct diff_result *r);

/*
 * The other side of a flame graph, for render's differential seam: one
 * side's samples by call path (process frame skipped, frames lined up by
 * align key). diff_paths_new() indexes profiles[0..n) (pooled).
 */
struct diff_paths;

struct diff_paths *diff_paths_new(struct profile *const *profiles, size_t n);
void diff_paths_free(struct diff_paths *dp);
uint64_t diff_paths_total(const struct diff_paths *dp);
/* Samples under the path of frame ids frames[0..depth) of profile p;
 * frames[0..same) are those of the previous lookup (render's annotate
 * hint), whose prefix keys are reused: a lookup hashes only the rest. */
uint64_t diff_paths_lookup(struct diff_paths *dp, const struct profile *p,
			   const uint32_t *frames, uint32_t depth,
			   uint32_t same);
/* The tier of a frame of p among r's lists (regressions and
 * improvements, both tiers), and its function in *fn (NULL for none). */
enum diff_tier diff_frame_tier(const struct diff_result *r,
			       const struct profile *p, uint32_t frame,
			       const struct diff_fn **fn);

/* findings.c: the numbers a report shows (docs/DIFF.md, "The numbers"). */
/* Whether fn is a finding (the only tier the verdict counts). */
bool diff_fn_is_finding(const struct diff_fn *fn);
/* The PR's own value of m (its own share, not rescaled; or ms). */
double diff_pr_own(const struct diff_result *r, const struct diff_measure *m);
/* Whether the PR's values were rescaled before they were compared (share
 * mode with a scale other than 1): a delta is then not PR own - base. */
bool diff_rescaled(const struct diff_result *r);

/* The verdict's name: "no-regression", "regression", "inconclusive".
 * (render/diffreport.c presents a result.) */
const char *diff_verdict_name(enum diff_verdict v);

#endif
