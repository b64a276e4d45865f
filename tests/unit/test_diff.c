/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_diff.c - the diff room: its statistics against values
 * worked out by hand or from tables, alignment of names across builds, and
 * whole comparisons of synthetic runs drawn from known distributions: an
 * A/A comparison must flag nothing (20 seeds), a planted regression must be
 * found first with its call path, an improvement is never a regression, a
 * slower caller through an unchanged library function is named by its
 * path, a new function is reported as new.
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
#include "render/render.h"

/* ---- statistics ------------------------------------------------------------ */

static void
test_stat_norm(void **state)
{
	(void)state;
	assert_true(fabs(stat_norm_sf(0) - 0.5) < 1e-12);
	assert_true(fabs(stat_norm_sf(1.959963984540054) - 0.025) < 1e-9);
	assert_true(fabs(stat_norm_quantile(0.975) - 1.959963984540054) < 1e-9);
	assert_true(fabs(stat_norm_quantile(0.0005) + 3.290526731491926) <
		    1e-8);
	assert_true(fabs(stat_norm_quantile(1e-10) + 6.361340902404056) < 1e-7);
}

/* trigamma against its closed forms: pi^2/2, pi^2/6, pi^2/6 - 1, and
 * pi^2/6 - 1 - 1/4 - ... - 1/81 at 10; the series' terms at 100. */
static void
test_stat_trigamma(void **state)
{
	double pi2 = M_PI * M_PI, h = 0;
	int k;

	(void)state;
	assert_true(fabs(stat_trigamma(0.5) - pi2 / 2) < 1e-8);
	assert_true(fabs(stat_trigamma(1) - pi2 / 6) < 1e-8);
	assert_true(fabs(stat_trigamma(2) - (pi2 / 6 - 1)) < 1e-8);
	for (k = 1; k <= 9; k++)
		h += 1.0 / (k * k);
	assert_true(fabs(stat_trigamma(10) - (pi2 / 6 - h)) < 1e-10);
	/* 1/x + 1/2x^2 + 1/6x^3 - 1/30x^5 at 100 */
	assert_true(fabs(stat_trigamma(100) - 0.0100501666633333) < 1e-12);
	assert_true(isnan(stat_trigamma(0)));
}

static void
test_stat_t(void **state)
{
	(void)state;
	/* Student's t tables. */
	assert_true(fabs(stat_t_sf(2.228138851986, 10) - 0.025) < 1e-9);
	assert_true(fabs(stat_t_sf(4.587004, 10) - 0.0005) < 1e-7);
	assert_true(fabs(stat_t_sf(-2.228138851986, 10) - 0.975) < 1e-9);
	assert_true(fabs(stat_t_sf(0, 3) - 0.5) < 1e-12);
	assert_true(fabs(stat_t_sf(12.7062047362, 1) - 0.025) < 1e-9);
	assert_true(fabs(stat_t_quantile(0.975, 10) - 2.228138851986) < 1e-8);
	assert_true(fabs(stat_t_quantile(0.025, 4) + 2.776445105) < 1e-8);
	/* Many degrees of freedom: the normal. */
	assert_true(fabs(stat_t_sf(1.959963984540054, 1e7) - 0.025) < 1e-6);
}

static void
test_stat_mann_whitney_exact(void **state)
{
	double x[] = { 1, 2, 3 }, y[] = { 4, 5, 6 }, u;
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
	double t1[] = { 1, 1, 2 }, t2[] = { 1, 2, 2 };

	(void)state;
	/* Complete separation of 3 and 3: 2 of the 20 splits. */
	assert_true(fabs(stat_mann_whitney(x, 3, y, 3, &u) - 0.1) < 1e-12);
	assert_true(u == 9);
	/* 5 and 5: 2 of 252. */
	assert_true(fabs(stat_mann_whitney(a, 5, b, 5, &u) - 2.0 / 252) <
		    1e-12);
	/* The same values: nothing to see. */
	assert_true(stat_mann_whitney(x, 3, x, 3, &u) == 1);
	assert_true(u == 4.5);
	/* Ties are enumerated, not approximated. */
	assert_true(stat_mann_whitney(t1, 3, t2, 3, &u) > 0.3);
	assert_true(stat_mann_whitney(x, 0, y, 3, &u) == 1);
}

