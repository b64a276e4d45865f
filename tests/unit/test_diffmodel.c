/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_diffmodel.c - diff's model (diff/model.c, diff/tiers.c)
 * on synthetic runs where each function has its own run-to-run noise, as
 * real profiles do: the default normalization follows the recordings'
 * metadata; a threaded program whose start-up and kernel functions swing
 * between runs is judged by its quiet workers; a small function that grew
 * 20x beside noisy kernel functions is strong evidence; A/A comparisons of
 * that noisy workload flag nothing; a small change seen with weak evidence
 * is a possible regression with the runs a side that would decide it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "diff/internal.h"
#include "profile/profile.h"

static uint64_t rng_state;

static double
rng_uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

/* A standard normal draw (Box-Muller). */
static double
rng_normal(void)
{
	return sqrt(-2 * log(rng_uniform())) * cos(2 * M_PI * rng_uniform());
}

/*
 * A function of a synthetic program: its leaf frame under a caller, its
 * module and kind, its cost (samples per run at the baseline), and its
 * own run-to-run noise (a coefficient of variation).
 */
struct fn_spec {
	const char *caller, *name, *module;
	int kind;
	double cost, cv;
};

/*
 * One run: each function's cost jittered by its own noise (clipped at
 * zero), scaled by factor[i] (the PR's change; NULL for none), then the
 * run's samples drawn. Fixed work: the sample count follows the costs;
 * otherwise (a window of time) it is n_window whatever the costs.
 */
static struct profile *
run_make(const struct fn_spec *fs, size_t nfs, const double *factor, bool fixed,
	 size_t n_window)
{
	struct profile *p = profile_new();
	double *c = calloc(nfs, sizeof(*c)), sum = 0;
	uint64_t *k = calloc(nfs, sizeof(*k));
	size_t i, s, n;

	for (i = 0; i < nfs; i++) {
		c[i] = fs[i].cost * (factor ? factor[i] : 1) *
		       (1 + fs[i].cv * rng_normal());
		if (c[i] < 0)
			c[i] = 0;
		sum += c[i];
	}
	n = fixed ? (size_t)(sum + 0.5) : n_window;
	for (s = 0; s < n; s++) {
		double x = rng_uniform() * sum;

		for (i = 0; i < nfs - 1 && x >= c[i]; i++)
			x -= c[i];
		k[i]++;
	}
	for (i = 0; i < nfs; i++) {
		uint32_t fr[4];

		if (!k[i])
			continue;
		fr[0] = profile_intern_frame(p, "prog", "", FRAME_PROCESS);
		fr[1] = profile_intern_frame(p, fs[i].caller, "prog",
					     FRAME_USER);
		fr[2] = profile_intern_frame(p, fs[i].name, fs[i].module,
					     fs[i].kind);
		profile_add_stack(p, TASK_NONE, fr, 3, k[i]);
	}
	profile_meta_set_int(p, "period_ns", 1001001);
	profile_meta_set_str(p, "extent", fixed ? "whole" : "window");
	free(c);
	free(k);
	return p;
}

struct sides {
	struct profile *b[8], *p[8];
	size_t n;
};

static void
sides_make(struct sides *s, size_t n, const struct fn_spec *fs, size_t nfs,
	   const double *factor, bool fixed, size_t n_window)
{
	size_t i;

	s->n = n;
	/* Interleaved, as scripts/profile-diff.sh records them. */
	for (i = 0; i < n; i++) {
		s->b[i] = run_make(fs, nfs, NULL, fixed, n_window);
		s->p[i] = run_make(fs, nfs, factor, fixed, n_window);
	}
}

static void
sides_free(struct sides *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		profile_free(s->b[i]);
		profile_free(s->p[i]);
	}
}

static struct diff_result *
sides_diff(const struct sides *s, enum diff_norm norm)
{
	struct diff_opts o;
	struct scorch_err err;
	struct diff_result *r;

	diff_opts_init(&o);
	o.normalize = norm;
	r = diff_compute(s->b, s->n, s->p, s->n, &o, &err);
	assert_non_null(r);
	return r;
}

static const struct diff_fn *
fn_named(const struct diff_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfns; i++)
		if (!strcmp(r->fns[i].name, name))
			return &r->fns[i];
	fail_msg("no function %s", name);
	return NULL;
}

static size_t
findings_other_than(const struct diff_result *r, const char *name)
{
	size_t i, k = 0;

	for (i = 0; i < r->nfns; i++)
		k += r->fns[i].significant &&
		     (!name || strcmp(r->fns[i].name, name));
	return k;
}

