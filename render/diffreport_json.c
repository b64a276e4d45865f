/* SPDX-License-Identifier: MIT */
/*
 * render/diffreport_json.c - scorch diff's report as JSON (docs/DIFF.md,
 * "The JSON report"): the verdict, the model's numbers, and every listed
 * function with its measures, tier and path.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../diff/diff.h"
#include "../profile/profile.h"
#include "internal.h"

/* ---- JSON ------------------------------------------------------------------ */

/* A number, or null when it is not finite (JSON has no infinities). */
static void
report_json_num(FILE *fp, double v)
{
	if (isfinite(v))
		fprintf(fp, "%.6g", v);
	else
		fputs("null", fp);
}

/* Each side's own value, the PR's as compared (rescaled or not), and the
 * change between those. */
static void
report_json_measure(FILE *fp, const struct diff_result *r, const char *prefix,
		    const struct diff_measure *m)
{
	fprintf(fp, ", \"%s_base\": ", prefix);
	report_json_num(fp, m->base_v);
	fprintf(fp, ", \"%s_pr\": ", prefix);
	report_json_num(fp, diff_pr_own(r, m));
	fprintf(fp, ", \"%s_pr_rescaled\": ", prefix);
	report_json_num(fp, m->pr_v);
	fprintf(fp, ", \"%s_delta\": ", prefix);
	report_json_num(fp, m->delta);
	fprintf(fp, ", \"%s_relative\": ", prefix);
	report_json_num(fp, m->rel);
	fprintf(fp, ", \"%s_samples\": [%llu, %llu]", prefix,
		(unsigned long long)m->base, (unsigned long long)m->pr);
}

static const char *
report_tier(const struct diff_fn *fn)
{
	if (diff_fn_is_finding(fn))
		return "finding";
	return fn->tier == DIFF_TIER_POSSIBLE ? "possible" : "none";
}

static void
report_json_fn(FILE *fp, const struct diff_result *r, const struct diff_fn *fn)
{
	size_t j;

	fputs("{\"function\": ", fp);
	json_put_string(fp, fn->name);
	fputs(", \"module\": ", fp);
	json_put_string(fp, fn->module);
	fputs(", \"inlined_into\": ", fp);
	if (fn->inlined_into)
		json_put_string(fp, fn->inlined_into);
	else
		fputs("null", fp);
	fputs(", \"inlined_share\": ", fp);
	report_json_num(fp, fn->inlined_share);
	fprintf(fp,
		", \"kind\": \"%s\", \"path\": ", diffreport_kind(fn->kind));
	if (fn->npath) {
		fputc('[', fp);
		for (j = 0; j < fn->npath; j++) {
			if (j)
				fputs(", ", fp);
			json_put_string(fp, fn->path[j]);
		}
		fputs("], \"path_share\": ", fp);
		report_json_num(fp, fn->path_share);
	} else {
		fputs("null, \"path_share\": null", fp);
	}
	fprintf(fp, ", \"called_more\": %s",
		fn->callee_only && fn->npath ? "true" : "false");
	fputs(", \"caller\": ", fp);
	if (fn->callee_only && fn->caller < r->nfns)
		json_put_string(fp, r->fns[fn->caller].name);
	else
		fputs("null", fp);
	fputs(", \"caller_self_delta\": ", fp);
	report_json_num(fp, fn->caller_fell && fn->caller < r->nfns
				    ? r->fns[fn->caller].self.delta
				    : NAN);
	report_json_measure(fp, r, "self", &fn->self);
	report_json_measure(fp, r, "total", &fn->total);
	fputs(", \"self_ci\": [", fp);
	report_json_num(fp, fn->self.lo);
	fputs(", ", fp);
	report_json_num(fp, fn->self.hi);
	fputs("], \"z\": ", fp);
	report_json_num(fp, fn->self.z);
	fputs(", \"p_value\": ", fp);
	report_json_num(fp, fn->self.p);
	fputs(", \"q_value\": ", fp);
	report_json_num(fp, fn->self.q);
	fputs(", \"total_q_value\": ", fp);
	report_json_num(fp, fn->total.q);
	fprintf(fp, ", \"significant\": %s, \"tier\": \"%s\", \"tested\": %s",
		diff_fn_is_finding(fn) ? "true" : "false", report_tier(fn),
		fn->self.tested ? "true" : "false");
	fputs(", \"runs_needed\": ", fp);
	report_json_num(fp, !diff_fn_is_finding(fn) && fn->runs_needed > 0
				    ? ceil(fn->runs_needed)
				    : NAN);
	fputs(", \"explains\": ", fp);
	report_json_num(fp, diff_fn_is_finding(fn) ? fn->explains : NAN);
	fprintf(fp, ", \"new\": %s, \"gone\": %s",
		fn->is_new ? "true" : "false", fn->is_gone ? "true" : "false");
	if (r->nbase >= 2 && r->npr >= 2) {
		fputs(", \"runs\": {\"mann_whitney_p\": ", fp);
		report_json_num(fp, fn->self.mw_p);
		fputs(", \"hodges_lehmann\": ", fp);
		report_json_num(fp, fn->self.hl);
		fputs(", \"ci\": [", fp);
		report_json_num(fp, fn->self.hl_lo);
		fputs(", ", fp);
		report_json_num(fp, fn->self.hl_hi);
		fputs("]}", fp);
	} else {
		fputs(", \"runs\": null", fp);
	}
	fputc('}', fp);
}