static void
test_stat_mann_whitney_large(void **state)
{
	double x[40], y[40], u, p;
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		x[i] = i;
		y[i] = i + 20.5;
	}
	/* The normal approximation, well in the tail. */
	p = stat_mann_whitney(x, 40, y, 40, &u);
	assert_true(u == 1410); /* sum over y of the x below it */
	assert_true(p < 1e-5);
	for (i = 0; i < 40; i++)
		y[i] = i + 0.5;
	assert_true(stat_mann_whitney(x, 40, y, 40, &u) > 0.5);
}

static void
test_stat_hodges_lehmann(void **state)
{
	double x[] = { 10, 11, 12, 13, 14, 15 },
	       y[] = { 13, 14, 15, 16, 17, 18 };
	double s, lo, hi;

	(void)state;
	assert_int_equal(stat_hodges_lehmann(x, 6, y, 6, 0.95, &s, &lo, &hi),
			 0);
	assert_true(s == 3);
	assert_true(lo <= 3 && hi >= 3 && lo < hi);
	/* Two runs a side cannot give a 95% interval. */
	assert_int_equal(stat_hodges_lehmann(x, 2, y, 2, 0.95, &s, &lo, &hi),
			 1);
	assert_true(isinf(lo) && isinf(hi));
}

static void
test_stat_bh_qvalues(void **state)
{
	/* A textbook example: q_(k) = min_j>=k p_(j) * m / j. */
	double p[] = { 0.01, 0.04, 0.03, 0.005, 0.5 }, q[5];

	(void)state;
	stat_bh_qvalues(p, 5, q);
	assert_true(fabs(q[3] - 0.025) < 1e-12); /* 0.005 * 5 / 1 */
	assert_true(fabs(q[0] - 0.025) < 1e-12); /* 0.01 * 5 / 2 */
	assert_true(fabs(q[2] - 0.04 * 5 / 4) < 1e-12);
	assert_true(fabs(q[1] - 0.05) < 1e-12);
	assert_true(fabs(q[4] - 0.5) < 1e-12);
}

static void
test_align_name(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "foo", "foo" },
		{ "foo.constprop.0", "foo" },
		{ "foo.isra.0", "foo" },
		{ "foo.part.12", "foo" },
		{ "foo.cold", "foo" },
		{ "foo.constprop.0.isra.0", "foo" },
		{ "msort_with_tmp.part.0", "msort_with_tmp" },
		{ "foo.lto_priv.0", "foo" },
		{ "a.b", "a.b" },
		{ "foo.constprop", "foo.constprop" },
		{ ".cold", ".cold" },
		{ "std::vector<int>::push_back(int const&)",
		  "std::vector<int>::push_back(int const&)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *n = align_name(cases[i].in);

		assert_string_equal(n, cases[i].out);
		free(n);
	}
}

static void
test_align_key_exe(void **state)
{
	char *a = align_key("parse", "app-base", FRAME_USER, "app-base");
	char *b = align_key("parse", "app", FRAME_USER, "app");
	char *c = align_key("parse", "libx.so", FRAME_USER, "app");

	(void)state;
	/* The program's own executable lines up whatever it is called. */
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
}

/* ---- synthetic runs ---------------------------------------------------------- */

static uint64_t rng_state;

static double
rng_uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* A workload: call paths (frames root first, module of each) and weights. */
struct path {
	const char *frames[6];
	const char *module; /* of the leaf; the others are the program's */
	double weight;
};

/*
 * A run of n samples over paths[] with weights w[], each run's weights
 * jittered by a run-to-run noise of jitter (relative), as real runs are.
 */