/*
 * A program with four named worker threads on two CPUs, recorded from
 * start to exit: each worker function about 530 samples a run, quiet
 * (2%); beside them the thread start-up, the scheduler and the kernel's
 * page clearing, whose runs swing by 60-150% (a thread created on a busy
 * CPU, a stack's pages faulted in or not).
 */
static const struct fn_spec threaded[] = {
	{ "start_thread", "parse_worker", "prog", FRAME_USER, 530, 0.02 },
	{ "start_thread", "hash_worker", "prog", FRAME_USER, 530, 0.02 },
	{ "start_thread", "sort_worker", "prog", FRAME_USER, 530, 0.02 },
	{ "start_thread", "pack_worker", "prog", FRAME_USER, 530, 0.02 },
	{ "clone3", "clear_page_erms", "[kernel]", FRAME_KERNEL, 40, 1.5 },
	{ "clone3", "__schedule", "[kernel]", FRAME_KERNEL, 30, 1.2 },
	{ "main", "pthread_create", "libc.so.6", FRAME_USER, 20, 1.0 },
	{ "main", "_dl_relocate_object", "ld.so", FRAME_USER, 12, 0.6 },
};
#define NTHREADED (sizeof(threaded) / sizeof(threaded[0]))

/* One worker function 40% slower (530 -> ~740 samples a run). */
static void
test_threads_judged_by_quiet_workers(void **state)
{
	double factor[NTHREADED];
	size_t i, seed, found = 0;

	(void)state;
	for (i = 0; i < NTHREADED; i++)
		factor[i] = 1;
	factor[1] = 1.4;
	for (seed = 1; seed <= 20; seed++) {
		struct sides s;
		struct diff_result *r;
		const struct diff_fn *fn;

		rng_state = 0x2545f4914f6cdd1dULL * seed;
		sides_make(&s, 3, threaded, NTHREADED, factor, true, 0);
		r = sides_diff(&s, DIFF_NORM_AUTO);
		/* Fixed work, from the metadata: absolute time. */
		assert_int_equal(r->opts.normalize, DIFF_NORM_NONE);
		assert_true(r->normalize_auto);
		/* The noise is the workers' few percent, not the swings. */
		if (r->dispersion > 0.15)
			fail_msg("seed %zu: run-to-run noise %.1f%%", seed,
				 100 * r->dispersion);
		fn = fn_named(r, "hash_worker");
		found += fn->significant;
		/* At worst a possible regression (3 runs: the noise itself
		 * is estimated from 4 functions' 4 degrees of freedom). */
		assert_int_not_equal(fn->tier, DIFF_TIER_NONE);
		assert_int_equal(r->verdict == DIFF_REGRESSION,
				 fn->significant);
		assert_int_equal(fn->tier, fn->significant ? DIFF_TIER_FINDING
							   : fn->tier);
		assert_int_equal(findings_other_than(r, "hash_worker"), 0);
		diff_result_free(r);
		sides_free(&s);
	}
	/* Unmistakable: found in (nearly) every one of the 20. */
	if (found < 18)
		fail_msg("hash_worker found in %zu of 20", found);
}

/*
 * A program whose hot function holds two thirds of the time (b of the
 * corpus): shares, rescaled. The PR makes it 30% slower, so its share
 * grows by 8% and every other one shrinks by 8%.
 */
static const struct fn_spec dominant[] = {
	{ "main", "crunch", "prog", FRAME_USER, 1300, 0.02 },
	{ "main", "setup", "prog", FRAME_USER, 320, 0.02 },
	{ "main", "finish", "prog", FRAME_USER, 220, 0.02 },
	{ "main", "parse_a", "prog", FRAME_USER, 50, 0.03 },
	{ "main", "parse_b", "prog", FRAME_USER, 45, 0.03 },
};
#define NDOMINANT (sizeof(dominant) / sizeof(dominant[0]))

/* The hot function is the regression, not the scale: were it the
 * weighted median of the share ratios by itself, it would compare equal
 * and setup and finish would be "improvements". */
