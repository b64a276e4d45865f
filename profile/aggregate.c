/* SPDX-License-Identifier: MIT */
/*
 * profile/aggregate.c - sums over a profile's stacks: self and total samples
 * per function, per module and per thread, and the callers and callees of
 * a set of functions. `scorch report` prints these; `scorch diff` compares
 * them between profiles.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "profile.h"

struct aggregate {
	enum agg_by by;
	struct agg_row *rows;
	size_t nrows, cap;
	uint64_t total;	   /* samples in the profile */
	struct intmap idx; /* hash(key) -> row index + 1, probing on clashes */
	uint64_t *stamp;   /* per row: 1 + the last stack counted in total */
};

static struct aggregate *
aggregate_alloc(enum agg_by by)
{
	struct aggregate *a = xcalloc(1, sizeof(*a));

	a->by = by;
	intmap_init(&a->idx);
	return a;
}

void
aggregate_free(struct aggregate *a)
{
	if (!a)
		return;
	free(a->rows);
	free(a->stamp);
	intmap_fini(&a->idx);
	free(a);
}

/* The hash of a row's identity: strings by content, so it works across
 * profiles (aggregate_find() with another profile's names). */
static unsigned long long
aggregate_key(enum agg_by by, const char *name, const char *module,
	      enum frame_kind kind, uint32_t task)
{
	unsigned long long h;

	if (by == AGG_THREAD)
		return hash_bytes(&task, sizeof(task), 11);
	h = hash_bytes(name, strlen(name) + 1, 13);
	if (by == AGG_FUNCTION) {
		h = hash_bytes(module, strlen(module) + 1, h);
		h = hash_bytes(&kind, sizeof(kind), h);
	}
	return h;
}

static bool
aggregate_row_is(const struct aggregate *a, const struct agg_row *r,
		 const char *name, const char *module, enum frame_kind kind,
		 uint32_t task)
{
	switch (a->by) {
	case AGG_THREAD:
		return r->task == task;
	case AGG_MODULE:
		return !strcmp(r->name, name);
	case AGG_FUNCTION:
		break;
	}
	return r->kind == kind && !strcmp(r->name, name) &&
	       !strcmp(r->module, module);
}

/* Find or add a row; returns its index. Strings are borrowed from the
 * profile the rows describe. */
static size_t
aggregate_row_get(struct aggregate *a, const char *name, const char *module,
		  enum frame_kind kind, uint32_t task)
{
	unsigned long long key = aggregate_key(a->by, name, module, kind, task);
	struct agg_row *r;
	void *v;

	while ((v = intmap_get(&a->idx, key))) {
		size_t i = (uintptr_t)v - 1;

		if (aggregate_row_is(a, &a->rows[i], name, module, kind, task))
			return i;
		key++;
	}
	if (a->nrows == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->rows = xreallocarray(a->rows, a->cap, sizeof(*a->rows));
		a->stamp = xreallocarray(a->stamp, a->cap, sizeof(*a->stamp));
	}
	r = &a->rows[a->nrows];
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->module = module;
	r->kind = kind;
	r->task = task;
	a->stamp[a->nrows] = 0;
	intmap_put(&a->idx, key, (void *)(uintptr_t)(a->nrows + 1));
	return a->nrows++;
}

/* The row of frame f, or SIZE_MAX for frames that are not functions (the
 * process frame at the root of recorded stacks). */
static size_t
aggregate_frame_row(struct aggregate *a, const struct frame *f)
{
	if (f->kind == FRAME_PROCESS)
		return SIZE_MAX;
	if (a->by == AGG_MODULE)
		return aggregate_row_get(a, f->module, "", FRAME_USER,
					 TASK_NONE);
	return aggregate_row_get(a, f->name, f->module, f->kind, TASK_NONE);
}

/* Count a stack's samples once in row i's total. */
static void
aggregate_count_total(struct aggregate *a, size_t i, size_t stack,
		      uint64_t count)
{
	if (a->stamp[i] == stack + 1)
		return;
	a->stamp[i] = stack + 1;
	a->rows[i].total += count;
}

struct aggregate *
aggregate_new(const struct profile *p, enum agg_by by)
{
	struct aggregate *a = aggregate_alloc(by);
	size_t nframes = profile_nframes(p), s, nstacks = profile_nstacks(p);
	size_t *frame_row = NULL;
	uint32_t i;

	a->total = profile_total(p);
	if (by == AGG_THREAD) {
		for (s = 0; s < nstacks; s++) {
			const struct stack *st = profile_stack(p, s);
			const struct task *t = profile_task(p, st->task);
			size_t r;

			r = aggregate_row_get(a, t ? t->thread : "",
					      t ? t->comm : "", FRAME_USER,
					      st->task);
			a->rows[r].self += st->count;
			a->rows[r].total += st->count;
		}
		return a;
	}
	/* Frame ids map to rows once, not once per occurrence. */
	frame_row = xcalloc(nframes ? nframes : 1, sizeof(*frame_row));
	for (i = 0; i < nframes; i++)
		frame_row[i] = aggregate_frame_row(a, profile_frame(p, i));
	for (s = 0; s < nstacks; s++) {
		const struct stack *st = profile_stack(p, s);
		uint32_t d;

		if (!st->count || !st->depth)
			continue;
		for (d = 0; d < st->depth; d++) {
			size_t r = frame_row[st->frames[d]];

			if (r != SIZE_MAX)
				aggregate_count_total(a, r, s, st->count);
		}
		if (frame_row[st->frames[st->depth - 1]] != SIZE_MAX)
			a->rows[frame_row[st->frames[st->depth - 1]]].self +=
				st->count;
	}
	free(frame_row);
	return a;
}