static struct profile *
make_run(const struct path *paths, size_t npaths, const double *w, size_t n,
	 double jitter, const char *exe)
{
	struct profile *p = profile_new();
	double *cw = calloc(npaths, sizeof(*cw)), sum = 0;
	uint64_t *counts = calloc(npaths, sizeof(*counts));
	size_t i, k;
	uint32_t frames[8];

	for (i = 0; i < npaths; i++) {
		cw[i] = w[i] * (1 + jitter * (2 * rng_uniform() - 1));
		sum += cw[i];
	}
	for (k = 0; k < n; k++) {
		double x = rng_uniform() * sum;

		for (i = 0; i < npaths - 1 && x >= cw[i]; i++)
			x -= cw[i];
		counts[i]++;
	}
	for (i = 0; i < npaths; i++) {
		uint32_t d = 0, j;

		frames[d++] = profile_intern_frame(p, exe, "", FRAME_PROCESS);
		for (j = 0; paths[i].frames[j]; j++) {
			bool leaf = !paths[i].frames[j + 1];
			const char *name = paths[i].frames[j];
			size_t len = strlen(name);
			/* "f_[i]": f, inlined */
			bool inl = len > 4 && !strcmp(name + len - 4, "_[i]");
			char *bare = strndup(name, inl ? len - 4 : len);

			frames[d++] = profile_intern_frame(
				p, bare,
				leaf && paths[i].module ? paths[i].module : exe,
				inl ? FRAME_INLINED : FRAME_USER);
			free(bare);
		}
		if (counts[i])
			profile_add_stack(p, TASK_NONE, frames, d, counts[i]);
	}
	profile_meta_set_int(p, "period_ns", 1001001);
	free(cw);
	free(counts);
	return p;
}

static const struct path workload[] = {
	{ { "main", "serve", "parse_header", NULL }, NULL, 10 },
	{ { "main", "serve", "handle", "compress_block", NULL }, NULL, 20 },
	{ { "main", "serve", "handle", "format_row", "strlen", NULL },
	  "libc.so.6",
	  4 },
	{ { "main", "serve", "log_line", "strlen", NULL }, "libc.so.6", 4 },
	{ { "main", "serve", "handle", "format_row", NULL }, NULL, 12 },
	{ { "main", "serve", "checksum", NULL }, NULL, 25 },
	{ { "main", "serve", "route", NULL }, NULL, 15 },
	{ { "main", "serve", "handle", "lookup", NULL }, NULL, 9 },
	{ { "main", "serve", "audit_log", NULL }, NULL, 0 }, /* new in PR */
	{ { "main", "idle", NULL }, NULL, 1 },
};
#define NPATHS (sizeof(workload) / sizeof(workload[0]))

struct side_runs {
	struct profile *runs[8];
	size_t n;
};

static void
side_make(struct side_runs *s, size_t n, const double *w, size_t samples,
	  const char *exe)
{
	size_t i;

	s->n = n;
	for (i = 0; i < n; i++)
		s->runs[i] = make_run(workload, NPATHS, w, samples, 0.03, exe);
}

static void
side_free(struct side_runs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		profile_free(s->runs[i]);
}

static const struct diff_fn *
fn_named(const struct diff_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfns; i++)
		if (!strcmp(r->fns[i].name, name))
			return &r->fns[i];
	return NULL;
}

static void
test_diff_aa_flags_nothing(void **state)
{
	double w[NPATHS];
	struct diff_opts o;
	size_t i, seed, nruns;

	(void)state;
	diff_opts_init(&o);
	for (i = 0; i < NPATHS; i++)
		w[i] = workload[i].weight;
	/* 20 seeds, with 1, 3 and 5 runs a side: never a finding. */
	for (nruns = 1; nruns <= 5; nruns += 2)
		for (seed = 1; seed <= 20; seed++) {
			struct side_runs a, b;
			struct diff_result *r;
			struct scorch_err err;

			rng_state = 0x9e3779b97f4a7c15ULL * seed + nruns;
			side_make(&a, nruns, w, 3000, "app");
			side_make(&b, nruns, w, 3000, "app");
			r = diff_compute(a.runs, a.n, b.runs, b.n, &o, &err);
			assert_non_null(r);
			if (r->nregression_findings || r->nimprovement_findings)
				fail_msg("A/A seed %zu, %zu runs: %zu "
					 "regressions, %zu improvements (%s)",
					 seed, nruns, r->nregression_findings,
					 r->nimprovement_findings,
					 r->fns[r->nregressions
							? r->regressions[0]
							: r->improvements[0]]
						 .name);
			assert_int_equal(r->verdict, DIFF_NO_REGRESSION);
			diff_result_free(r);
			side_free(&a);
			side_free(&b);
		}
}