static void
test_dominant_function_not_the_scale(void **state)
{
	double factor[NDOMINANT] = { 1.3, 1, 1, 1, 1 };
	size_t seed, found = 0;

	(void)state;
	for (seed = 1; seed <= 20; seed++) {
		struct sides s;
		struct diff_result *r;
		const struct diff_fn *fn;

		rng_state = 0x9e3779b97f4a7c15ULL * seed + 3;
		sides_make(&s, 3, dominant, NDOMINANT, factor, true, 0);
		r = sides_diff(&s, DIFF_NORM_SHARE);
		fn = fn_named(r, "crunch");
		if (fn->tier == DIFF_TIER_NONE || fn->self.delta <= 0)
			fail_msg("seed %zu: crunch %+.2f pts, not a change "
				 "(PR scale %.3f)",
				 seed, fn->self.delta, r->pr_scale);
		found += fn->significant;
		/* setup and finish are not improvements */
		if (findings_other_than(r, "crunch"))
			fail_msg("seed %zu: another finding (PR scale %.3f)",
				 seed, r->pr_scale);
		diff_result_free(r);
		sides_free(&s);
	}
	if (found < 18)
		fail_msg("crunch found in %zu of 20", found);
}

/*
 * A busy server attached for a duration: kernel functions are a third of
 * the time and swing by 30-50% between runs; the program's own functions
 * move by 3-8%; a small one is 0.12% of the samples.
 */
static const struct fn_spec server[] = {
	{ "main", "handle_request", "prog", FRAME_USER, 2000, 0.04 },
	{ "main", "parse_http", "prog", FRAME_USER, 1200, 0.05 },
	{ "main", "render_page", "prog", FRAME_USER, 900, 0.05 },
	{ "main", "json_escape", "prog", FRAME_USER, 500, 0.08 },
	{ "main", "memcpy", "libc.so.6", FRAME_USER, 400, 0.06 },
	{ "main", "malloc", "libc.so.6", FRAME_USER, 300, 0.06 },
	{ "main", "check_acl", "prog", FRAME_USER, 9.6, 0.05 },
	{ "main", "tcp_sendmsg", "[kernel]", FRAME_KERNEL, 1200, 0.35 },
	{ "main", "do_syscall_64", "[kernel]", FRAME_KERNEL, 800, 0.45 },
	{ "main", "__schedule", "[kernel]", FRAME_KERNEL, 400, 0.5 },
	{ "main", "copy_user_generic", "[kernel]", FRAME_KERNEL, 300, 0.3 },
};
#define NSERVER (sizeof(server) / sizeof(server[0]))

/* check_acl 20x slower: 0.12% -> 2.4% of the samples. */
static void
test_small_function_grown_20x_is_strong(void **state)
{
	double factor[NSERVER], qs[20];
	size_t i, seed;

	(void)state;
	for (i = 0; i < NSERVER; i++)
		factor[i] = 1;
	factor[6] = 20;
	for (seed = 1; seed <= 20; seed++) {
		struct sides s;
		struct diff_result *r;
		const struct diff_fn *fn;

		rng_state = 0x9e3779b97f4a7c15ULL * seed + 7;
		sides_make(&s, 3, server, NSERVER, factor, false, 8000);
		r = sides_diff(&s, DIFF_NORM_AUTO);
		assert_int_equal(r->opts.normalize, DIFF_NORM_SHARE);
		fn = fn_named(r, "check_acl");
		qs[seed - 1] = fn->self.q;
		if (!fn->significant)
			fail_msg("seed %zu: check_acl q = %g (noise %.1f%%)",
				 seed, fn->self.q, 100 * r->dispersion);
		assert_int_equal(fn->tier, DIFF_TIER_FINDING);
		assert_int_equal(findings_other_than(r, "check_acl"), 0);
		diff_result_free(r);
		sides_free(&s);
	}
	/* Strong, not borderline: the median q far below alpha (one run-to-
	 * run coefficient for every function gave q near 1e-3). */
	if (stat_median(qs, 20) > 1e-5)
		fail_msg("median q %g", stat_median(qs, 20));
}

/* A/A: 100 comparisons each of the server (shares) and of the threaded
 * program (absolute time), 3 runs a side: no finding at all, and few
 * possible changes (q <= 0.05 allows about 5% of comparisons one). */
static void
test_aa_noisy_workloads_silent(void **state)
{
	size_t seed, possible = 0, n = 0;

	(void)state;
	for (seed = 1; seed <= 100; seed++) {
		struct sides s;
		struct diff_result *r;
		size_t w, i;

		for (w = 0; w < 2; w++) {
			rng_state = 0xd1b54a32d192ed03ULL * seed + w;
			if (w)
				sides_make(&s, 3, threaded, NTHREADED, NULL,
					   true, 0);
			else
				sides_make(&s, 3, server, NSERVER, NULL, false,
					   8000);
			r = sides_diff(&s, DIFF_NORM_AUTO);
			if (findings_other_than(r, NULL))
				fail_msg("A/A seed %zu (%s): a finding", seed,
					 w ? "threads" : "server");
			assert_int_equal(r->verdict, DIFF_NO_REGRESSION);
			for (i = 0; i < r->nfns; i++)
				possible +=
					r->fns[i].tier == DIFF_TIER_POSSIBLE;
			n++;
			diff_result_free(r);
			sides_free(&s);
		}
	}
	if (possible > n / 5)
		fail_msg("%zu possible changes in %zu A/A comparisons",
			 possible, n);
}

