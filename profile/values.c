/* SPDX-License-Identifier: MIT */
/*
 * profile/values.c - the values a profile holds (CPU samples, off-CPU
 * nanoseconds, and wall time, their sum) and views of one of them: a copy
 * of the profile whose stacks' counts are that value, with metadata naming
 * the value and its unit, so every reader of counts shows it unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "profile.h"

static const char *const value_names[PROFILE_VALUE_MAX] = {
	[PROFILE_VALUE_CPU] = "cpu",
	[PROFILE_VALUE_OFF_CPU] = "off-cpu",
	[PROFILE_VALUE_WALL] = "wall",
};

int
profile_value_parse(const char *name, enum profile_value *v)
{
	int i;

	for (i = 0; i < PROFILE_VALUE_MAX; i++)
		if (!strcmp(name, value_names[i])) {
			*v = (enum profile_value)i;
			return 0;
		}
	return -1;
}

const char *
profile_value_name(enum profile_value v)
{
	return (unsigned)v < PROFILE_VALUE_MAX ? value_names[v] : "?";
}

const char *
profile_value_unit(enum profile_value v)
{
	return v == PROFILE_VALUE_CPU ? "samples" : "ns";
}

/* The value p's counts already are (a view's), or -1 for a recording. */
static int
profile_value_of_view(const struct profile *p)
{
	const char *name = profile_meta_str(p, PROFILE_META_VALUE);
	enum profile_value v;

	if (!name || profile_value_parse(name, &v) < 0)
		return -1;
	return (int)v;
}

enum profile_value
profile_value_default(const struct profile *p)
{
	int v = profile_value_of_view(p);

	if (v >= 0)
		return (enum profile_value)v;
	if (!profile_total_off_cpu(p))
		return PROFILE_VALUE_CPU;
	/* wall needs the period to weigh samples; without one (and with
	 * samples) off-CPU time is what the profile can show */
	if (profile_total(p) && profile_meta_int(p, "period_ns", 0) <= 0)
		return PROFILE_VALUE_OFF_CPU;
	return PROFILE_VALUE_WALL;
}

/* The value v of st in p's counts, into *out; -1 on overflow. */
static int
profile_value_of(const struct stack *st, enum profile_value v,
		 uint64_t period_ns, uint64_t *out)
{
	uint64_t cpu;

	switch (v) {
	case PROFILE_VALUE_CPU:
		*out = st->count;
		return 0;
	case PROFILE_VALUE_OFF_CPU:
		*out = st->off_cpu_ns;
		return 0;
	default:
		if (st->count && period_ns > UINT64_MAX / st->count)
			return -1;
		cpu = st->count * period_ns;
		if (cpu > UINT64_MAX - st->off_cpu_ns)
			return -1;
		*out = cpu + st->off_cpu_ns;
		return 0;
	}
}

/* Copy p's frames, tasks, sites, modules and metadata into q, keeping
 * every id (they are interned in order, and p's are unique). */
static void
profile_view_copy_tables(struct profile *q, const struct profile *p)
{
	size_t i;

	for (i = 0; i < profile_nframes(p); i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);

		profile_intern_frame_src(q, f->name, f->module, f->kind,
					 f->file, f->line);
	}
	for (i = 0; i < profile_ntasks(p); i++) {
		const struct task *t = profile_task(p, (uint32_t)i);

		profile_add_task(q, t->pid, t->tid, t->comm, t->thread);
	}
	for (i = 1; i < profile_nsites(p); i++) {
		const struct site *s = profile_site(p, (uint32_t)i);

		profile_intern_site(q, s->addr, s->line);
	}
	for (i = 0; i < profile_nmodules(p); i++) {
		const struct module_info *m = profile_module(p, i);

		profile_add_module(q, m->name, m->path, m->build_id);
	}
	for (i = 0; i < profile_nmeta(p); i++) {
		const struct meta *m = profile_meta(p, i);

		if (m->type == META_INT)
			profile_meta_set_int(q, m->key, m->num);
		else
			profile_meta_set_str(q, m->key, m->str);
	}
}

/* Does a view of p in v need the sampling period, and is it missing? */
static bool
profile_view_needs_period(const struct profile *p, enum profile_value v,
			  uint64_t *period_ns)
{
	int64_t period = profile_meta_int(p, "period_ns", 0);

	*period_ns = period > 0 ? (uint64_t)period : 0;
	return v == PROFILE_VALUE_WALL && profile_total(p) && !*period_ns;
}

struct profile *
profile_view(const struct profile *p, enum profile_value v,
	     struct scorch_err *err)
{
	int already = profile_value_of_view(p);
	uint64_t period_ns, sum = 0, value;
	struct profile *q;
	size_t i;

	if (already >= 0 && already != (int)v) {
		err_set(err,
			"the profile holds %s values only (a view): "
			"--value %s cannot be shown",
			profile_value_name((enum profile_value)already),
			profile_value_name(v));
		return NULL;
	}
	if (profile_view_needs_period(p, v, &period_ns) && already < 0) {
		err_set(err, "--value wall needs the sampling period "
			     "(period_ns), which the profile does not have");
		return NULL;
	}
	q = profile_new();
	profile_view_copy_tables(q, p);
	for (i = 0; i < profile_nstacks(p); i++) {
		const struct stack *st = profile_stack(p, i);

		/* a view's counts are its value already */
		if (profile_value_of(st, already >= 0 ? PROFILE_VALUE_CPU : v,
				     period_ns, &value) < 0 ||
		    value > UINT64_MAX - sum) {
			err_set(err,
				"--value %s: the profile's %s time "
				"passes 2^64 - 1 ns",
				profile_value_name(v), profile_value_name(v));
			profile_free(q);
			return NULL;
		}
		if (!value)
			continue;
		sum += value;
		profile_add_stack_values(q, st->task, st->frames, st->sites,
					 st->depth, value, 0);
	}
	profile_meta_set_str(q, PROFILE_META_VALUE, profile_value_name(v));
	profile_meta_set_str(q, PROFILE_META_UNIT, profile_value_unit(v));
	return q;
}
