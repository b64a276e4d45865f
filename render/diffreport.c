/* SPDX-License-Identifier: MIT */
/*
 * render/diffreport.c - the regression report diff/ computed, presented:
 * text for a terminal or a CI log (80 columns), markdown for a PR comment
 * (JSON for machines is diffreport_json.c; docs/DIFF.md has its fields).
 * Names come from profiles, which are untrusted: they are shown only
 * through escape.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../diff/diff.h"
#include "../profile/profile.h"
#include "internal.h"

#define NAME_COLS 34 /* the function column in text */

const char *
diffreport_kind(int kind)
{
	return frame_kind_name((enum frame_kind)kind);
}

/* A q-value or p-value as text: "<1e-16" below double's reach. */
void
diffreport_pval(char *buf, size_t n, double p)
{
	if (p < 1e-16)
		snprintf(buf, n, "<1e-16");
	else if (p < 0.001)
		snprintf(buf, n, "%.0e", p);
	else
		snprintf(buf, n, "%.3f", p);
}

/* How much a side's counts are: "N samples", or "X ms" (ns counts). */
static void
report_amount(const struct diff_result *r, uint64_t n, char *buf, size_t size)
{
	if (r->count_name && !strcmp(r->count_name, "ns"))
		snprintf(buf, size, "%.1f ms", (double)n / 1e6);
	else
		snprintf(buf, size, "%llu samples", (unsigned long long)n);
}

/* What shares are of: "samples", or "time" (ns counts: a --value view). */
static const char *
report_of(const struct diff_result *r)
{
	return r->count_name && !strcmp(r->count_name, "ns") ? "time"
							     : "samples";
}

/* The noise model in words (a static buffer). */
static const char *
report_noise(const struct diff_result *r)
{
	static char buf[160];
	char kern[48] = "";

	if (isfinite(r->dispersion_kernel))
		snprintf(kern, sizeof(kern), ", kernel functions %.1f%%",
			 100 * r->dispersion_kernel);
	if (!strcmp(r->dispersion_from, "runs"))
		snprintf(buf, sizeof(buf),
			 "run-to-run noise %.1f%%%s, sampling noise %.2f of "
			 "binomial, the model worth %.0f runs (from the runs)",
			 100 * r->dispersion, kern, r->sampling_dispersion,
			 r->prior_df);
	else
		snprintf(buf, sizeof(buf),
			 "one run a side: run-to-run noise taken as %.1f%%",
			 100 * r->dispersion);
	return buf;
}

/* s for a terminal in exactly cols characters: cut, or padded. */
static void
report_text_name(struct strbuf *sb, const char *s, size_t cols)
{
	size_t n = escape_term(sb, s, cols);

	while (n++ < cols)
		strbuf_addch(sb, ' ');
}

/*
 * Where a path is worth starting: at main when it is there (the C
 * library's start-up frames below it say nothing), else at the root.
 */
static size_t
report_path_start(const struct diff_fn *fn)
{
	size_t i;

	for (i = 0; i < fn->npath; i++)
		if (!strcmp(fn->path[i], "main"))
			return i;
	return 0;
}

static void
report_path_text(struct strbuf *sb, const struct diff_fn *fn)
{
	size_t i, from = report_path_start(fn);

	/* Long paths: the last frames, which say who called whom. */
	if (fn->npath - from > 6) {
		from = fn->npath - 6;
		strbuf_addstr(sb, "... > ");
	}
	for (i = from; i < fn->npath; i++) {
		escape_term(sb, fn->path[i], 40);
		if (i + 1 < fn->npath)
			strbuf_addstr(sb, " > ");
	}
}

/* Whether the report's values are shares (else ms or samples a run). */
static bool
report_shares(const struct diff_result *r)
{
	return !strcmp(r->unit, "pts");
}

/* The unit of a value shown (a share is "%", a change of one "pts"). */
static const char *
report_value_unit(const struct diff_result *r)
{
	return report_shares(r) ? "%" : r->unit;
}

