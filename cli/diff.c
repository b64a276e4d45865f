/* SPDX-License-Identifier: MIT */
/*
 * cli/diff.c - `scorch diff BASE PR`: compare a baseline with a PR, each
 * one profile (native or folded) or a directory of runs. Prints the
 * regression report on stdout, writes it as markdown or JSON with
 * --report, draws a differential flame graph with -o. With
 * --fail-on-regression the exit code is the verdict: 0 no regression,
 * 1 regression, 125 no verdict possible (git bisect skips), 2 bad input.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/common.h"
#include "../diff/diff.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

#define DIFF_MAX_RUNS 1000

static const char diff_usage[] =
	"usage: scorch diff BASE PR [-o DIFF.svg] [--report FILE]...\n"
	"                   [--normalize auto|share|none] [--alpha A] [--min-delta D]\n"
	"                   [--min-share PCT] [--min-samples N] [--base-shape]\n"
	"                   [--fail-on-regression] [flame graph options]\n"
	"\n"
	"Compare a baseline with a PR and name the functions that got slower,\n"
	"with the call paths responsible, telling change from noise. BASE and\n"
	"PR are each a profile (native .json or folded) or a directory holding\n"
	"several runs of that side (*.json, *.folded): several runs a side make\n"
	"the verdict far more sensitive. docs/DIFF.md describes the method.\n"
	"\n"
	"  -o, --output FILE.svg   a differential flame graph: the PR's shape,\n"
	"                          red where its own share grew, blue where it\n"
	"                          shrank\n"
	"      --base-shape        draw the baseline's shape instead (shows\n"
	"                          code the PR removed)\n"
	"      --report FILE       also write the report: FILE.md (markdown, for\n"
	"                          a PR comment), FILE.json, or text; repeatable\n"
	"      --normalize MODE    auto (default): none when every run recorded\n"
	"                          a whole command (fixed work), else share;\n"
	"                          share: compare shares of all samples;\n"
	"                          none: absolute CPU time per run\n"
	"      --alpha A           false-discovery rate of the findings\n"
	"                          (default 0.001)\n"
	"      --min-delta D       smallest change worth reporting: share points,\n"
	"                          or with --normalize none percent of the\n"
	"                          baseline's total (default 0.5)\n"
	"      --min-share PCT     test functions with at least this share on\n"
	"                          either side (default 0.2)\n"
	"      --min-samples N     fewer samples a side: no verdict (default 500)\n"
	"      --fail-on-regression  exit 1 on a regression finding (possible\n"
	"                          ones never fail), 125 when the profiles\n"
	"                          cannot support a verdict\n"
	"  -q, --quiet             no report on stdout\n"
	"\n" CLI_FLAME_USAGE "\n"
	"EXAMPLES\n"
	"  scorch diff base.json pr.json\n"
	"  scorch diff runs/base/ runs/pr/ -o diff.svg --report diff.md\n"
	"  scorch diff base/ pr/ --fail-on-regression --report diff.json\n"
	"  git bisect run sh -c 'make && scorch record -o /tmp/pr.json -- "
	"./bench &&\n"
	"      scorch diff good.json /tmp/pr.json --fail-on-regression'\n";

struct diff_side {
	struct profile **runs;
	size_t n;
};

static int
diff_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
diff_is_run_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && ((n > 5 && !strcmp(name + n - 5, ".json")) ||
				  (n > 7 && !strcmp(name + n - 7, ".folded")));
}

/* Load one run of a side (found in a directory: dir_side) into side. */
static int
diff_load_run(const char *name, bool dir_side, struct diff_side *side)
{
	struct scorch_err err;
	struct profile *p;
	uint64_t total = 0;
	struct stat st;
	size_t i;

	/* A run found in a directory is a regular file: a FIFO would block
	 * the diff forever, a device never ends. */
	if (dir_side && (stat(name, &st) < 0 || !S_ISREG(st.st_mode))) {
		cli_error("%s: not a regular file, not a run", name);
		return -1;
	}
	p = profile_load(name, &err);
	if (!p) {
		cli_error("%s", err.msg);
		return -1;
	}
	/* A side's runs add up: their counts stay exact. */
	for (i = 0; i < side->n; i++)
		total += profile_total(side->runs[i]);
	if (profile_total(p) > UINT64_MAX - total) {
		cli_error("%s: sample counts overflow: the sum with the runs "
			  "before it passes 2^64 - 1",
			  name);
		profile_free(p);
		return -1;
	}
	side->runs =
		xreallocarray(side->runs, side->n + 1, sizeof(*side->runs));
	side->runs[side->n++] = p;
	return 0;
}