/*
 * A leaf 20% slower at ~9% of the time, 3 runs a side of fixed work:
 * weak evidence, not a finding; a possible regression that says how many
 * runs a side would decide it, more than were recorded.
 */
static const struct fn_spec leafy[] = {
	{ "main", "big_a", "prog", FRAME_USER, 1500, 0.03 },
	{ "main", "big_b", "prog", FRAME_USER, 1000, 0.03 },
	{ "main", "mid_c", "prog", FRAME_USER, 600, 0.03 },
	{ "main", "small_leaf", "prog", FRAME_USER, 300, 0.03 },
};
#define NLEAFY (sizeof(leafy) / sizeof(leafy[0]))

static void
test_small_change_is_possible_with_runs(void **state)
{
	double factor[NLEAFY] = { 1, 1, 1, 1.2 };
	size_t seed, possible = 0, finding = 0;

	(void)state;
	for (seed = 1; seed <= 20; seed++) {
		struct sides s;
		struct diff_result *r;
		const struct diff_fn *fn;

		rng_state = 0x94d049bb133111ebULL * seed;
		sides_make(&s, 3, leafy, NLEAFY, factor, true, 0);
		r = sides_diff(&s, DIFF_NORM_AUTO);
		fn = fn_named(r, "small_leaf");
		assert_int_equal(findings_other_than(r, "small_leaf"), 0);
		if (fn->tier == DIFF_TIER_POSSIBLE) {
			possible++;
			assert_false(fn->significant);
			assert_true(fn->runs_needed >= 4 &&
				    fn->runs_needed <= 1000);
		} else if (fn->tier == DIFF_TIER_FINDING) {
			finding++;
			assert_true(fn->runs_needed == 0);
		}
		diff_result_free(r);
		sides_free(&s);
	}
	/* Mostly seen, as one tier or the other. */
	if (possible + finding < 15)
		fail_msg("small_leaf seen in %zu + %zu of 20", possible,
			 finding);
	assert_true(possible >= 1);
}

/*
 * The model's weight against each function's own scatter, from how the
 * scatter spreads (diff/noise.c, noise_prior_df): a program of even
 * functions that all scatter as the model says (3% run to run, like the
 * corpus's) leans on the model, up to 16 degrees of freedom; the threaded
 * program, whose start-up and kernel functions swing by 60-150%, judges
 * each function by its own scatter (4). Leaning on the model is what
 * makes a 35% slower function at 35% of the time a finding at 3 runs
 * (binomial sampling, 200 samples a run): 15 of these 20 seeds, 9 with the
 * weight held at 4.
 */
static const struct fn_spec even[] = {
	{ "main", "walk", "prog", FRAME_USER, 200, 0.03 },
	{ "main", "scan_table", "prog", FRAME_USER, 100, 0.03 },
	{ "main", "hash_block", "prog", FRAME_USER, 100, 0.03 },
	{ "main", "mix_rows", "prog", FRAME_USER, 80, 0.03 },
	{ "main", "sum_squares", "prog", FRAME_USER, 55, 0.03 },
	{ "main", "emit", "prog", FRAME_USER, 45, 0.03 },
};
#define NEVEN (sizeof(even) / sizeof(even[0]))

static double
median_prior_df(const struct fn_spec *fs, size_t nfs, const double *factor,
		uint64_t salt, size_t *found, const char *culprit)
{
	double d0[20];
	size_t seed;

	for (seed = 1; seed <= 20; seed++) {
		struct sides s;
		struct diff_result *r;

		rng_state = 0x9e3779b97f4a7c15ULL * seed + salt;
		sides_make(&s, 3, fs, nfs, factor, true, 0);
		r = sides_diff(&s, DIFF_NORM_AUTO);
		assert_true(r->prior_df >= 4 && r->prior_df <= 16);
		d0[seed - 1] = r->prior_df;
		/* The threaded program's swings are judged elsewhere
		 * (test_aa_noisy_workloads_silent): here, its weight. */
		if (fs != threaded && findings_other_than(r, culprit))
			fail_msg(
				"salt %llu seed %zu: a finding (prior df %.1f)",
				(unsigned long long)salt, seed, r->prior_df);
		if (culprit)
			*found += fn_named(r, culprit)->significant;
		diff_result_free(r);
		sides_free(&s);
	}
	return stat_median(d0, 20);
}

