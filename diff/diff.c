/* SPDX-License-Identifier: MIT */
/*
 * diff/diff.c - the comparison as a pipeline: count (count.c), measure
 * and test (model.c), list and attribute (findings.c). The method and
 * its reasons are in docs/DIFF.md; in short:
 *  - every function's self and total samples are counted per run, as a
 *    share of the run (the PR's rescaled so unchanged functions compare
 *    equal) or as absolute CPU time (--normalize none, and by default
 *    when every run recorded a whole command: fixed work);
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

void
diff_opts_init(struct diff_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->normalize = DIFF_NORM_AUTO;
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

/* The runs of both sides in one array, base runs first. */
static struct profile **
diff_runs(struct profile *const *base, size_t nbase, struct profile *const *pr,
	  size_t npr)
{
	struct profile **runs = xcalloc(nbase + npr, sizeof(*runs));
	size_t i;

	for (i = 0; i < nbase; i++)
		runs[i] = base[i];
	for (i = 0; i < npr; i++)
		runs[nbase + i] = pr[i];
	return runs;
}

struct diff_result *
diff_compute(struct profile *const *base, size_t nbase,
	     struct profile *const *pr, size_t npr, const struct diff_opts *o,
	     struct scorch_err *err)
{
	struct diff_result *r;
	struct diff_counts c;
	struct diff_sides sd;
	struct diff_noise nz;
	struct profile **runs;
	double overlap, min_v;
	size_t i, ntested;
	bool *cand;

	if (!nbase || !npr) {
		err_set(err, "diff: need at least one profile on each side");
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->opts = *o;
	r->nbase = nbase;
	r->npr = npr;
	runs = diff_runs(base, nbase, pr, npr);
	diff_model_normalize(r, runs, nbase, nbase + npr);
	/* Count, measure, test, list. */
	diff_counts_init(&c, nbase + npr);
	for (i = 0; i < c.nruns; i++)
		diff_counts_run(&c, runs[i], i, i >= nbase);
	r->fns = c.fns;
	r->nfns = c.nfns;
	diff_sides_init(&sd, r, &c);
	cand = xcalloc(c.nfns ? c.nfns : 1, sizeof(*cand));
	overlap = diff_model_measure(r, &c, &sd, cand);
	diff_model_rescale(r, &c, &sd, cand);
	diff_estimate_noise(r, &c, &sd, cand, &nz);
	ntested = diff_model_test(r, &c, &sd, cand, &nz, &min_v);
	diff_findings_lists(r, cand, align_exe(pr[0]));
	diff_findings_paths(r, &c, runs, &sd);
	diff_findings_verdict(r, overlap, min_v, ntested);
	/* The function table now belongs to the result. */
	c.fns = NULL;
	diff_counts_fini(&c);
	diff_sides_fini(&sd);
	free(runs);
	free(cand);
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