/* Load one side: a profile, "-", or every run in a directory. */
static int
diff_load_side(const char *path, struct diff_side *side)
{
	struct stat st;
	char **names = NULL;
	size_t n = 0, i;
	DIR *dir;
	struct dirent *de;
	int ret = 0;
	bool dir_side = false;

	if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		dir_side = true;
		dir = opendir(path);
		if (!dir) {
			cli_error("%s: %s", path, strerror(errno));
			return -1;
		}
		while ((de = readdir(dir))) {
			if (!diff_is_run_file(de->d_name))
				continue;
			if (n == DIFF_MAX_RUNS) {
				cli_error("%s: more than %d runs", path,
					  DIFF_MAX_RUNS);
				ret = -1;
				break;
			}
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xasprintf("%s/%s", path, de->d_name);
		}
		closedir(dir);
		if (!ret && !n) {
			cli_error("%s: no profiles (*.json, *.folded) in this "
				  "directory",
				  path);
			ret = -1;
		}
		if (n)
			qsort(names, n, sizeof(*names), diff_name_cmp);
	} else {
		names = xmalloc(sizeof(*names));
		names[n++] = xstrdup(path);
	}
	for (i = 0; i < n && !ret; i++)
		ret = diff_load_run(names[i], dir_side, side);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

static void
diff_side_fini(struct diff_side *side)
{
	size_t i;

	for (i = 0; i < side->n; i++)
		profile_free(side->runs[i]);
	free(side->runs);
}

/* What the flame graph's annotate callback needs. */
struct diff_draw {
	const struct diff_result *r;
	const struct profile *shape;
	struct diff_paths *other;
	uint64_t this_total, other_total;
	bool shape_is_pr;
	/* Share mode: the change is in each side's own share points; else
	 * in the report's unit a run (ms or samples), one sample worth: */
	bool shares;
	double this_per_sample, other_per_sample;
	double scale; /* the change at which color saturates */
	char **notes; /* per function of r, the tooltip's note, or NULL */
};

/* The note of a listed function, made once (the flame graph keeps it). */
static const char *
diff_draw_note(struct diff_draw *d, const struct diff_fn *fn)
{
	size_t f = (size_t)(fn - d->r->fns);

	if (!d->notes[f])
		d->notes[f] = diffreport_fn_note(d->r, fn);
	return d->notes[f];
}

/*
 * Each side's own measurement of a path, and the change PR - baseline in
 * them: no rescaling, so the root and a trunk every sample passes through
 * do not change color because the shares were rescaled (docs/DIFF.md).
 */