/* The unit of a change: "pts", or "ms a run" (a static string). */
const char *
diffreport_change_unit(const struct diff_result *r)
{
	static char buf[32];

	if (report_shares(r))
		return "pts";
	snprintf(buf, sizeof(buf), "%s a run", r->unit);
	return buf;
}

/* Whether f is in the list idx[0..n). */
static bool
report_in(const size_t *idx, size_t n, size_t f)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (idx[i] == f)
			return true;
	return false;
}

/* "record about 8 runs a side to decide" (a static buffer). */
const char *
diffreport_advice(const struct diff_fn *fn)
{
	static char buf[64];

	if (fn->runs_needed > 0 && fn->runs_needed < 1e6)
		snprintf(buf, sizeof(buf),
			 "record about %.0f runs a side to decide",
			 ceil(fn->runs_needed));
	else
		snprintf(buf, sizeof(buf), "record more runs a side to decide");
	return buf;
}

/* What a library callee's caller did itself, when it fell too. */
static void
report_caller_fell(struct strbuf *sb, const struct diff_result *r,
		   const struct diff_fn *fn, bool md)
{
	const struct diff_fn *c = &r->fns[fn->caller];
	char q[16];

	diffreport_pval(q, sizeof(q), c->self.q);
	if (md)
		escape_md_code(sb, c->name, 0, true);
	else
		escape_term(sb, c->name, 40);
	strbuf_addf(sb,
		    "'s own self time fell too: %.2f%s to %.2f%s, change "
		    "%+.2f %s%s, q %s",
		    c->self.base_v, report_value_unit(r),
		    diff_pr_own(r, &c->self), report_value_unit(r),
		    c->self.delta, diffreport_change_unit(r),
		    diff_rescaled(r) ? " rescaled" : "", q);
}

/*
 * When the rescaling alone gives the change its direction (the PR's own
 * share moved the other way), say so: nothing reads as grown or fallen
 * merely by rescaling. Appends nothing and returns false otherwise.
 */
static bool
report_rescaling_only(struct strbuf *sb, const struct diff_result *r,
		      const struct diff_fn *fn)
{
	double own = diff_pr_own(r, &fn->self) - fn->self.base_v;

	if (!diff_rescaled(r) || own == 0 || (own > 0) == (fn->self.delta > 0))
		return false;
	strbuf_addf(sb,
		    "a %s only after rescaling: its own share %s from %.2f%% "
		    "to %.2f%%",
		    fn->self.delta > 0 ? "rise" : "fall",
		    own > 0 ? "rose" : "fell", fn->self.base_v,
		    diff_pr_own(r, &fn->self));
	return true;
}

/* The lines under a row: the path, the folded caller, the advice. */
static void
report_text_notes(FILE *fp, const struct diff_result *r,
		  const struct diff_fn *fn)
{
	struct strbuf sb;

	strbuf_init(&sb);
	if (report_rescaling_only(&sb, r, fn))
		fprintf(fp, "   %s\n", sb.buf);
	strbuf_reset(&sb);
	if (fn->is_new)
		fputs("   new in PR (no samples in the baseline)\n", fp);
	if (fn->npath) {
		report_path_text(&sb, fn);
		fprintf(fp, "   %s %s (%.0f%% of its change)\n",
			fn->callee_only ? "called more via:" : "via", sb.buf,
			100 * fmin(1, fn->path_share));
		strbuf_reset(&sb);
	}
	if (fn->caller_fell && fn->caller < r->nfns) {
		report_caller_fell(&sb, r, fn, false);
		fprintf(fp, "   %s\n", sb.buf);
	}
	if (!diff_fn_is_finding(fn))
		fprintf(fp, "   %s\n", diffreport_advice(fn));
	strbuf_fini(&sb);
}