static void
test_diff_planted_regression(void **state)
{
	double wb[NPATHS], wp[NPATHS];
	struct side_runs a, b;
	struct diff_result *r;
	struct diff_opts o;
	struct scorch_err err;
	const struct diff_fn *fn;
	size_t i;

	(void)state;
	diff_opts_init(&o);
	for (i = 0; i < NPATHS; i++)
		wb[i] = wp[i] = workload[i].weight;
	wp[0] = 20; /* parse_header twice as slow */
	wp[1] = 14; /* compress_block faster */
	wp[2] = 10; /* format_row calls strlen more */
	wp[8] = 4;  /* audit_log is new */
	rng_state = 12345;
	side_make(&a, 3, wb, 3000, "app-base");
	side_make(&b, 3, wp, 3000, "app-pr");
	r = diff_compute(a.runs, a.n, b.runs, b.n, &o, &err);
	assert_non_null(r);
	assert_int_equal(r->verdict, DIFF_REGRESSION);
	/* The planted one first, with its path. */
	assert_true(r->nregressions >= 2);
	fn = &r->fns[r->regressions[0]];
	assert_string_equal(fn->name, "parse_header");
	assert_true(fn->significant && fn->self.delta > 5);
	assert_int_equal(fn->npath, 3);
	assert_string_equal(fn->path[1], "serve");
	assert_true(fn->explains > 0.4);
	/* strlen is library code called more: the path names the caller. */
	fn = fn_named(r, "strlen");
	assert_non_null(fn);
	assert_true(fn->significant && fn->self.delta > 0);
	assert_true(fn->callee_only);
	assert_true(fn->npath >= 2);
	assert_string_equal(fn->path[fn->npath - 2], "format_row");
	/* The improvement is one, never a regression. */
	fn = fn_named(r, "compress_block");
	assert_true(fn->significant && fn->self.delta < 0);
	for (i = 0; i < r->nregressions; i++)
		assert_string_not_equal(r->fns[r->regressions[i]].name,
					"compress_block");
	assert_true(r->nimprovements >= 1);
	assert_string_equal(r->fns[r->improvements[0]].name, "compress_block");
	/* The new function is listed as new. */
	assert_true(r->nadded == 1);
	assert_string_equal(r->fns[r->added[0]].name, "audit_log");
	assert_true(r->fns[r->added[0]].is_new);
	diff_result_free(r);
	side_free(&a);
	side_free(&b);
}

/*
 * An always-inline helper: mix_step runs inlined into process (its copy
 * there got twice as slow) and out of line from load (unchanged).
 */
static const struct path inl_workload[] = {
	{ { "main", "process", "mix_step_[i]", NULL }, NULL, 10 },
	{ { "main", "process", NULL }, NULL, 15 },
	{ { "main", "load", "mix_step", NULL }, NULL, 10 },
	{ { "main", "load", NULL }, NULL, 10 },
	{ { "main", "route", NULL }, NULL, 25 },
	{ { "main", "checksum", "mix_step_[i]", "crc_[i]", NULL }, NULL, 5 },
	{ { "main", "checksum", NULL }, NULL, 25 },
};
#define INL_NPATHS (sizeof(inl_workload) / sizeof(inl_workload[0]))

static void
inl_side(struct side_runs *s, const double *w, bool fold)
{
	size_t i;

	s->n = 3;
	for (i = 0; i < s->n; i++) {
		s->runs[i] = make_run(inl_workload, INL_NPATHS, w, 4000, 0.03,
				      "app");
		if (fold) {
			struct profile *q = profile_inline_fold(s->runs[i]);

			profile_free(s->runs[i]);
			s->runs[i] = q;
		}
	}
}

/* Self samples of name in the runs, as `scorch report` counts them. */
static uint64_t
report_self(const struct side_runs *s, const char *name)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct aggregate *a = aggregate_new(s->runs[i], AGG_FUNCTION);
		const struct agg_row *r =
			aggregate_find(a, name, "app", FRAME_USER, TASK_NONE);

		n += r ? r->self : 0;
		aggregate_free(a);
	}
	return n;
}