static void
diff_annotate(void *ctx, const uint32_t *frames, uint32_t depth, uint32_t same,
	      uint64_t samples, struct flame_annot *out)
{
	struct diff_draw *d = ctx;
	const struct diff_fn *fn = NULL;
	enum diff_tier tier = DIFF_TIER_NONE;
	double this_v, other_v, delta;

	out->other = diff_paths_lookup(d->other, d->shape, frames, depth, same);
	if (d->shares) {
		this_v = d->this_total ? 100.0 * (double)samples /
						 (double)d->this_total
				       : 0;
		other_v = d->other_total ? 100.0 * (double)out->other /
						   (double)d->other_total
					 : 0;
	} else {
		this_v = d->this_per_sample * (double)samples;
		other_v = d->other_per_sample * (double)out->other;
	}
	/* Always PR minus baseline, whichever side gives the shape. */
	delta = d->shape_is_pr ? this_v - other_v : other_v - this_v;
	out->delta = delta;
	out->intensity = fmin(1, fabs(delta) / d->scale);
	if (depth > 0)
		tier = diff_frame_tier(d->r, d->shape, frames[depth - 1], &fn);
	out->significant = tier == DIFF_TIER_FINDING;
	out->possible = tier == DIFF_TIER_POSSIBLE;
	if (fn)
		out->note = diff_draw_note(d, fn);
}

struct diff_svg_args {
	const struct profile *shape;
	const struct flame_opts *fo;
	const struct flame_diff *fd;
};

static int
diff_svg_cb(FILE *fp, void *arg)
{
	const struct diff_svg_args *a = arg;

	return flame_write_diff_svg(a->shape, a->fo, a->fd, fp);
}

/* The size of a finding's change in each side's own self values. */
static double
diff_draw_own_change(const struct diff_result *r, const struct diff_fn *fn)
{
	return fabs(diff_pr_own(r, &fn->self) - fn->self.base_v);
}

/*
 * How the graph measures a path: each side's own share, or with absolute
 * values (--normalize none) the report's unit a run, from each side's
 * per-run total; color saturates at the biggest finding's own change.
 */
static void
diff_draw_values(struct diff_draw *d, const struct diff_result *r,
		 bool base_shape)
{
	uint64_t base_n = base_shape ? d->this_total : d->other_total;
	uint64_t pr_n = base_shape ? d->other_total : d->this_total;
	double base_ps, pr_ps;
	size_t i;

	d->shares = !strcmp(r->unit, "pts");
	base_ps = base_n ? r->base_total_v / (double)base_n : 0;
	pr_ps = pr_n ? r->pr_total_v / (double)pr_n : 0;
	d->this_per_sample = base_shape ? base_ps : pr_ps;
	d->other_per_sample = base_shape ? pr_ps : base_ps;
	d->scale = d->shares ? 1 : 0.005 * fmax(r->base_total_v, 1e-9);
	for (i = 0; i < r->nregression_findings; i++)
		d->scale = fmax(
			d->scale,
			diff_draw_own_change(r, &r->fns[r->regressions[i]]));
	for (i = 0; i < r->nimprovement_findings; i++)
		d->scale = fmax(
			d->scale,
			diff_draw_own_change(r, &r->fns[r->improvements[i]]));
}

static int
diff_write_svg(const struct diff_result *r, const struct diff_side *base,
	       const struct diff_side *pr, bool base_shape,
	       struct flame_opts *fo, const char *path)
{
	const struct diff_side *this = base_shape ? base : pr;
	const struct diff_side *other = base_shape ? pr : base;
	struct scorch_err err;
	struct profile *shape = profile_merge(this->runs, this->n, NULL, &err);
	struct diff_draw d;
	struct flame_diff fd;
	struct diff_svg_args sa;
	char subtitle[256];
	size_t i;
	int ret;

