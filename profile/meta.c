/* SPDX-License-Identifier: MIT */
/*
 * profile/meta.c - the typed accessors of the metadata every reader needs
 * (docs/FORMAT.md, "Values"): the period of a sample, the runs a merged
 * profile holds, the wall time recorded, the unit of the counts, and the
 * time a count stands for, per run. The one place these keys are read by
 * name.
 */
#include <string.h>

#include "profile.h"

uint64_t
profile_period_ns(const struct profile *p)
{
	int64_t v = profile_meta_int(p, "period_ns", 0);

	return v > 0 ? (uint64_t)v : 0;
}

uint64_t
profile_runs(const struct profile *p)
{
	int64_t v = profile_meta_int(p, "merged_from", 1);

	return v > 1 ? (uint64_t)v : 1;
}

int64_t
profile_duration_ms(const struct profile *p)
{
	int64_t v = profile_meta_int(p, "duration_ms", -1);

	return v >= 0 ? v : -1;
}

enum profile_unit
profile_unit(const struct profile *p)
{
	const char *u = profile_meta_str(p, PROFILE_META_UNIT);

	return u && !strcmp(u, "ns") ? PROFILE_UNIT_NS : PROFILE_UNIT_SAMPLES;
}

uint64_t
profile_count_ns(const struct profile *p)
{
	return profile_unit(p) == PROFILE_UNIT_NS ? 1 : profile_period_ns(p);
}

double
profile_run_ms(const struct profile *p, uint64_t count)
{
	return (double)count * (double)profile_count_ns(p) / 1e6 /
	       (double)profile_runs(p);
}

const char *
profile_value_title(enum profile_value v)
{
	switch (v) {
	case PROFILE_VALUE_OFF_CPU:
		return "Off-CPU";
	case PROFILE_VALUE_WALL:
		return "Wall clock";
	default:
		return "CPU";
	}
}

const char *
profile_value_label(const struct profile *p)
{
	if (!profile_count_ns(p))
		return "samples";
	switch (profile_value_default(p)) {
	case PROFILE_VALUE_OFF_CPU:
		return "off-CPU time";
	case PROFILE_VALUE_WALL:
		return "wall time";
	default:
		return "CPU time";
	}
}
