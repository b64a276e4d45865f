/* SPDX-License-Identifier: MIT */
/*
 * render/diffreport.c - the regression report diff/ computed, presented:
 * text for a terminal or a CI log (80 columns), markdown for a PR comment,
 * JSON for machines (docs/DIFF.md has its fields). Names come from
 * profiles, which are untrusted: they are shown only through escape.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../diff/diff.h"
#include "../profile/profile.h"
#include "internal.h"

#define NAME_COLS 34 /* the function column in text */

static const char *
report_kind(int kind)
{
	return frame_kind_name((enum frame_kind)kind);
}

/* A q-value or p-value as text: "<1e-16" below double's reach. */
static void
report_pval(char *buf, size_t n, double p)
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

/* The unit self time is in: "% of samples" (or of the time), ms... */
static const char *
report_unit_name(const struct diff_result *r)
{
	bool ns = r->count_name && !strcmp(r->count_name, "ns");

	if (!strcmp(r->unit, "pts"))
		return ns ? "% of the time" : "% of samples";
	return r->unit;
}

/* The noise model in words (a static buffer). */
static const char *
report_noise(const struct diff_result *r)
{
	static char buf[96];

	if (!strcmp(r->dispersion_from, "runs"))
		snprintf(buf, sizeof(buf),
			 "run-to-run noise %.1f%% (from the "
			 "runs)",
			 100 * r->dispersion);
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

static void
report_text_rows(FILE *fp, const struct diff_result *r, const size_t *idx,
		 size_t n, bool with_path)
{
	size_t i;

	fprintf(fp, "   %-*s %7s %7s %8s %7s %5s\n", NAME_COLS, "function",
		"base", "PR", "delta", "q", "part");
	for (i = 0; i < n; i++) {
		const struct diff_fn *fn = &r->fns[idx[i]];
		struct strbuf sb;
		char q[16], name[256];

		strbuf_init(&sb);
		snprintf(name, sizeof(name), "%s%s%s%s", fn->name,
			 fn->module[0] ? " (" : "", fn->module,
			 fn->module[0] ? ")" : "");
		report_text_name(&sb, name, NAME_COLS);
		report_pval(q, sizeof(q), fn->self.q);
		fprintf(fp, "%2zu %s %7.2f %7.2f %+8.2f %7s %4.0f%%\n", i + 1,
			sb.buf, fn->self.base_v, fn->self.pr_v, fn->self.delta,
			q, 100 * fabs(fn->explains));
		strbuf_reset(&sb);
		if (with_path && fn->npath) {
			report_path_text(&sb, fn);
			if (fn->callee_only)
				fprintf(fp,
					"   called more via: %s (%.0f%% of "
					"its change)\n",
					sb.buf, 100 * fmin(1, fn->path_share));
			else
				fprintf(fp,
					"   via %s (%.0f%% of its change)\n",
					sb.buf, 100 * fmin(1, fn->path_share));
		}
		strbuf_fini(&sb);
	}
}

static void
report_text_list(FILE *fp, const struct diff_result *r, const size_t *idx,
		 size_t n, bool pr_side)
{
	size_t i;

	for (i = 0; i < n && i < 20; i++) {
		const struct diff_fn *fn = &r->fns[idx[i]];
		struct strbuf sb;
		char name[256];

		strbuf_init(&sb);
		snprintf(name, sizeof(name), "%s%s%s%s", fn->name,
			 fn->module[0] ? " (" : "", fn->module,
			 fn->module[0] ? ")" : "");
		report_text_name(&sb, name, NAME_COLS + 16);
		fprintf(fp, "   %s total %7.2f %s\n", sb.buf,
			pr_side ? fn->total.pr_v : fn->total.base_v, r->unit);
		strbuf_fini(&sb);
	}
	if (n > 20)
		fprintf(fp, "   ... and %zu more\n", n - 20);
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
	fprintf(fp,
		"self time in %s; findings: q <= %g (FDR) and |delta| >= "
		"%g; %s\n",
		report_unit_name(r), r->opts.alpha, r->opts.min_delta,
		report_noise(r));
	if (r->nregressions) {
		fprintf(fp, "\nRegressions, most responsible first:\n");
		report_text_rows(fp, r, r->regressions, r->nregressions, true);
	}
	if (r->nimprovements) {
		fprintf(fp, "\nImprovements:\n");
		report_text_rows(fp, r, r->improvements, r->nimprovements,
				 true);
	}
	if (r->nadded) {
		fprintf(fp, "\nNew in PR:\n");
		report_text_list(fp, r, r->added, r->nadded, true);
	}
	if (r->nremoved) {
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

static void
report_md_rows(FILE *fp, const struct diff_result *r, const size_t *idx,
	       size_t n)
{
	size_t i, j;

	fprintf(fp,
		"| # | function | baseline | PR | delta (%s) | q | share "
		"of change | call path |\n",
		r->unit);
	fputs("|---:|---|---:|---:|---:|---:|---:|---|\n", fp);
	for (i = 0; i < n; i++) {
		const struct diff_fn *fn = &r->fns[idx[i]];
		char q[16];

		report_pval(q, sizeof(q), fn->self.q);
		fprintf(fp, "| %zu | ", i + 1);
		report_md_code(fp, fn->name, true);
		if (fn->module[0]) {
			fputs(" in ", fp);
			report_md_code(fp, fn->module, true);
		}
		fprintf(fp, " | %.2f | %.2f | **%+.2f** | %s | %.0f%% | ",
			fn->self.base_v, fn->self.pr_v, fn->self.delta, q,
			100 * fabs(fn->explains));
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
		fputs(" |\n", fp);
	}
}

static void
report_md_list(FILE *fp, const struct diff_result *r, const size_t *idx,
	       size_t n, bool pr_side)
{
	size_t i;

	for (i = 0; i < n && i < 20; i++) {
		const struct diff_fn *fn = &r->fns[idx[i]];

		fputs("- ", fp);
		report_md_code(fp, fn->name, false);
		if (fn->module[0]) {
			fputs(" in ", fp);
			report_md_code(fp, fn->module, false);
		}
		fprintf(fp, ": %.2f %s total\n",
			pr_side ? fn->total.pr_v : fn->total.base_v, r->unit);
	}
	if (n > 20)
		fprintf(fp, "- ... and %zu more\n", n - 20);
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
	fprintf(fp,
		"Baseline: %zu run%s, %s. PR: %zu run%s, %s. Self time in "
		"%s; a finding needs q ≤ %g "
		"(Benjamini-Hochberg) and a change of at least %g; %s.\n",
		r->nbase, r->nbase == 1 ? "" : "s", base, r->npr,
		r->npr == 1 ? "" : "s", pr, report_unit_name(r), r->opts.alpha,
		r->opts.min_delta, report_noise(r));
	if (r->nregressions) {
		fputs("\n#### Regressions\n\n", fp);
		report_md_rows(fp, r, r->regressions, r->nregressions);
	}
	if (r->nimprovements) {
		fputs("\n#### Improvements\n\n", fp);
		report_md_rows(fp, r, r->improvements, r->nimprovements);
	}
	if (r->nadded) {
		fputs("\n#### New in PR\n\n", fp);
		report_md_list(fp, r, r->added, r->nadded, true);
	}
	if (r->nremoved) {
		fputs("\n#### Gone from PR\n\n", fp);
		report_md_list(fp, r, r->removed, r->nremoved, false);
	}
	return ferror(fp) ? -1 : 0;
}

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

static void
report_json_measure(FILE *fp, const char *prefix, const struct diff_measure *m)
{
	fprintf(fp, ", \"%s_base\": ", prefix);
	report_json_num(fp, m->base_v);
	fprintf(fp, ", \"%s_pr\": ", prefix);
	report_json_num(fp, m->pr_v);
	fprintf(fp, ", \"%s_delta\": ", prefix);
	report_json_num(fp, m->delta);
	fprintf(fp, ", \"%s_relative\": ", prefix);
	report_json_num(fp, m->rel);
	fprintf(fp, ", \"%s_samples\": [%llu, %llu]", prefix,
		(unsigned long long)m->base, (unsigned long long)m->pr);
}

static void
report_json_fn(FILE *fp, const struct diff_result *r, const struct diff_fn *fn)
{
	size_t j;

	fputs("{\"function\": ", fp);
	json_put_string(fp, fn->name);
	fputs(", \"module\": ", fp);
	json_put_string(fp, fn->module);
	fprintf(fp, ", \"kind\": \"%s\", \"path\": ", report_kind(fn->kind));
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
	report_json_measure(fp, "self", &fn->self);
	report_json_measure(fp, "total", &fn->total);
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
	fprintf(fp, ", \"significant\": %s, \"tested\": %s",
		fn->significant ? "true" : "false",
		fn->self.tested ? "true" : "false");
	fputs(", \"explains\": ", fp);
	report_json_num(fp, fn->explains);
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
	fputs("{\n\"format\": \"scorch-diff\",\n\"version\": \"1.0\",\n", fp);
	fprintf(fp, "\"verdict\": \"%s\",\n\"reason\": ",
		diff_verdict_name(r->verdict));
	json_put_string(fp, r->why);
	fprintf(fp,
		",\n\"unit\": \"%s\",\n\"normalize\": \"%s\",\n\"alpha\": %g,"
		"\n\"min_delta\": %g,\n\"min_share\": %g,\n",
		r->unit,
		r->opts.normalize == DIFF_NORM_SHARE ? "share" : "none",
		r->opts.alpha, r->opts.min_delta, r->opts.min_share);
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
	fputs(",\n\"dispersion\": ", fp);
	report_json_num(fp, r->dispersion);
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
