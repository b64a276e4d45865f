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

/* Self samples of a row's inlined copies, per function they ran in. */
struct agg_into {
	struct intmap idx; /* hash(row, into) -> pair index + 1 */
	struct agg_inlined *pairs;
	size_t n, cap;
};

struct aggregate {
	struct agg_opts opts;
	struct agg_row *rows;
	size_t nrows, cap;
	uint64_t total;	   /* samples in the profile */
	struct intmap idx; /* hash(key) -> row index + 1, probing on clashes */
	uint64_t *stamp;   /* per row: 1 + the last stack counted in total */
	size_t *frame_row; /* per frame of the profile: its row, or SIZE_MAX */
	size_t nframes;
	struct strpool names; /* the key policy's names (opts.name) */
	struct agg_into into; /* AGG_FUNCTION: where inlined self ran */
};

static struct aggregate *
aggregate_alloc(const struct agg_opts *o)
{
	struct aggregate *a = xcalloc(1, sizeof(*a));

	a->opts = *o;
	intmap_init(&a->idx);
	intmap_init(&a->into.idx);
	strpool_init(&a->names);
	return a;
}

void
aggregate_free(struct aggregate *a)
{
	if (!a)
		return;
	free(a->rows);
	free(a->stamp);
	free(a->frame_row);
	free(a->into.pairs);
	intmap_fini(&a->into.idx);
	intmap_fini(&a->idx);
	strpool_fini(&a->names);
	free(a);
}

/*
 * The kind that is part of a function's identity: an inlined copy is the
 * function of the source it was inlined from, so FRAME_INLINED is
 * FRAME_USER; kernel, JIT and unknown code stay apart.
 */
