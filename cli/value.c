/* SPDX-License-Identifier: MIT */
/*
 * cli/value.c - `--value cpu|off-cpu|wall`: which of a profile's values a
 * reader shows (profile/values.c), for every subcommand that takes it.
 */
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "../render/render.h"
#include "cli.h"

int
cli_value_arg(const char *arg, enum profile_value *v)
{
	if (profile_value_parse(arg, v) == 0)
		return 0;
	cli_error("--value: unknown '%s' (known: cpu, off-cpu, wall)", arg);
	return -1;
}

int
cli_apply_value(struct profile **p, const enum profile_value *v,
		const char *input)
{
	enum profile_value which = v ? *v : profile_value_default(*p);
	struct scorch_err err;
	struct profile *q;

	/* a CPU profile read for its samples is shown as it is */
	if (which == PROFILE_VALUE_CPU && !profile_total_off_cpu(*p) &&
	    !profile_meta_str(*p, PROFILE_META_VALUE))
		return 0;
	/* Off-CPU time asked of a profile that never recorded any. */
	if (which == PROFILE_VALUE_OFF_CPU && !profile_total_off_cpu(*p) &&
	    !profile_meta_str(*p, PROFILE_META_VALUE) &&
	    !profile_meta_int(*p, "off_cpu", 0)) {
		cli_error("%s: --value off-cpu: the profile holds no off-CPU "
			  "time (record it with scorch record --off-cpu)",
			  strcmp(input, "-") ? input : "<stdin>");
		return -1;
	}
	q = profile_view(*p, which, &err);
	if (!q) {
		cli_error("%s: %s", strcmp(input, "-") ? input : "<stdin>",
			  err.msg);
		return -1;
	}
	profile_free(*p);
	*p = q;
	return 0;
}

void
cli_flame_value(const struct profile *p, struct flame_opts *fo)
{
	const char *value = profile_meta_str(p, PROFILE_META_VALUE);
	const char *unit = profile_meta_str(p, PROFILE_META_UNIT);

	if (unit && !strcmp(unit, "ns") && !strcmp(fo->count_name, "samples"))
		fo->count_name = "ns";
	if (fo->title)
		return;
	/* A CPU profile with a period: its widths are CPU time. */
	if (!value && profile_count_ns(p))
		fo->title = "CPU Time Flame Graph";
	if (!value)
		return;
	if (!strcmp(value, "cpu"))
		fo->title = "CPU Time Flame Graph";
	else if (!strcmp(value, "off-cpu"))
		fo->title = "Off-CPU Time Flame Graph";
	else if (!strcmp(value, "wall"))
		fo->title = "Wall-Clock Time Flame Graph (on and off CPU)";
}

bool
cli_value_info(const struct profile *p, struct table_info *info, size_t *n,
	       char *buf, size_t bufsize)
{
	enum profile_value v = profile_value_default(p);
	static const char *const keys[PROFILE_VALUE_MAX] = {
		[PROFILE_VALUE_CPU] = "cpu_time",
		[PROFILE_VALUE_OFF_CPU] = "off_cpu_time",
		[PROFILE_VALUE_WALL] = "wall_time",
	};
	static const char *const labels[PROFILE_VALUE_MAX] = {
		[PROFILE_VALUE_CPU] = "cpu time",
		[PROFILE_VALUE_OFF_CPU] = "off-cpu time",
		[PROFILE_VALUE_WALL] = "wall time",
	};

	if (profile_unit(p) == PROFILE_UNIT_SAMPLES)
		info[(*n)++] = (struct table_info){ "samples", "samples", NULL,
						    profile_total(p) };
	if (!profile_count_ns(p))
		return false;
	snprintf(buf, bufsize, "%.3f s%s",
		 profile_run_ms(p, profile_total(p)) / 1e3,
		 profile_runs(p) > 1 ? " per run" : "");
	info[(*n)++] = (struct table_info){ keys[v], labels[v], buf, 0 };
	return true;
}