static void
test_diff_inlined_helper(void **state)
{
	static const char *const names[] = { "mix_step", "process",  "load",
					     "route",	 "checksum", "crc" };
	double wb[INL_NPATHS], wp[INL_NPATHS];
	struct side_runs a, b;
	struct diff_result *r;
	struct diff_opts o;
	struct scorch_err err;
	const struct diff_fn *fn;
	size_t i;

	(void)state;
	diff_opts_init(&o);
	for (i = 0; i < INL_NPATHS; i++)
		wb[i] = wp[i] = inl_workload[i].weight;
	wp[0] = 20;
	rng_state = 777;
	inl_side(&a, wb, false);
	inl_side(&b, wp, false);
	r = diff_compute(a.runs, a.n, b.runs, b.n, &o, &err);
	assert_non_null(r);
	/* The helper is the finding, and says where it was inlined. */
	assert_int_equal(r->verdict, DIFF_REGRESSION);
	fn = &r->fns[r->regressions[0]];
	assert_string_equal(fn->name, "mix_step");
	assert_int_equal(fn->kind, FRAME_USER);
	assert_non_null(fn->inlined_into);
	assert_string_equal(fn->inlined_into, "process");
	assert_true(fn->inlined_share > 0.5 && fn->inlined_share < 0.9);
	assert_int_equal(fn->npath, 3);
	assert_string_equal(fn->path[1], "process");
	/* The function it was inlined into did not change. */
	fn = fn_named(r, "process");
	assert_false(fn->significant);
	assert_null(fn->inlined_into);
	/* One function, one count: diff's self samples are report's. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fn = fn_named(r, names[i]);
		assert_non_null(fn);
		assert_int_equal(fn->self.base, report_self(&a, names[i]));
		assert_int_equal(fn->self.pr, report_self(&b, names[i]));
	}
	assert_string_equal(fn_named(r, "crc")->inlined_into, "checksum");
	diff_result_free(r);
	side_free(&a);
	side_free(&b);

	/* The machine-code view: the time is process's own. */
	rng_state = 777;
	inl_side(&a, wb, true);
	inl_side(&b, wp, true);
	r = diff_compute(a.runs, a.n, b.runs, b.n, &o, &err);
	assert_non_null(r);
	assert_int_equal(r->verdict, DIFF_REGRESSION);
	fn = &r->fns[r->regressions[0]];
	assert_string_equal(fn->name, "process");
	assert_null(fn->inlined_into);
	/* mix_step is left its out-of-line body (unchanged; its share may
	 * fall as the PR's total grows). */
	fn = fn_named(r, "mix_step");
	assert_false(fn->significant && fn->self.delta > 0);
	assert_null(fn->inlined_into);
	assert_null(fn_named(r, "crc"));
	for (i = 0; i < 5; i++)
		assert_int_equal(fn_named(r, names[i])->self.pr,
				 report_self(&b, names[i]));
	diff_result_free(r);
	side_free(&a);
	side_free(&b);
}

/* A fixed-work benchmark: the PR does more work; --normalize none sees it
 * in absolute time even where shares stay the same. */
static void
test_diff_normalize_none(void **state)
{
	double w[NPATHS];
	struct side_runs a, b;
	struct diff_result *r;
	struct diff_opts o;
	struct scorch_err err;
	const struct diff_fn *fn;
	size_t i;

	(void)state;
	diff_opts_init(&o);
	o.normalize = DIFF_NORM_NONE;
	for (i = 0; i < NPATHS; i++)
		w[i] = workload[i].weight;
	rng_state = 777;
	side_make(&a, 3, w, 3000, "app");
	side_make(&b, 3, w, 3600, "app"); /* 20% more of everything */
	r = diff_compute(a.runs, a.n, b.runs, b.n, &o, &err);
	assert_non_null(r);
	assert_string_equal(r->unit, "ms");
	assert_int_equal(r->verdict, DIFF_REGRESSION);
	/* The biggest functions grew by ~20% of their time. */
	fn = fn_named(r, "checksum");
	assert_true(fn->significant);
	assert_true(fn->self.rel > 0.1 && fn->self.rel < 0.3);
	assert_true(fn_named(r, "compress_block")->significant);
	diff_result_free(r);
	o.normalize = DIFF_NORM_SHARE;
	r = diff_compute(a.runs, a.n, b.runs, b.n, &o, &err);
	assert_int_equal(r->verdict, DIFF_NO_REGRESSION);
	diff_result_free(r);
	side_free(&a);
	side_free(&b);
}

