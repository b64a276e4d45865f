/* SPDX-License-Identifier: MIT */
/*
 * diff/count.c - the counting: every function's self and total samples in
 * every run, functions lined up across runs and builds by align key
 * (docs/DIFF.md, "What is compared").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

static size_t
count_fn(struct diff_counts *c, const char *key, const struct frame *f)
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
		c->stamp = xreallocarray(c->stamp, c->cap, sizeof(*c->stamp));
	}
	i = c->nfns++;
	c->keys[i] = xstrdup(key);
	memset(&c->fns[i], 0, sizeof(c->fns[i]));
	c->fns[i].key = c->keys[i];
	c->fns[i].name = align_name(f->name);
	c->fns[i].module = xstrdup(f->module);
	c->fns[i].kind = (int)f->kind;
	c->self[i] = xcalloc(c->nruns, sizeof(uint64_t));
	c->total[i] = xcalloc(c->nruns, sizeof(uint64_t));
	c->stamp[i] = 0;
	intmap_put(&c->index, h, (void *)(uintptr_t)(i + 1));
	return i;
}

/* Function indexes of profile p's frames (SIZE_MAX for process frames). */
static size_t *
count_frame_map(struct diff_counts *c, const struct profile *p, bool is_pr)
{
	size_t n = profile_nframes(p), i;
	size_t *map = xcalloc(n ? n : 1, sizeof(*map));
	const char *exe = align_exe(p);

	for (i = 0; i < n; i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);
		char *key;
		size_t idx;

		if (f->kind == FRAME_PROCESS) {
			map[i] = SIZE_MAX;
			continue;
		}
		key = align_key(f->name, f->module, (int)f->kind, exe);
		idx = count_fn(c, key, f);
		/* Show the PR's module name when both sides have one. */
		if (is_pr && strcmp(c->fns[idx].module, f->module)) {
			free(c->fns[idx].module);
			c->fns[idx].module = xstrdup(f->module);
		}
		map[i] = idx;
		free(key);
	}
	return map;
}

/*
 * The frame a sample's self time belongs to: the innermost real function,
 * not a call the compiler inlined into it (the code that got slower is in
 * the function's own body; its inlined frames show where in it), nor the
 * process frame. st->depth when there is none.
 */
uint32_t
diff_counts_leaf(const struct profile *p, const struct stack *st,
		 const size_t *map)
{
	uint32_t j, fallback = st->depth;

	for (j = st->depth; j-- > 0;) {
		if (map[st->frames[j]] == SIZE_MAX)
			continue;
		if (profile_frame(p, st->frames[j])->kind != FRAME_INLINED)
			return j;
		if (fallback == st->depth)
			fallback = j; /* only inlined frames: the innermost */
	}
	return fallback;
}

void
diff_counts_run(struct diff_counts *c, const struct profile *p, size_t run,
		bool is_pr)
{
	size_t *map = count_frame_map(c, p, is_pr);
	size_t i, n = profile_nstacks(p);
	int64_t period = profile_meta_int(p, "period_ns", 0);

	/* Kept for diff_findings_paths(): align keys are not built twice. */
	c->frame_maps[run] = map;
	c->run_period_ms[run] = period > 0 ? (double)period / 1e6 : 0;
	for (i = 0; i < n; i++) {
		const struct stack *st = profile_stack(p, i);
		uint32_t j;

		c->run_n[run] += st->count;
		if (!st->count)
			continue;
		c->stack_id++;
		j = diff_counts_leaf(p, st, map);
		if (j < st->depth)
			c->self[map[st->frames[j]]][run] += st->count;
		for (j = 0; j < st->depth; j++) {
			size_t f = map[st->frames[j]];

			if (f == SIZE_MAX || c->stamp[f] == c->stack_id)
				continue;
			c->stamp[f] = c->stack_id;
			c->total[f][run] += st->count;
		}
	}
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
	}
	free(c->keys);
	free(c->self);
	free(c->total);
	free(c->stamp);
	for (i = 0; c->frame_maps && i < c->nruns; i++)
		free(c->frame_maps[i]);
	free(c->frame_maps);
	free(c->run_n);
	free(c->run_period_ms);
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
	c->frame_maps = xcalloc(nruns, sizeof(*c->frame_maps));
}