static void
test_prior_weight_from_spread(void **state)
{
	double factor[NEVEN] = { 1.35, 1, 1, 1, 1, 1 }, d0;
	size_t found = 0;

	(void)state;
	d0 = median_prior_df(even, NEVEN, NULL, 11, NULL, NULL);
	if (d0 < 10)
		fail_msg("even functions: prior df %.1f", d0);
	d0 = median_prior_df(threaded, NTHREADED, NULL, 12, NULL, NULL);
	if (d0 > 6)
		fail_msg("threaded: prior df %.1f", d0);
	d0 = median_prior_df(even, NEVEN, factor, 13, &found, "walk");
	if (found < 13)
		fail_msg("walk +35%% found in %zu of 20 (prior df %.1f)", found,
			 d0);
}

/*
 * The runs a change needs, against the power calculation by hand: one
 * run's variance 1 a side, a change d, the level 0.001 (one function
 * tested, no finding yet), power 0.8: n = (3.2905 + 0.8416)^2 * 2 / d^2,
 * 853.5 for d = 0.2 (a little more at the t quantiles), a quarter of it
 * for twice the change.
 */
static void
test_runs_needed_power(void **state)
{
	struct diff_result r;
	struct diff_fn fn;
	double d[2] = { 0.2, 0.4 }, lo[2] = { 853, 213 }, hi[2] = { 862, 220 };
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		memset(&r, 0, sizeof(r));
		memset(&fn, 0, sizeof(fn));
		diff_opts_init(&r.opts);
		r.nbase = r.npr = 3;
		r.fns = &fn;
		r.nfns = 1;
		fn.self.tested = true;
		fn.self.q = 0.01;
		fn.self.delta = d[i];
		fn.self.run_var[0] = fn.self.run_var[1] = 1;
		fn.self.df_extra = 4;
		diff_model_tiers(&r, 0.1, 1, 0);
		assert_int_equal(fn.tier, DIFF_TIER_POSSIBLE);
		if (fn.runs_needed < lo[i] || fn.runs_needed > hi[i])
			fail_msg("d = %g: %g runs", d[i], fn.runs_needed);
	}
	/* Under a fifth of the practical threshold, or q past 0.05: nothing
	 * to say. */
	fn.self.delta = 0.019;
	diff_model_tiers(&r, 0.1, 1, 0);
	assert_int_equal(fn.tier, DIFF_TIER_NONE);
	assert_true(fn.runs_needed == 0);
	fn.self.delta = 0.4;
	fn.self.q = 0.2;
	diff_model_tiers(&r, 0.1, 1, 0);
	assert_int_equal(fn.tier, DIFF_TIER_NONE);
	/* Significant: a finding. */
	fn.significant = true;
	diff_model_tiers(&r, 0.1, 1, 0);
	assert_int_equal(fn.tier, DIFF_TIER_FINDING);
}

/* share and none stay overrides; folded input (no metadata) keeps
 * shares. */
static void
test_normalize_overrides(void **state)
{
	struct sides s;
	struct diff_result *r;

	(void)state;
	rng_state = 99;
	sides_make(&s, 2, leafy, NLEAFY, NULL, true, 0);
	r = sides_diff(&s, DIFF_NORM_SHARE);
	assert_int_equal(r->opts.normalize, DIFF_NORM_SHARE);
	assert_false(r->normalize_auto);
	diff_result_free(r);
	r = sides_diff(&s, DIFF_NORM_AUTO);
	assert_int_equal(r->opts.normalize, DIFF_NORM_NONE);
	diff_result_free(r);
	/* One run without the metadata: shares. */
	profile_meta_set_str(s.p[1], "extent", "");
	r = sides_diff(&s, DIFF_NORM_AUTO);
	assert_int_equal(r->opts.normalize, DIFF_NORM_SHARE);
	assert_non_null(strstr(r->normalize_why, "does not say"));
	diff_result_free(r);
	/* One run attached for a window: shares. */
	profile_meta_set_str(s.p[1], "extent", "window");
	r = sides_diff(&s, DIFF_NORM_AUTO);
	assert_int_equal(r->opts.normalize, DIFF_NORM_SHARE);
	assert_non_null(strstr(r->normalize_why, "window"));
	diff_result_free(r);
	sides_free(&s);
}