	if (!shape) { /* diff_load_side() refused such a side */
		cli_error("%s", err.msg);
		return -1;
	}
	memset(&d, 0, sizeof(d));
	d.r = r;
	d.shape = shape;
	d.other = diff_paths_new(other->runs, other->n);
	d.this_total = profile_total(shape);
	d.other_total = diff_paths_total(d.other);
	d.shape_is_pr = !base_shape;
	d.notes = xcalloc(r->nfns ? r->nfns : 1, sizeof(*d.notes));
	diff_draw_values(&d, r, base_shape);
	memset(&fd, 0, sizeof(fd));
	fd.this_name = base_shape ? "baseline" : "PR";
	fd.other_name = base_shape ? "PR" : "baseline";
	fd.other_total = d.other_total;
	if (d.shares) {
		fd.delta_unit = " pts";
		fd.delta_note = "(PR - baseline, each side's own share)";
	} else {
		fd.delta_unit =
			!strcmp(r->unit, "ms") ? " ms a run" : " samples a run";
		fd.delta_note = "(PR - baseline)";
		fd.value_unit = fd.delta_unit + 1;
		fd.this_per_sample = d.this_per_sample;
		fd.other_per_sample = d.other_per_sample;
	}
	fd.annotate = diff_annotate;
	fd.ctx = &d;
	if (!fo->title)
		fo->title = "Differential flame graph";
	if (!fo->subtitle) {
		snprintf(subtitle, sizeof(subtitle),
			 "%s shape; red grew, blue shrank (PR vs baseline, "
			 "each side's own %s); verdict: %s",
			 base_shape ? "baseline" : "PR",
			 d.shares ? "share" : "time a run",
			 diff_verdict_name(r->verdict));
		fo->subtitle = subtitle;
	}
	sa.shape = shape;
	sa.fo = fo;
	sa.fd = &fd;
	ret = cli_write_file(path, diff_svg_cb, &sa);
	for (i = 0; i < r->nfns; i++)
		free(d.notes[i]);
	free(d.notes);
	diff_paths_free(d.other);
	profile_free(shape);
	return ret;
}

struct diff_report_args {
	const struct diff_result *r;
	int fmt;
	bool color; /* text only */
};

static int
diff_report_cb(FILE *fp, void *arg)
{
	const struct diff_report_args *a = arg;

	if (a->fmt == TABLE_MARKDOWN)
		return diffreport_write_markdown(a->r, fp);
	if (a->fmt == TABLE_JSON)
		return diffreport_write_json(a->r, fp);
	return diffreport_write_text(a->r, fp, a->color);
}

/* Write the report to path in the format its name asks for. */
static int
diff_write_report(const struct diff_result *r, const char *path)
{
	const struct cli_format *f = cli_format_pick(
		"diff", path, NULL, CLI_FMT_REPORTS, CLI_FMT_TEXT);
	struct diff_report_args a = { r, f ? f->table : -1, false };

	if (!f)
		return -1;
	return cli_write_file(path, diff_report_cb, &a);
}

static int
diff_double_arg(const char *opt, const char *arg, double lo, double hi,
		double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno || end == arg || *end || !(*out >= lo) || *out > hi) {
		cli_error("%s: '%s' is not a number from %g to %g", opt, arg,
			  lo, hi);
		return -1;
	}
	return 0;
}