/* s's name and module in exactly cols characters. */
static void
report_text_fn_name(struct strbuf *sb, const struct diff_fn *fn, size_t cols)
{
	char name[256];

	snprintf(name, sizeof(name), "%s%s%s%s", fn->name,
		 fn->module[0] ? " (" : "", fn->module,
		 fn->module[0] ? ")" : "");
	report_text_name(sb, name, cols);
}

/* Rows idx[from..to) of a list, numbered from 1. */
static void
report_text_rows(FILE *fp, const struct diff_result *r, const size_t *idx,
		 size_t from, size_t to)
{
	bool sh = report_shares(r);
	size_t i;

	fprintf(fp, "   %-*s %7s %7s %8s %7s %5s\n", NAME_COLS, "function",
		sh ? "base%" : "base", sh ? "PR%" : "PR",
		diff_rescaled(r) ? "change*" : "change", "q", "part");
	for (i = from; i < to; i++) {
		const struct diff_fn *fn = &r->fns[idx[i]];
		struct strbuf sb;
		char q[16], part[8];

		strbuf_init(&sb);
		report_text_fn_name(&sb, fn, NAME_COLS);
		diffreport_pval(q, sizeof(q), fn->self.q);
		if (diff_fn_is_finding(fn))
			snprintf(part, sizeof(part), "%4.0f%%",
				 100 * fabs(fn->explains));
		else
			snprintf(part, sizeof(part), "-");
		fprintf(fp, "%2zu %s %7.2f %7.2f %+8.2f %7s %5s\n",
			i - from + 1, sb.buf, fn->self.base_v,
			diff_pr_own(r, &fn->self), fn->self.delta, q, part);
		strbuf_reset(&sb);
		if (fn->inlined_into) {
			escape_term(&sb, fn->inlined_into, 60);
			fprintf(fp,
				"   inlined into %s (%.0f%% of its self time "
				"ran inlined)\n",
				sb.buf, 100 * fn->inlined_share);
		}
		strbuf_fini(&sb);
		report_text_notes(fp, r, fn);
	}
}

/* Whether f is in neither list (regressions, improvements) of r. */
static bool
report_unlisted_fn(const struct diff_result *r, size_t f)
{
	return !report_in(r->regressions, r->nregressions, f) &&
	       !report_in(r->improvements, r->nimprovements, f);
}

/* How many of idx[0..n) no list shows (the new and gone lists show them). */
static size_t
report_unlisted(const struct diff_result *r, const size_t *idx, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += report_unlisted_fn(r, idx[i]);
	return k;
}

/* Functions new in (or gone from) the PR that no list above shows. */
static void
report_text_list(FILE *fp, const struct diff_result *r, const size_t *idx,
		 size_t n, bool pr_side)
{
	size_t i, shown = 0;

	for (i = 0; i < n; i++) {
		const struct diff_fn *fn = &r->fns[idx[i]];
		struct strbuf sb;

		if (!report_unlisted_fn(r, idx[i]))
			continue;
		if (shown++ == 20)
			break;
		strbuf_init(&sb);
		report_text_fn_name(&sb, fn, NAME_COLS + 16);
		fprintf(fp, "   %s total %7.2f %s\n", sb.buf,
			pr_side ? diff_pr_own(r, &fn->total) : fn->total.base_v,
			report_shares(r) ? (pr_side ? "% of the PR"
						    : "% of the baseline")
					 : r->unit);
		strbuf_fini(&sb);
	}
	if (i < n)
		fprintf(fp, "   ... and %zu more\n",
			report_unlisted(r, idx, n) - 20);
}