size_t
aggregate_nrows(const struct aggregate *a)
{
	return a->nrows;
}

const struct agg_row *
aggregate_row(const struct aggregate *a, size_t i)
{
	return i < a->nrows ? &a->rows[i] : NULL;
}

uint64_t
aggregate_total(const struct aggregate *a)
{
	return a->total;
}

const struct agg_row *
aggregate_find(const struct aggregate *a, const char *name, const char *module,
	       enum frame_kind kind, uint32_t task)
{
	unsigned long long key;
	void *v;

	if (!name)
		name = "";
	if (!module)
		module = "";
	key = aggregate_key(a->by, name, module, kind, task);
	while ((v = intmap_get(&a->idx, key))) {
		const struct agg_row *r = &a->rows[(uintptr_t)v - 1];

		if (aggregate_row_is(a, r, name, module, kind, task))
			return r;
		key++;
	}
	return NULL;
}

static int
aggregate_cmp_names(const struct agg_row *x, const struct agg_row *y)
{
	int c = strcmp(x->name, y->name);

	if (!c)
		c = strcmp(x->module, y->module);
	if (!c)
		c = (int)x->kind - (int)y->kind;
	if (!c)
		c = x->task < y->task ? -1 : x->task > y->task;
	return c;
}

static int
aggregate_cmp_self(const void *a, const void *b)
{
	const struct agg_row *x = a, *y = b;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return aggregate_cmp_names(x, y);
}

static int
aggregate_cmp_total(const void *a, const void *b)
{
	const struct agg_row *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	return aggregate_cmp_names(x, y);
}

void
aggregate_sort(struct aggregate *a, enum agg_order order)
{
	size_t i;

	if (a->nrows < 2)
		return; /* nothing to move; qsort() must not see rows NULL */
	qsort(a->rows, a->nrows, sizeof(*a->rows),
	      order == AGG_ORDER_SELF ? aggregate_cmp_self
				      : aggregate_cmp_total);
	/* Rows moved: rebuild the index. */
	intmap_fini(&a->idx);
	intmap_init(&a->idx);
	for (i = 0; i < a->nrows; i++) {
		const struct agg_row *r = &a->rows[i];
		unsigned long long key = aggregate_key(
			a->by, r->name, r->module, r->kind, r->task);

		while (intmap_get(&a->idx, key))
			key++;
		intmap_put(&a->idx, key, (void *)(uintptr_t)(i + 1));
	}
}

/* Add count samples to the function row of frame f in a. */
static void
aggregate_focus_add(struct aggregate *a, const struct frame *f, size_t stack,
		    uint64_t count, bool leaf)
{
	size_t r = aggregate_row_get(a, f->name, f->module, f->kind, TASK_NONE);

	aggregate_count_total(a, r, stack, count);
	if (leaf)
		a->rows[r].self += count;
}

void
aggregate_focus(const struct profile *p, agg_match_fn match, void *arg,
		struct agg_focus *out)
{
	size_t nframes = profile_nframes(p), s, nstacks = profile_nstacks(p);
	bool *hit = xcalloc(nframes ? nframes : 1, sizeof(*hit));
	uint32_t i;

	memset(out, 0, sizeof(*out));
	out->callers = aggregate_alloc(AGG_FUNCTION);
	out->callees = aggregate_alloc(AGG_FUNCTION);
	out->functions = aggregate_alloc(AGG_FUNCTION);
	/* Frames differing only in file:line are one function row. */
	for (i = 0; i < nframes; i++) {
		const struct frame *f = profile_frame(p, i);

		hit[i] = f->kind != FRAME_PROCESS && match(f, arg);
		if (hit[i])
			aggregate_row_get(out->functions, f->name, f->module,
					  f->kind, TASK_NONE);
	}
	out->nfunctions = out->functions->nrows;
	for (s = 0; s < nstacks; s++) {
		const struct stack *st = profile_stack(p, s);
		uint32_t d, first = UINT32_MAX, last = 0;

		if (!st->count)
			continue;
		for (d = 0; d < st->depth; d++) {
			if (!hit[st->frames[d]])
				continue;
			if (first == UINT32_MAX)
				first = d;
			last = d;
			aggregate_focus_add(out->functions,
					    profile_frame(p, st->frames[d]), s,
					    st->count, d + 1 == st->depth);
		}
		if (first == UINT32_MAX)
			continue;
		out->total += st->count;
		if (first == 0 ||
		    profile_frame(p, st->frames[first - 1])->kind ==
			    FRAME_PROCESS)
			out->no_caller += st->count;
		else
			aggregate_focus_add(
				out->callers,
				profile_frame(p, st->frames[first - 1]), s,
				st->count, false);
		if (last + 1 == st->depth)
			out->self += st->count;
		else
			aggregate_focus_add(
				out->callees,
				profile_frame(p, st->frames[last + 1]), s,
				st->count, last + 2 == st->depth);
	}
	out->callers->total = out->callees->total = out->functions->total =
		out->total;
	free(hit);
}

void
agg_focus_fini(struct agg_focus *f)
{
	aggregate_free(f->callers);
	aggregate_free(f->callees);
	aggregate_free(f->functions);
	memset(f, 0, sizeof(*f));
}