int
cmd_diff(int argc, char **argv)
{
	enum {
		OPT_REPORT = 0x100,
		OPT_NORMALIZE,
		OPT_ALPHA,
		OPT_MIN_DELTA,
		OPT_MIN_SHARE,
		OPT_MIN_SAMPLES,
		OPT_FAIL,
		OPT_BASE_SHAPE,
	};
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "normalize", required_argument, NULL, OPT_NORMALIZE },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "min-delta", required_argument, NULL, OPT_MIN_DELTA },
		{ "min-share", required_argument, NULL, OPT_MIN_SHARE },
		{ "min-samples", required_argument, NULL, OPT_MIN_SAMPLES },
		{ "fail-on-regression", no_argument, NULL, OPT_FAIL },
		{ "base-shape", no_argument, NULL, OPT_BASE_SHAPE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		CLI_FLAME_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct diff_opts o;
	struct flame_opts fo;
	struct diff_side base = { 0 }, pr = { 0 };
	struct diff_result *r = NULL;
	struct scorch_err err;
	const char *svg = NULL;
	const char **reports = NULL;
	size_t nreports = 0, i;
	bool fail = false, base_shape = false, quiet = false;
	int c, ret = EXIT_USAGE;
	double v;

	diff_opts_init(&o);
	flame_opts_init(&fo);
	fo.title = NULL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		int took;

		switch (c) {
		case 'o':
			svg = optarg;
			continue;
		case OPT_REPORT:
			reports = xreallocarray(reports, nreports + 1,
						sizeof(*reports));
			reports[nreports++] = optarg;
			continue;
		case OPT_NORMALIZE:
			if (!strcmp(optarg, "auto")) {
				o.normalize = DIFF_NORM_AUTO;
			} else if (!strcmp(optarg, "share")) {
				o.normalize = DIFF_NORM_SHARE;
			} else if (!strcmp(optarg, "none")) {
				o.normalize = DIFF_NORM_NONE;
			} else {
				cli_error("--normalize: unknown mode '%s' "
					  "(known: auto, share, none)",
					  optarg);
				goto out;
			}
			continue;
		case OPT_ALPHA:
			if (diff_double_arg("--alpha", optarg, 1e-12, 0.5,
					    &o.alpha) < 0)
				goto out;
			continue;
		case OPT_MIN_DELTA:
			if (diff_double_arg("--min-delta", optarg, 0, 100,
					    &o.min_delta) < 0)
				goto out;
			continue;
		case OPT_MIN_SHARE:
			if (diff_double_arg("--min-share", optarg, 0, 100,
					    &o.min_share) < 0)
				goto out;
			continue;
		case OPT_MIN_SAMPLES:
			if (diff_double_arg("--min-samples", optarg, 0, 1e15,
					    &v) < 0)
				goto out;
			o.min_samples = (uint64_t)v;
			continue;
		case OPT_FAIL:
			fail = true;
			continue;
		case OPT_BASE_SHAPE:
			base_shape = true;
			continue;
		case 'q':
			quiet = true;
			continue;
		case 'h':
			fputs(diff_usage, stdout);
			ret = EXIT_OK;
			goto out;
		default:
			break;
		}
		took = cli_flame_option(c, optarg, &fo);
		if (took < 0)
			goto out;
		if (!took) {
			usage_bad_option("diff", argv, c);
			goto out;
		}
	}
	if (optind != argc - 2) {
		cli_error("diff: expected BASE and PR");
		fputs(diff_usage, stderr);
		goto out;
	}
	if (!strcmp(argv[optind], "-") && !strcmp(argv[optind + 1], "-")) {
		cli_error("diff: only one side can be read from stdin");
		goto out;
	}
	if (svg &&
	    (!cli_format_pick("diff", svg, NULL, CLI_FMT_SVG, CLI_FMT_SVG) ||
	     cli_check_output(svg) < 0))
		goto out;
	for (i = 0; i < nreports; i++)
		if (!cli_format_pick("diff", reports[i], NULL, CLI_FMT_REPORTS,
				     CLI_FMT_TEXT) ||
		    cli_check_output(reports[i]) < 0)
			goto out;
	if (diff_load_side(argv[optind], &base) < 0 ||
	    diff_load_side(argv[optind + 1], &pr) < 0)
		goto out;
	r = diff_compute(base.runs, base.n, pr.runs, pr.n, &o, &err);
	if (!r) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (svg && diff_write_svg(r, &base, &pr, base_shape, &fo, svg) < 0)
		goto out;
	for (i = 0; i < nreports; i++)
		if (diff_write_report(r, reports[i]) < 0)
			goto out;
	if (!quiet) {
		struct diff_report_args a = { r, TABLE_TEXT,
					      isatty(STDOUT_FILENO) &&
						      !getenv("NO_COLOR") };

		if (cli_write_file("-", diff_report_cb, &a) < 0)
			goto out;
	}
	ret = EXIT_OK;
	if (fail) {
		if (r->verdict == DIFF_REGRESSION)
			ret = EXIT_REGRESSION;
		else if (r->verdict == DIFF_INCONCLUSIVE)
			ret = EXIT_UNUSABLE;
	}
out:
	diff_result_free(r);
	diff_side_fini(&base);
	diff_side_fini(&pr);
	free(reports);
	return ret;
}