static void
test_diff_inconclusive(void **state)
{
	static const struct path other[] = {
		{ { "main", "completely", "different", NULL }, NULL, 1 },
	};
	double w[NPATHS], one = 1;
	struct side_runs a, b;
	struct profile *x;
	struct diff_result *r;
	struct diff_opts o;
	struct scorch_err err;
	size_t i;

	(void)state;
	diff_opts_init(&o);
	for (i = 0; i < NPATHS; i++)
		w[i] = workload[i].weight;
	rng_state = 99;
	side_make(&a, 1, w, 100, "app");
	side_make(&b, 1, w, 3000, "app");
	r = diff_compute(a.runs, a.n, b.runs, b.n, &o, &err);
	assert_int_equal(r->verdict, DIFF_INCONCLUSIVE);
	assert_non_null(strstr(r->why, "too few samples"));
	diff_result_free(r);
	x = make_run(other, 1, &one, 3000, 0, "app");
	r = diff_compute(b.runs, 1, &x, 1, &o, &err);
	assert_int_equal(r->verdict, DIFF_INCONCLUSIVE);
	assert_non_null(strstr(r->why, "same program"));
	diff_result_free(r);
	assert_null(diff_compute(b.runs, 1, &x, 0, &o, &err));
	profile_free(x);
	side_free(&a);
	side_free(&b);
}

/* The reports escape what they show and keep to their formats. */
static void
test_diff_reports(void **state)
{
	static const struct path evil[] = {
		{ { "main", "<script>|`x`\x1b[31m", NULL }, NULL, 10 },
		{ { "main", "calm", NULL }, NULL, 10 },
	};
	double wb[2] = { 10, 10 }, wp[2] = { 20, 10 };
	struct profile *a[2], *b[2];
	struct diff_result *r;
	struct diff_opts o;
	struct scorch_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int i;

	(void)state;
	diff_opts_init(&o);
	rng_state = 4242;
	for (i = 0; i < 2; i++) {
		a[i] = make_run(evil, 2, wb, 4000, 0.01, "app");
		b[i] = make_run(evil, 2, wp, 4000, 0.01, "app");
	}
	r = diff_compute(a, 2, b, 2, &o, &err);
	assert_int_equal(r->verdict, DIFF_REGRESSION);
	fp = open_memstream(&buf, &len);
	assert_int_equal(diffreport_write_text(r, fp, false), 0);
	fclose(fp);
	assert_null(strchr(buf, '\x1b'));
	free(buf);
	fp = open_memstream(&buf, &len);
	assert_int_equal(diffreport_write_markdown(r, fp), 0);
	fclose(fp);
	/* In a code span fenced past the name's own backticks, with the
	 * pipe escaped for the table and the escape character visible. */
	assert_non_null(strstr(buf, "``<script>\\|`x`\\u001b[31m``"));
	assert_null(strchr(buf, '\x1b'));
	free(buf);
	fp = open_memstream(&buf, &len);
	assert_int_equal(diffreport_write_json(r, fp), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "\"verdict\": \"regression\""));
	assert_non_null(
		strstr(buf, "\"function\": \"<script>|`x`\\u001b[31m\""));
	assert_null(strstr(buf, "nan"));
	assert_null(strstr(buf, "inf"));
	free(buf);
	diff_result_free(r);
	for (i = 0; i < 2; i++) {
		profile_free(a[i]);
		profile_free(b[i]);
	}
}

/* ---- the findings and their presentation ------------------------------------- */

static size_t
count_of(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* Report r in fmt (0 text, 1 markdown, 2 JSON) into a string. */
static char *
report_of(const struct diff_result *r, int fmt)
{
	char *buf = NULL, *copy;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fmt == 0)
		assert_int_equal(diffreport_write_text(r, fp, false), 0);
	else if (fmt == 1)
		assert_int_equal(diffreport_write_markdown(r, fp), 0);
	else
		assert_int_equal(diffreport_write_json(r, fp), 0);
	fclose(fp);
	copy = xstrdup(buf);
	free(buf);
	return copy;
}

/* A function of a hand-made result: base and PR values as compared. */
static void
fn_set(struct diff_fn *fn, const char *name, double base, double pr,
       enum diff_tier tier, double runs)
{
	fn->key = xstrdup(name);
	fn->name = xstrdup(name);
	fn->module = xstrdup("app");
	fn->kind = FRAME_USER;
	fn->self.base_v = base;
	fn->self.pr_v = pr;
	fn->self.delta = pr - base;
	fn->self.base = (uint64_t)(base * 100);
	fn->self.pr = (uint64_t)(pr * 100);
	fn->self.q = tier == DIFF_TIER_FINDING ? 1e-6 : 0.01;
	fn->self.tested = true;
	fn->total = fn->self;
	fn->significant = tier == DIFF_TIER_FINDING;
	fn->tier = tier;
	fn->runs_needed = runs;
}