static enum frame_kind
aggregate_kind(enum frame_kind kind)
{
	return kind == FRAME_INLINED ? FRAME_USER : kind;
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
	switch (a->opts.by) {
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
 * profile the rows describe (or the aggregate's pool). kind is the
 * identity's (aggregate_kind()). */
static size_t
aggregate_row_get(struct aggregate *a, const char *name, const char *module,
		  enum frame_kind kind, uint32_t task)
{
	unsigned long long key =
		aggregate_key(a->opts.by, name, module, kind, task);
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

/* The function row of frame f under the key policy. */
static size_t
aggregate_function_row(struct aggregate *a, const struct frame *f)
{
	const char *name = f->name;

	if (a->opts.name) {
		char *n = a->opts.name(f->name);

		name = strpool_intern(&a->names, n);
		free(n);
	}
	return aggregate_row_get(a, name, f->module, aggregate_kind(f->kind),
				 TASK_NONE);
}

/* The row of frame f, or SIZE_MAX for frames that are not functions (the
 * process frame at the root of recorded stacks). */
static size_t
aggregate_frame_row_get(struct aggregate *a, const struct frame *f)
{
	if (f->kind == FRAME_PROCESS)
		return SIZE_MAX;
	if (a->opts.by == AGG_MODULE)
		return aggregate_row_get(a, f->module, "", FRAME_USER,
					 TASK_NONE);
	return aggregate_function_row(a, f);
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

uint32_t
aggregate_stack_leaf(const struct profile *p, const struct stack *st)
{
	uint32_t j = st->depth;

	while (j-- > 0)
		if (profile_frame(p, st->frames[j])->kind != FRAME_PROCESS)
			return j;
	return st->depth;
}

/*
 * The machine function that ran the inlined frame at index leaf of st: the
 * nearest frame above it that is not inlined (nor the process frame), or
 * st->depth when there is none.
 */
static uint32_t
aggregate_container(const struct profile *p, const struct stack *st,
		    uint32_t leaf)
{
	uint32_t j = leaf;

	while (j-- > 0) {
		enum frame_kind k = profile_frame(p, st->frames[j])->kind;

		if (k == FRAME_PROCESS)
			break;
		if (k != FRAME_INLINED)
			return j;
	}
	return st->depth;
}

static void
aggregate_into_add(struct agg_into *in, size_t row, size_t into, uint64_t count)
{
	size_t pair[2] = { row, into };
	unsigned long long key = hash_bytes(pair, sizeof(pair), 17);
	void *v;

	while ((v = intmap_get(&in->idx, key))) {
		struct agg_inlined *q = &in->pairs[(uintptr_t)v - 1];

		if (q->row == row && q->into == into) {
			q->self += count;
			return;
		}
		key++;
	}
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 16;
		in->pairs =
			xreallocarray(in->pairs, in->cap, sizeof(*in->pairs));
	}
	in->pairs[in->n] = (struct agg_inlined){ row, into, count };
	intmap_put(&in->idx, key, (void *)(uintptr_t)++in->n);
}

/* Each row's `into`: the function holding most of its inlined self. */
static void
aggregate_into_finish(struct aggregate *a, const struct agg_into *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		const struct agg_inlined *q = &in->pairs[i];
		struct agg_row *r = &a->rows[q->row];
		const struct agg_row *c = &a->rows[q->into];

		/* Ties go to the first name, so the choice is stable. */
		if (q->self > r->into_self ||
		    (q->self == r->into_self && r->into &&
		     strcmp(c->name, r->into) < 0)) {
			r->into = c->name;
			r->into_module = c->module;
			r->into_kind = c->kind;
			r->into_self = q->self;
		}
	}
}

/* Self of the leaf's row; an inlined leaf's self is also noted against
 * the function it was inlined into. */
static void
aggregate_count_self(struct aggregate *a, struct agg_into *in,
		     const struct profile *p, const struct stack *st)
{
	uint32_t leaf = aggregate_stack_leaf(p, st), c;
	size_t r;

	if (leaf == st->depth)
		return;
	r = a->frame_row[st->frames[leaf]];
	a->rows[r].self += st->count;
	if (a->opts.by != AGG_FUNCTION ||
	    profile_frame(p, st->frames[leaf])->kind != FRAME_INLINED)
		return;
	a->rows[r].self_inlined += st->count;
	c = aggregate_container(p, st, leaf);
	if (c < st->depth)
		aggregate_into_add(in, r, a->frame_row[st->frames[c]],
				   st->count);
}

static void
aggregate_threads(struct aggregate *a, const struct profile *p)
{
	size_t s, nstacks = profile_nstacks(p);

	for (s = 0; s < nstacks; s++) {
		const struct stack *st = profile_stack(p, s);
		const struct task *t = profile_task(p, st->task);
		size_t r;

		r = aggregate_row_get(a, t ? t->thread : "", t ? t->comm : "",
				      FRAME_USER, st->task);
		a->rows[r].self += st->count;
		a->rows[r].total += st->count;
	}
}

struct aggregate *
aggregate_new_opts(const struct profile *p, const struct agg_opts *o)
{
	struct aggregate *a = aggregate_alloc(o);
	size_t s, nstacks = profile_nstacks(p);
	uint32_t i;

	a->total = profile_total(p);
	if (o->by == AGG_THREAD) {
		aggregate_threads(a, p);
		return a;
	}
	/* Frame ids map to rows once, not once per occurrence. */
	a->nframes = profile_nframes(p);
	a->frame_row =
		xcalloc(a->nframes ? a->nframes : 1, sizeof(*a->frame_row));
	for (i = 0; i < a->nframes; i++)
		a->frame_row[i] =
			aggregate_frame_row_get(a, profile_frame(p, i));
	for (s = 0; s < nstacks; s++) {
		const struct stack *st = profile_stack(p, s);
		uint32_t d;

		if (!st->count || !st->depth)
			continue;
		for (d = 0; d < st->depth; d++) {
			size_t r = a->frame_row[st->frames[d]];

			if (r != SIZE_MAX)
				aggregate_count_total(a, r, s, st->count);
		}
		aggregate_count_self(a, &a->into, p, st);
	}
	aggregate_into_finish(a, &a->into);
	return a;
}

struct aggregate *
aggregate_new(const struct profile *p, enum agg_by by)
{
	struct agg_opts o = { .by = by };

	return aggregate_new_opts(p, &o);
}

const struct agg_inlined *
aggregate_inlined(const struct aggregate *a, size_t *n)
{
	*n = a->into.n;
	return a->into.pairs;
}

size_t
aggregate_frame_row(const struct aggregate *a, uint32_t frame)
{
	return frame < a->nframes ? a->frame_row[frame] : SIZE_MAX;
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
	kind = aggregate_kind(kind);
	key = aggregate_key(a->opts.by, name, module, kind, task);
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
			a->opts.by, r->name, r->module, r->kind, r->task);

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
	size_t r = aggregate_function_row(a, f);

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
	struct agg_opts o = { .by = AGG_FUNCTION };
	uint32_t i;

	memset(out, 0, sizeof(*out));
	out->callers = aggregate_alloc(&o);
	out->callees = aggregate_alloc(&o);
	out->functions = aggregate_alloc(&o);
	/* Frames differing only in file:line, or an inlined copy and the
	 * out-of-line body, are one function row. */
	for (i = 0; i < nframes; i++) {
		const struct frame *f = profile_frame(p, i);

		hit[i] = f->kind != FRAME_PROCESS && match(f, arg);
		if (hit[i])
			aggregate_function_row(out->functions, f);
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