/* The units of the values and the threshold of a finding, in words. */
static void
report_text_units(FILE *fp, const struct diff_result *r)
{
	if (!report_shares(r))
		fprintf(fp,
			"self time in %s a run (each side's mean); change: "
			"PR - baseline\n",
			r->unit);
	else if (!diff_rescaled(r))
		fprintf(fp,
			"self time in %% of each side's own %s; change: PR - "
			"baseline, in points\n",
			report_of(r));
	else
		fprintf(fp,
			"self time in %% of each side's own %s; change*: "
			"points, rescaled:\n"
			"* PR's share / %.4g - baseline's share: unchanged "
			"functions compare equal\n",
			report_of(r), r->pr_scale);
	fprintf(fp, "findings: q <= %g (FDR) and |change| >= %.3g %s",
		r->opts.alpha, r->min_change, r->unit);
	if (!report_shares(r))
		fprintf(fp, " (%g%% of the baseline's total)",
			r->opts.min_delta);
	fprintf(fp, "\n%s\n", report_noise(r));
	if (r->normalize_why)
		fprintf(fp, "normalization: %s\n", r->normalize_why);
}

/* A list in its two tiers: findings under title, then possible ones. */
static void
report_text_tiers(FILE *fp, const struct diff_result *r, const size_t *idx,
		  size_t n, size_t nfind, const char *title,
		  const char *possible)
{
	if (nfind) {
		fprintf(fp, "\n%s:\n", title);
		report_text_rows(fp, r, idx, 0, nfind);
	}
	if (n > nfind) {
		fprintf(fp,
			"\n%s (weaker evidence; they never fail a build):\n",
			possible);
		report_text_rows(fp, r, idx, nfind, n);
	}
}

int
diffreport_write_text(const struct diff_result *r, FILE *fp, bool color)
{
	const char *on = "", *off = "";
	char base[64], pr[64];
	struct strbuf why;

	if (color) {
		on = r->verdict == DIFF_REGRESSION     ? "\033[1;31m"
		     : r->verdict == DIFF_INCONCLUSIVE ? "\033[1;33m"
						       : "\033[1;32m";
		off = "\033[0m";
	}
	strbuf_init(&why);
	escape_term(&why, r->why, 0);
	fprintf(fp, "scorch diff: %s%s%s: %s\n", on,
		diff_verdict_name(r->verdict), off, why.buf);
	strbuf_fini(&why);
	report_amount(r, r->base_samples, base, sizeof(base));
	report_amount(r, r->pr_samples, pr, sizeof(pr));
	fprintf(fp, "baseline: %zu run%s, %s; PR: %zu run%s, %s\n", r->nbase,
		r->nbase == 1 ? "" : "s", base, r->npr, r->npr == 1 ? "" : "s",
		pr);
	report_text_units(fp, r);
	report_text_tiers(
		fp, r, r->regressions, r->nregressions, r->nregression_findings,
		"Regressions, most responsible first", "Possible regressions");
	report_text_tiers(fp, r, r->improvements, r->nimprovements,
			  r->nimprovement_findings, "Improvements",
			  "Possible improvements");
	if (report_unlisted(r, r->added, r->nadded)) {
		fprintf(fp, "\nNew in PR:\n");
		report_text_list(fp, r, r->added, r->nadded, true);
	}
	if (report_unlisted(r, r->removed, r->nremoved)) {
		fprintf(fp, "\nGone from PR:\n");
		report_text_list(fp, r, r->removed, r->nremoved, false);
	}
	return ferror(fp) ? -1 : 0;
}

/* ---- markdown ------------------------------------------------------------- */

/* s as a markdown code span (escape.c), in a table cell or not. */
static void
report_md_code(FILE *fp, const char *s, bool in_table)
{
	struct strbuf sb;

	strbuf_init(&sb);
	escape_md_code(&sb, s, 0, in_table);
	fwrite(sb.buf, 1, sb.len, fp);
	strbuf_fini(&sb);
}