/* A run that shares almost nothing with its side (a broken recording):
 * the per-run scale leaves it alone, and every number stays finite. */
static void
test_odd_run_stays_finite(void **state)
{
	static const struct fn_spec odd[] = {
		{ "main", "h", "prog", FRAME_USER, 5, 0 },
	};
	struct sides s;
	struct diff_result *r;
	size_t i;

	(void)state;
	rng_state = 5;
	sides_make(&s, 2, leafy, NLEAFY, NULL, false, 1000);
	profile_free(s.b[1]);
	s.b[1] = run_make(odd, 1, NULL, false, 5);
	r = sides_diff(&s, DIFF_NORM_SHARE);
	assert_true(isfinite(r->dispersion) && r->dispersion > 0.1);
	for (i = 0; i < r->nfns; i++) {
		assert_true(isfinite(r->fns[i].self.base_v));
		assert_true(isfinite(r->fns[i].self.pr_v));
		assert_false(isnan(r->fns[i].self.p));
		assert_false(r->fns[i].significant);
	}
	diff_result_free(r);
	sides_free(&s);
}

/*
 * A view in ns (wall, record --off-cpu's default; off-cpu) holds
 * the same samples counted in ns: judged exactly as the samples are, for
 * both normalizations. Its sampling noise is a sample's (the period), not
 * one nanosecond's, which would leave the sampling scatter to the
 * run-to-run noise and judge small and big functions alike.
 */
static void
test_ns_view_judged_as_samples(void **state)
{
	static const enum diff_norm norms[] = { DIFF_NORM_NONE,
						DIFF_NORM_SHARE };
	double factor[NTHREADED];
	size_t i, k, f;

	(void)state;
	for (i = 0; i < NTHREADED; i++)
		factor[i] = 1;
	factor[1] = 1.15;
	for (k = 0; k < 2; k++) {
		struct sides s, v;
		struct diff_result *r, *rv;
		struct scorch_err err;

		rng_state = 0x9e3779b97f4a7c15ULL + k;
		sides_make(&s, 3, threaded, NTHREADED, factor, true, 0);
		v.n = s.n;
		for (i = 0; i < s.n; i++) {
			v.b[i] = profile_view(s.b[i], PROFILE_VALUE_WALL, &err);
			v.p[i] = profile_view(s.p[i], PROFILE_VALUE_WALL, &err);
			assert_non_null(v.b[i]);
			assert_non_null(v.p[i]);
			assert_int_equal(profile_unit(v.b[i]), PROFILE_UNIT_NS);
		}
		r = sides_diff(&s, norms[k]);
		rv = sides_diff(&v, norms[k]);
		assert_int_equal(r->nfns, rv->nfns);
		if (fabs(rv->dispersion - r->dispersion) > 1e-6)
			fail_msg("%s: run-to-run noise %.4f in ns, %.4f in "
				 "samples",
				 k ? "share" : "none", rv->dispersion,
				 r->dispersion);
		for (f = 0; f < r->nfns; f++) {
			const struct diff_fn *a = &r->fns[f];
			const struct diff_fn *b = fn_named(rv, a->name);

			assert_int_equal(a->self.tested, b->self.tested);
			if (fabs(a->self.z - b->self.z) >
			    1e-6 * fmax(1, fabs(a->self.z)))
				fail_msg("%s, %s: z %.6f in ns, %.6f in "
					 "samples",
					 k ? "share" : "none", a->name,
					 b->self.z, a->self.z);
			assert_int_equal(a->significant, b->significant);
			assert_int_equal(a->tier, b->tier);
		}
		diff_result_free(r);
		diff_result_free(rv);
		sides_free(&s);
		sides_free(&v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_overrides),
		cmocka_unit_test(test_threads_judged_by_quiet_workers),
		cmocka_unit_test(test_small_function_grown_20x_is_strong),
		cmocka_unit_test(test_dominant_function_not_the_scale),
		cmocka_unit_test(test_aa_noisy_workloads_silent),
		cmocka_unit_test(test_prior_weight_from_spread),
		cmocka_unit_test(test_small_change_is_possible_with_runs),
		cmocka_unit_test(test_runs_needed_power),
		cmocka_unit_test(test_odd_run_stays_finite),
		cmocka_unit_test(test_ns_view_judged_as_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