/*
 * The model's tiers as the lists read them (set here by hand, as the model
 * sets them): findings, then possible ones; the PR's values rescaled by
 * 1.25, so its own share is 1.25 times the value compared.
 */
static struct diff_result *
tier_result(bool with_findings)
{
	struct diff_result *r = xcalloc(1, sizeof(*r));
	bool cand[5] = { true, true, true, true, true };
	enum diff_tier ft = with_findings ? DIFF_TIER_FINDING : DIFF_TIER_NONE;

	diff_opts_init(&r->opts);
	r->nbase = r->npr = 3;
	r->base_samples = r->pr_samples = 10000;
	r->unit = "pts";
	r->pr_scale = 1.25;
	r->dispersion = 0.03;
	r->dispersion_from = "runs";
	r->nfns = 5;
	r->fns = xcalloc(5, sizeof(*r->fns));
	fn_set(&r->fns[0], "weak_grow", 10, 18, DIFF_TIER_POSSIBLE, 7.3);
	fn_set(&r->fns[1], "big_grow", 10, 15, ft, 0);
	fn_set(&r->fns[2], "small_grow", 4, 5, ft, 0);
	fn_set(&r->fns[3], "weak_fall", 20, 17, DIFF_TIER_POSSIBLE, 11.2);
	fn_set(&r->fns[4], "calm", 30, 30.1, DIFF_TIER_NONE, 0);
	diff_findings_lists(r, cand, "app");
	diff_findings_verdict(r, 1, 0.5, 5);
	return r;
}

static void
test_diff_tiers_lists(void **state)
{
	struct diff_result *r = tier_result(true);

	(void)state;
	/* Findings first, however big the possible one is. */
	assert_int_equal(r->nregressions, 3);
	assert_int_equal(r->nregression_findings, 2);
	assert_string_equal(r->fns[r->regressions[0]].name, "big_grow");
	assert_string_equal(r->fns[r->regressions[1]].name, "small_grow");
	assert_string_equal(r->fns[r->regressions[2]].name, "weak_grow");
	assert_int_equal(r->nimprovements, 1);
	assert_int_equal(r->nimprovement_findings, 0);
	/* Shares of the change count the findings only. */
	assert_true(fabs(r->fns[1].explains - 5.0 / 6) < 1e-9);
	assert_true(r->fns[0].explains == 0);
	assert_int_equal(r->verdict, DIFF_REGRESSION);
	assert_non_null(strstr(r->why, "2 functions"));
	diff_result_free(r);
	/* Possible ones alone are no regression, and say so. */
	r = tier_result(false);
	assert_int_equal(r->nregressions, 1);
	assert_int_equal(r->nregression_findings, 0);
	assert_int_equal(r->verdict, DIFF_NO_REGRESSION);
	assert_non_null(strstr(r->why, "possible regression"));
	diff_result_free(r);
}

static void
test_diff_tiers_reports(void **state)
{
	struct diff_result *r = tier_result(true);
	char *out, *a, *b;

	(void)state;
	out = report_of(r, 0);
	a = strstr(out, "Regressions, most responsible first:");
	b = strstr(out, "Possible regressions");
	assert_true(a && b && a < b);
	assert_non_null(strstr(b, "weak_grow"));
	assert_true(strstr(a, "weak_grow") > b);
	assert_non_null(strstr(b, "record about 8 runs a side to decide"));
	assert_non_null(strstr(out, "Possible improvements"));
	assert_non_null(strstr(out, "record about 12 runs a side to decide"));
	/* weak_fall's own share rose (20 to 17 x 1.25): the fall is the
	 * rescaling's, and the report says so; big_grow's is not. */
	assert_non_null(strstr(out, "a fall only after rescaling: its own "
				    "share rose from 20.00% to 21.25%"));
	assert_int_equal(count_of(out, "only after rescaling"), 1);
	/* The PR's own share (15 x 1.25), the change labelled rescaled, the
	 * threshold with its unit. */
	assert_non_null(strstr(out, "  10.00   18.75    +5.00"));
	assert_null(strstr(out, "  15.00 "));
	assert_non_null(strstr(out, "change*"));
	assert_non_null(strstr(out, "PR's share / 1.25"));
	assert_non_null(strstr(out, "|change| >= 0.5 pts"));
	free(out);
	out = report_of(r, 1);
	a = strstr(out, "#### Regressions");
	b = strstr(out, "#### Possible regressions");
	assert_true(a && b && a < b);
	assert_non_null(strstr(b, "record about 8 runs a side to decide"));
	assert_non_null(strstr(out, "| 10.00 | 18.75 | **+5.00** |"));
	assert_non_null(strstr(out, "change (pts, rescaled)"));
	assert_non_null(strstr(out, "PR (%, own)"));
	assert_non_null(strstr(out, "a change of at least 0.5 pts"));
	free(out);
	out = report_of(r, 2);
	a = strstr(out, "\"function\": \"big_grow\"");
	b = strstr(out, "\"function\": \"weak_grow\"");
	assert_true(a && b && a < b && b < strstr(out, "\"improvements\": ["));
	assert_non_null(
		strstr(a, "\"significant\": true, \"tier\": \"finding\""));
	assert_non_null(
		strstr(b, "\"significant\": false, \"tier\": \"possible\""));
	assert_non_null(strstr(b, "\"runs_needed\": 8, \"explains\": null"));
	assert_non_null(
		strstr(a, "\"self_pr\": 18.75, \"self_pr_rescaled\": 15"));
	assert_non_null(strstr(out, "\"rescaled\": true"));
	assert_non_null(strstr(
		out,
		"\"findings\": {\"regressions\": 2, \"improvements\": 0}"));
	free(out);
	diff_result_free(r);
}