/* The call path cell of a row: the path, the folded caller, the new. */
static void
report_md_path(FILE *fp, const struct diff_result *r, const struct diff_fn *fn)
{
	struct strbuf sb;
	size_t j;

	strbuf_init(&sb);
	if (report_rescaling_only(&sb, r, fn))
		fprintf(fp, "%s; ", sb.buf);
	strbuf_fini(&sb);
	if (fn->is_new)
		fputs("new in PR; ", fp);
	if (fn->npath) {
		if (fn->callee_only)
			fputs("called more via ", fp);
		for (j = report_path_start(fn); j < fn->npath; j++) {
			if (j > report_path_start(fn))
				fputs(" → ", fp);
			report_md_code(fp, fn->path[j], true);
		}
		fprintf(fp, " (%.0f%%)", 100 * fmin(1, fn->path_share));
	}
	if (fn->caller_fell && fn->caller < r->nfns) {
		strbuf_init(&sb);
		report_caller_fell(&sb, r, fn, true);
		fprintf(fp, "; %s", sb.buf);
		strbuf_fini(&sb);
	}
}

/* Rows idx[from..to) as a table; possible ones say what would decide. */
static void
report_md_rows(FILE *fp, const struct diff_result *r, const size_t *idx,
	       size_t from, size_t to, bool possible)
{
	size_t i;

	fprintf(fp,
		"| # | function | baseline (%s) | PR (%s, own) | change (%s%s) "
		"| q | %s | call path |\n",
		report_value_unit(r), report_value_unit(r), r->unit,
		diff_rescaled(r) ? ", rescaled" : "",
		possible ? "to decide" : "share of change");
	fputs("|---:|---|---:|---:|---:|---:|---:|---|\n", fp);
	for (i = from; i < to; i++) {
		const struct diff_fn *fn = &r->fns[idx[i]];
		char q[16];

		diffreport_pval(q, sizeof(q), fn->self.q);
		fprintf(fp, "| %zu | ", i - from + 1);
		report_md_code(fp, fn->name, true);
		if (fn->module[0]) {
			fputs(" in ", fp);
			report_md_code(fp, fn->module, true);
		}
		if (fn->inlined_into) {
			fputs(", inlined into ", fp);
			report_md_code(fp, fn->inlined_into, true);
		}
		fprintf(fp, " | %.2f | %.2f | **%+.2f** | %s | ",
			fn->self.base_v, diff_pr_own(r, &fn->self),
			fn->self.delta, q);
		if (possible)
			fprintf(fp, "%s", diffreport_advice(fn));
		else
			fprintf(fp, "%.0f%%", 100 * fabs(fn->explains));
		fputs(" | ", fp);
		report_md_path(fp, r, fn);
		fputs(" |\n", fp);
	}
}

static void
report_md_list(FILE *fp, const struct diff_result *r, const size_t *idx,
	       size_t n, bool pr_side)
{
	size_t i, shown = 0;

	for (i = 0; i < n; i++) {
		const struct diff_fn *fn = &r->fns[idx[i]];

		if (!report_unlisted_fn(r, idx[i]))
			continue;
		if (shown++ == 20)
			break;
		fputs("- ", fp);
		report_md_code(fp, fn->name, false);
		if (fn->module[0]) {
			fputs(" in ", fp);
			report_md_code(fp, fn->module, false);
		}
		fprintf(fp, ": %.2f %s%s total\n",
			pr_side ? diff_pr_own(r, &fn->total) : fn->total.base_v,
			report_shares(r) ? (pr_side ? "% of the PR's "
						    : "% of the baseline's ")
					 : r->unit,
			report_shares(r) ? report_of(r) : "");
	}
	if (i < n)
		fprintf(fp, "- ... and %zu more\n",
			report_unlisted(r, idx, n) - 20);
}

