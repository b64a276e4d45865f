/* SPDX-License-Identifier: MIT */
/*
 * diff/count.c - the counting: every function's self and total samples in
 * every run, as profile/aggregate.c counts them for `report` and `check`
 * (a function and its inlined copies are one function), with diff's key
 * policy: frames lined up across runs and builds by align key
 * (docs/DIFF.md, "What is compared").
 */
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

/* The function of align key key, added (named after row r) if new. */
static size_t
count_fn(struct diff_counts *c, const char *key, const struct agg_row *r)
{
	unsigned long long h = hash_bytes(key, strlen(key), 11);
	void *v;
	size_t i;

	while ((v = intmap_get(&c->index, h))) {
		i = (uintptr_t)v - 1;
		if (!strcmp(c->keys[i], key))
			return i;
		h++;
	}
	if (c->nfns == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->keys = xreallocarray(c->keys, c->cap, sizeof(*c->keys));
		c->fns = xreallocarray(c->fns, c->cap, sizeof(*c->fns));
		c->self = xreallocarray(c->self, c->cap, sizeof(*c->self));
		c->total = xreallocarray(c->total, c->cap, sizeof(*c->total));
		c->into = xreallocarray(c->into, c->cap, sizeof(*c->into));
	}
	i = c->nfns++;
	c->keys[i] = xstrdup(key);
	memset(&c->fns[i], 0, sizeof(c->fns[i]));
	c->fns[i].key = c->keys[i];
	c->fns[i].name = xstrdup(r->name); /* align_name()'d by the policy */
	c->fns[i].module = xstrdup(r->module);
	c->fns[i].kind = (int)r->kind;
	c->self[i] = xcalloc(c->nruns, sizeof(uint64_t));
	c->total[i] = xcalloc(c->nruns, sizeof(uint64_t));
	memset(&c->into[i], 0, sizeof(c->into[i]));
	intmap_put(&c->index, h, (void *)(uintptr_t)(i + 1));
	return i;
}

/* Note that n of fn's self samples ran inlined into function into. */
static void
count_inlined(struct diff_counts *c, size_t fn, size_t into, uint64_t n)
{
	struct diff_count_into *ci = &c->into[fn];
	size_t i;

	for (i = 0; i < ci->n && ci->fns[i] != into; i++)
		;
	if (i == ci->n) {
		ci->fns = xreallocarray(ci->fns, ci->n + 1, sizeof(*ci->fns));
		ci->counts = xreallocarray(ci->counts, ci->n + 1,
					   sizeof(*ci->counts));
		ci->fns[i] = into;
		ci->counts[i] = 0;
		ci->n++;
	}
	ci->counts[i] += n;
	ci->inlined += n;
}

/*
 * Each function's inlined_into, over the runs counted so far: the function
 * holding most of its inlined self samples (ties: the first name), and
 * the share of its self samples that ran inlined.
 */
static void
count_inlined_into(struct diff_counts *c)
{
	size_t f, i, run;

	for (f = 0; f < c->nfns; f++) {
		const struct diff_count_into *ci = &c->into[f];
		struct diff_fn *fn = &c->fns[f];
		size_t best = 0;
		uint64_t self = 0;

		if (!ci->n)
			continue;
		for (i = 1; i < ci->n; i++)
			if (ci->counts[i] > ci->counts[best] ||
			    (ci->counts[i] == ci->counts[best] &&
			     strcmp(c->fns[ci->fns[i]].name,
				    c->fns[ci->fns[best]].name) < 0))
				best = i;
		free(fn->inlined_into);
		fn->inlined_into = xstrdup(c->fns[ci->fns[best]].name);
		for (run = 0; run < c->nruns; run++)
			self += c->self[f][run];
		fn->inlined_share =
			self ? (double)ci->inlined / (double)self : 0;
	}
}

uint32_t
diff_counts_leaf(const struct profile *p, const struct stack *st,
		 const size_t *map)
{
	(void)map;
	return aggregate_stack_leaf(p, st);
}

void
diff_counts_run(struct diff_counts *c, const struct profile *p, size_t run,
		bool is_pr)
{
	const struct agg_opts o = { .by = AGG_FUNCTION, .name = align_name };
	struct aggregate *a = aggregate_new_opts(p, &o);
	size_t i, nrows = aggregate_nrows(a), nframes = profile_nframes(p);
	size_t *row_fn = xcalloc(nrows ? nrows : 1, sizeof(*row_fn));
	size_t *map = xcalloc(nframes ? nframes : 1, sizeof(*map));
	const char *exe = align_exe(p);
	const struct agg_inlined *inl;
	size_t ninl;

	for (i = 0; i < nrows; i++) {
		const struct agg_row *r = aggregate_row(a, i);
		char *key = align_key(r->name, r->module, (int)r->kind, exe);
		size_t f = count_fn(c, key, r);

		/* Show the PR's module name when both sides have one. */
		if (is_pr && strcmp(c->fns[f].module, r->module)) {
			free(c->fns[f].module);
			c->fns[f].module = xstrdup(r->module);
		}
		c->self[f][run] += r->self;
		c->total[f][run] += r->total;
		row_fn[i] = f;
		free(key);
	}
	inl = aggregate_inlined(a, &ninl);
	for (i = 0; i < ninl; i++)
		count_inlined(c, row_fn[inl[i].row], row_fn[inl[i].into],
			      inl[i].self);
	/* Kept for diff_findings_paths(): align keys are not built twice. */
	for (i = 0; i < nframes; i++) {
		size_t r = aggregate_frame_row(a, (uint32_t)i);

		map[i] = r == SIZE_MAX ? SIZE_MAX : row_fn[r];
	}
	c->frame_maps[run] = map;
	c->run_n[run] = profile_total(p);
	/* A count's ms in one run (a merged input: its mean run). */
	c->run_period_ms[run] = profile_run_ms(p, 1);
	c->run_grain[run] =
		profile_unit(p) == PROFILE_UNIT_NS && profile_period_ns(p)
			? (double)profile_period_ns(p)
			: 1;
	count_inlined_into(c);
	free(row_fn);
	aggregate_free(a);
}

void
diff_counts_fini(struct diff_counts *c)
{
	size_t i;

	for (i = 0; i < c->nfns; i++) {
		if (!c->fns)
			c->keys[i] = NULL; /* owned by the result's fns */
		free(c->keys[i]);
		free(c->self[i]);
		free(c->total[i]);
		free(c->into[i].fns);
		free(c->into[i].counts);
	}
	free(c->keys);
	free(c->self);
	free(c->total);
	free(c->into);
	for (i = 0; c->frame_maps && i < c->nruns; i++)
		free(c->frame_maps[i]);
	free(c->frame_maps);
	free(c->run_n);
	free(c->run_period_ms);
	free(c->run_grain);
	intmap_fini(&c->index);
}

void
diff_counts_init(struct diff_counts *c, size_t nruns)
{
	memset(c, 0, sizeof(*c));
	intmap_init(&c->index);
	c->nruns = nruns;
	c->run_n = xcalloc(nruns, sizeof(*c->run_n));
	c->run_period_ms = xcalloc(nruns, sizeof(*c->run_period_ms));
	c->run_grain = xcalloc(nruns, sizeof(*c->run_grain));
	c->frame_maps = xcalloc(nruns, sizeof(*c->frame_maps));
}