/*
 * A caller that calls a library function more and also does less itself:
 * one entry, the callee's, says both; the caller is no improvement of its
 * own.
 */
static void
test_diff_caller_once(void **state)
{
	double wb[NPATHS], wp[NPATHS];
	struct side_runs a, b;
	struct diff_result *r;
	struct diff_opts o;
	struct scorch_err err;
	const struct diff_fn *fn;
	char *out;
	size_t i;

	(void)state;
	diff_opts_init(&o);
	for (i = 0; i < NPATHS; i++)
		wb[i] = wp[i] = workload[i].weight;
	wp[2] = 16; /* format_row calls strlen more ... */
	wp[4] = 3;  /* ... and does less itself */
	rng_state = 2024;
	side_make(&a, 3, wb, 3000, "app-base");
	side_make(&b, 3, wp, 3000, "app-pr");
	r = diff_compute(a.runs, a.n, b.runs, b.n, &o, &err);
	assert_non_null(r);
	fn = fn_named(r, "strlen");
	assert_true(fn && diff_fn_is_finding(fn) && fn->self.delta > 0);
	assert_true(fn->callee_only);
	assert_true(fn->caller < r->nfns);
	assert_string_equal(r->fns[fn->caller].name, "format_row");
	assert_true(fn->caller_fell);
	assert_true(diff_fn_is_finding(&r->fns[fn->caller]));
	for (i = 0; i < r->nimprovements; i++)
		assert_string_not_equal(r->fns[r->improvements[i]].name,
					"format_row");
	out = report_of(r, 0);
	assert_int_equal(count_of(out, "format_row (app-pr)"), 0);
	assert_int_equal(count_of(out, "format_row's own self time fell too"),
			 1);
	free(out);
	out = report_of(r, 2);
	assert_non_null(strstr(out, "\"caller\": \"format_row\""));
	assert_null(strstr(out, "\"function\": \"format_row\""));
	free(out);
	diff_result_free(r);
	side_free(&a);
	side_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_norm),
		cmocka_unit_test(test_stat_t),
		cmocka_unit_test(test_stat_trigamma),
		cmocka_unit_test(test_stat_mann_whitney_exact),
		cmocka_unit_test(test_stat_mann_whitney_large),
		cmocka_unit_test(test_stat_hodges_lehmann),
		cmocka_unit_test(test_stat_bh_qvalues),
		cmocka_unit_test(test_align_name),
		cmocka_unit_test(test_align_key_exe),
		cmocka_unit_test(test_diff_aa_flags_nothing),
		cmocka_unit_test(test_diff_planted_regression),
		cmocka_unit_test(test_diff_inlined_helper),
		cmocka_unit_test(test_diff_normalize_none),
		cmocka_unit_test(test_diff_inconclusive),
		cmocka_unit_test(test_diff_reports),
		cmocka_unit_test(test_diff_tiers_lists),
		cmocka_unit_test(test_diff_tiers_reports),
		cmocka_unit_test(test_diff_caller_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