static void
report_json_list(FILE *fp, const struct diff_result *r, const char *key,
		 const size_t *idx, size_t n, bool last)
{
	size_t i;

	fprintf(fp, "\"%s\": [", key);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n  " : "\n  ", fp);
		report_json_fn(fp, r, &r->fns[idx[i]]);
	}
	fprintf(fp, "%s]%s\n", n ? "\n" : "", last ? "" : ",");
}

int
diffreport_write_json(const struct diff_result *r, FILE *fp)
{
	fputs("{\n\"format\": \"scorch-diff\",\n\"version\": \"1.1\",\n", fp);
	fprintf(fp, "\"verdict\": \"%s\",\n\"reason\": ",
		diff_verdict_name(r->verdict));
	json_put_string(fp, r->why);
	fprintf(fp,
		",\n\"unit\": \"%s\",\n\"normalize\": \"%s\",\n\"alpha\": %g,"
		"\n\"min_delta\": %g,\n\"min_share\": %g,\n",
		r->unit,
		r->opts.normalize == DIFF_NORM_SHARE ? "share" : "none",
		r->opts.alpha, r->opts.min_delta, r->opts.min_share);
	fprintf(fp, "\"normalize_auto\": %s,\n\"normalize_why\": ",
		r->normalize_auto ? "true" : "false");
	json_put_string(fp, r->normalize_why ? r->normalize_why : "");
	fputs(",\n", fp);
	fprintf(fp,
		"\"counts\": \"%s\",\n\"baseline\": {\"runs\": %zu, "
		"\"samples\": %llu, \"total\": ",
		r->count_name ? r->count_name : "samples", r->nbase,
		(unsigned long long)r->base_samples);
	report_json_num(fp, r->base_total_v);
	fprintf(fp,
		"},\n\"pr\": {\"runs\": %zu, \"samples\": %llu, "
		"\"total\": ",
		r->npr, (unsigned long long)r->pr_samples);
	report_json_num(fp, r->pr_total_v);
	fputs("},\n\"pr_scale\": ", fp);
	report_json_num(fp, r->pr_scale);
	fprintf(fp, ",\n\"rescaled\": %s,\n\"min_change\": ",
		diff_rescaled(r) ? "true" : "false");
	report_json_num(fp, r->min_change);
	fprintf(fp,
		",\n\"findings\": {\"regressions\": %zu, \"improvements\": "
		"%zu}",
		r->nregression_findings, r->nimprovement_findings);
	fputs(",\n\"dispersion\": ", fp);
	report_json_num(fp, r->dispersion);
	fputs(",\n\"dispersion_kernel\": ", fp);
	report_json_num(fp, r->dispersion_kernel);
	fputs(",\n\"sampling_dispersion\": ", fp);
	report_json_num(fp, r->sampling_dispersion);
	fputs(",\n\"prior_df\": ", fp);
	report_json_num(fp, r->prior_df);
	fprintf(fp, ",\n\"dispersion_from\": \"%s\",\n", r->dispersion_from);
	report_json_list(fp, r, "regressions", r->regressions, r->nregressions,
			 false);
	report_json_list(fp, r, "improvements", r->improvements,
			 r->nimprovements, false);
	report_json_list(fp, r, "new", r->added, r->nadded, false);
	report_json_list(fp, r, "gone", r->removed, r->nremoved, true);
	fputs("}\n", fp);
	return ferror(fp) ? -1 : 0;
}
