/* SPDX-License-Identifier: MIT */
/*
 * cli/value.c - `--value cpu|off-cpu|wall`: which of a profile's values a
 * reader shows (profile/values.c), for every subcommand that takes it.
 */
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
	if (!value || fo->title)
		return;
	if (!strcmp(value, "off-cpu"))
		fo->title = "Off-CPU Time Flame Graph";
	else if (!strcmp(value, "wall"))
		fo->title = "Wall-Clock Time Flame Graph (on and off CPU)";
}