/* The units of the values and a finding's threshold, in words. */
static void
report_md_units(FILE *fp, const struct diff_result *r)
{
	if (!report_shares(r))
		fprintf(fp,
			"Self time in %s a run (each side's mean); change: PR "
			"− baseline",
			r->unit);
	else if (!diff_rescaled(r))
		fprintf(fp,
			"Self time in %% of each side's own %s; change: PR "
			"− baseline, in points",
			report_of(r));
	else
		fprintf(fp,
			"Self time in %% of each side's own %s; change: "
			"in points, *rescaled*: the PR's share ÷ %.4g − the "
			"baseline's, so that unchanged functions compare equal",
			report_of(r), r->pr_scale);
	fprintf(fp,
		". A finding needs q ≤ %g (Benjamini-Hochberg) and a change "
		"of at least %.3g %s",
		r->opts.alpha, r->min_change, r->unit);
	if (!report_shares(r))
		fprintf(fp, " (%g%% of the baseline's total)",
			r->opts.min_delta);
	fprintf(fp, "; %s.\n", report_noise(r));
	if (r->normalize_why)
		fprintf(fp, "Normalization: %s.\n", r->normalize_why);
}

/* A list in its two tiers. */
static void
report_md_tiers(FILE *fp, const struct diff_result *r, const size_t *idx,
		size_t n, size_t nfind, const char *title, const char *possible)
{
	if (nfind) {
		fprintf(fp, "\n#### %s\n\n", title);
		report_md_rows(fp, r, idx, 0, nfind, false);
	}
	if (n > nfind) {
		fprintf(fp,
			"\n#### %s\n\nWeaker evidence, not findings: they "
			"never fail `--fail-on-regression`.\n\n",
			possible);
		report_md_rows(fp, r, idx, nfind, n, true);
	}
}

int
diffreport_write_markdown(const struct diff_result *r, FILE *fp)
{
	static const char *const icon[] = { "✅", "🔴", "⚠️" };
	char base[64], pr[64];
	struct strbuf why;

	fprintf(fp, "### %s scorch diff: %s\n\n", icon[r->verdict],
		diff_verdict_name(r->verdict));
	strbuf_init(&why);
	escape_md_text(&why, r->why);
	fprintf(fp, "%s.\n\n", why.buf);
	strbuf_fini(&why);
	report_amount(r, r->base_samples, base, sizeof(base));
	report_amount(r, r->pr_samples, pr, sizeof(pr));
	fprintf(fp, "Baseline: %zu run%s, %s. PR: %zu run%s, %s. ", r->nbase,
		r->nbase == 1 ? "" : "s", base, r->npr, r->npr == 1 ? "" : "s",
		pr);
	report_md_units(fp, r);
	report_md_tiers(fp, r, r->regressions, r->nregressions,
			r->nregression_findings, "Regressions",
			"Possible regressions");
	report_md_tiers(fp, r, r->improvements, r->nimprovements,
			r->nimprovement_findings, "Improvements",
			"Possible improvements");
	if (report_unlisted(r, r->added, r->nadded)) {
		fputs("\n#### New in PR\n\n", fp);
		report_md_list(fp, r, r->added, r->nadded, true);
	}
	if (report_unlisted(r, r->removed, r->nremoved)) {
		fputs("\n#### Gone from PR\n\n", fp);
		report_md_list(fp, r, r->removed, r->nremoved, false);
	}
	return ferror(fp) ? -1 : 0;
}

/* ---- the flame graph's note ----------------------------------------------- */

char *
diffreport_fn_note(const struct diff_result *r, const struct diff_fn *fn)
{
	const char *dir = fn->self.delta < 0 ? "improvement" : "regression";
	char q[16];

	diffreport_pval(q, sizeof(q), fn->self.q);
	if (diff_fn_is_finding(fn))
		return xasprintf("finding: %s, self %+.2f %s%s, q %s", dir,
				 fn->self.delta, diffreport_change_unit(r),
				 diff_rescaled(r) ? " rescaled" : "", q);
	return xasprintf("possible %s (self %+.2f %s%s, q %s): %s", dir,
			 fn->self.delta, diffreport_change_unit(r),
			 diff_rescaled(r) ? " rescaled" : "", q,
			 diffreport_advice(fn));
}
