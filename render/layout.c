/* SPDX-License-Identifier: MIT */
/*
 * render/layout.c - flame graph layout by sorting and flowing: stacks are
 * sorted by their frames' names, then one pass over them opens and closes
 * call paths the way flamegraph.pl's flow() does, keeping only the paths
 * wide enough to draw. Memory is bounded by the stacks' sort keys and the
 * drawn frames, never by the (much larger) tree of all call paths.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

/*
 * A stack being sorted: a key packing the ranks of up to per_key of its
 * frames, and the stack itself (copied here, so the sort and the flow read
 * one array in order instead of chasing an index into another).
 */
struct layout_key {
	uint64_t key;
	const uint32_t *frames;
	uint32_t depth;
	uint32_t ended; /* the stack ends inside this key's frames */
	uint64_t count;
};

struct layout_range {
	size_t lo, hi;	/* keys[lo..hi) share every frame before level */
	uint32_t level; /* first frame the next key packs */
};

struct layout {
	const struct profile *p;
	size_t nstacks;
	uint32_t
		*rank; /* frame id -> rank by name, from 1; equal names share */
	unsigned bits; /* bits per rank in a key */
	unsigned per_key;
	int reverse;
};

static inline uint32_t
layout_frame(const struct layout *lo, const struct layout_key *s, uint32_t j)
{
	return lo->reverse ? s->frames[s->depth - 1 - j] : s->frames[j];
}

/*
 * Compare two frames by their names as folded text shows them (name, kind
 * suffix), each followed by ';': the order flamegraph.pl gets by sorting
 * whole lines, so siblings are laid out as it lays them out.
 */
static int
layout_name_cmp(const void *a, const void *b, void *arg)
{
	const struct profile *p = arg;
	const struct frame *fa = profile_frame(p, *(const uint32_t *)a);
	const struct frame *fb = profile_frame(p, *(const uint32_t *)b);
	const char *pa[3] = { fa->name, frame_kind_suffix(fa->kind), ";" };
	const char *pb[3] = { fb->name, frame_kind_suffix(fb->kind), ";" };
	const unsigned char *x = (const unsigned char *)pa[0];
	const unsigned char *y = (const unsigned char *)pb[0];
	int i = 0, j = 0;

	for (;;) {
		while (!*x && i < 2)
			x = (const unsigned char *)pa[++i];
		while (!*y && j < 2)
			y = (const unsigned char *)pb[++j];
		if (!*x || !*y || *x != *y)
			return (int)*x - (int)*y;
		x++;
		y++;
	}
}

/* Rank every frame by name; frames with equal names get one rank. */
static uint32_t
layout_rank(struct layout *lo)
{
	size_t i, n = profile_nframes(lo->p);
	uint32_t *ids = xcalloc(n ? n : 1, sizeof(*ids)), r = 0;

	lo->rank = xcalloc(n ? n : 1, sizeof(*lo->rank));
	for (i = 0; i < n; i++)
		ids[i] = (uint32_t)i;
	qsort_r(ids, n, sizeof(*ids), layout_name_cmp, (void *)lo->p);
	for (i = 0; i < n; i++) {
		if (!i || layout_name_cmp(&ids[i - 1], &ids[i], (void *)lo->p))
			r++;
		lo->rank[ids[i]] = r;
	}
	free(ids);
	return r;
}

static uint64_t
layout_pack(const struct layout *lo, const struct layout_key *s, uint32_t level,
	    uint32_t *ended)
{
	uint64_t key = 0;
	unsigned j;

	for (j = 0; j < lo->per_key; j++) {
		uint32_t d = level + j;

		key <<= lo->bits;
		if (d < s->depth)
			key |= lo->rank[layout_frame(lo, s, d)];
	}
	*ended = s->depth < level + lo->per_key;
	return key;
}

/*
 * The stacks are visited in sorted order, which is not their order in
 * memory: fetch the ones a few steps ahead, so the loads overlap instead
 * of each stalling on a cache miss.
 */
static inline void
layout_prefetch(const struct layout *lo, const struct layout_key *keys,
		size_t i, size_t hi, uint32_t level)
{
	if (i + 8 < hi) {
		const struct layout_key *s = &keys[i + 8];

		if (level < s->depth)
			__builtin_prefetch(
				s->frames +
				(lo->reverse ? s->depth - 1 - level : level));
	}
}

/*
 * Sort keys[0..n) by key, stably (equal keys keep their order, which is
 * stack order: the output does not depend on the sort). Least significant
 * byte first, skipping bytes all keys share; small runs by insertion.
 */
static void
layout_sort_keys(struct layout_key *keys, struct layout_key *tmp, size_t n,
		 unsigned key_bits)
{
	struct layout_key *a = keys, *b = tmp, *t;
	unsigned shift;
	size_t i, j;

	if (n < 48) {
		for (i = 1; i < n; i++) {
			struct layout_key k = keys[i];

			for (j = i; j > 0 && keys[j - 1].key > k.key; j--)
				keys[j] = keys[j - 1];
			keys[j] = k;
		}
		return;
	}
	for (shift = 0; shift < key_bits; shift += 8) {
		size_t count[256] = { 0 }, sum = 0;

		for (i = 0; i < n; i++)
			count[(a[i].key >> shift) & 0xff]++;
		if (count[(a[0].key >> shift) & 0xff] == n)
			continue; /* every key has this byte */
		for (i = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[count[(a[i].key >> shift) & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	if (a != keys)
		memcpy(keys, a, n * sizeof(*keys));
}

/*
 * Sort the stacks by their rank sequences, most significant frames first:
 * sort by a key packing the first per_key frames, then each run of equal
 * keys by the next per_key frames, and so on. Each pass reads a few bytes
 * of every stack in the run, so the sort touches the (large) frame arrays
 * about depth / per_key times instead of once per comparison.
 */
static void
layout_sort(struct layout *lo, struct layout_key *keys)
{
	struct layout_key *tmp =
		xcalloc(lo->nstacks ? lo->nstacks : 1, sizeof(*tmp));
	struct layout_range *todo;
	size_t ntodo = 0, cap = 64, i;

	todo = xmalloc(cap * sizeof(*todo));
	todo[ntodo++] = (struct layout_range){ 0, lo->nstacks, 0 };
	while (ntodo) {
		struct layout_range r = todo[--ntodo];
		size_t j;

		for (i = r.lo; i < r.hi; i++) {
			layout_prefetch(lo, keys, i, r.hi, r.level);
			keys[i].key = layout_pack(lo, &keys[i], r.level,
						  &keys[i].ended);
		}
		layout_sort_keys(keys + r.lo, tmp, r.hi - r.lo,
				 lo->bits * lo->per_key);
		for (i = r.lo; i < r.hi; i = j) {
			for (j = i + 1; j < r.hi && keys[j].key == keys[i].key;
			     j++)
				;
			/* Equal keys that end here are equal stacks. */
			if (j - i < 2 || keys[i].ended)
				continue;
			if (ntodo == cap) {
				cap *= 2;
				todo = xreallocarray(todo, cap, sizeof(*todo));
			}
			todo[ntodo++] =
				(struct layout_range){ i, j,
						       r.level + lo->per_key };
		}
	}
	free(todo);
	free(tmp);
}

static struct flame_rect *
layout_add_rect(struct flame_layout *l)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->rects = xreallocarray(l->rects, l->cap, sizeof(*l->rects));
	}
	memset(&l->rects[l->len], 0, sizeof(*l->rects));
	return &l->rects[l->len++];
}

/* The call paths open while flowing: one per depth of the current stack. */
struct layout_open {
	uint32_t *frame, *rank;
	uint64_t *start, *self;
	uint32_t same; /* frame[0..same) unchanged since the last annotate */
};

/* Close the open path at index d (rect depth d + 1) at sample offset end. */
static void
layout_close(struct flame_layout *l, struct layout_open *o, uint32_t d,
	     uint64_t end, double min_samples, const struct flame_diff *diff)
{
	uint64_t total = end - o->start[d];
	struct flame_rect *r;

	if ((double)total < min_samples)
		return; /* pruned, with every path above it */
	r = layout_add_rect(l);
	r->start = o->start[d];
	r->total = total;
	r->self = o->self[d];
	r->frame = o->frame[d];
	r->depth = d + 1;
	if (diff && diff->annotate) {
		diff->annotate(diff->ctx, o->frame, d + 1,
			       o->same < d + 1 ? o->same : d + 1, total,
			       &r->annot);
		o->same = UINT32_MAX;
	}
	if (r->depth > l->max_depth)
		l->max_depth = r->depth;
}

static int
layout_rect_cmp(const void *a, const void *b)
{
	const struct flame_rect *x = a, *y = b;

	/* Preorder: a parent starts where its first child starts. */
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

/* Sort the rects into preorder and link each to its parent. */
static void
layout_link(struct flame_layout *l)
{
	uint32_t *last = xcalloc(l->max_depth + 1, sizeof(*last));
	size_t i;

	qsort(l->rects, l->len, sizeof(*l->rects), layout_rect_cmp);
	for (i = 0; i < l->len; i++) {
		struct flame_rect *r = &l->rects[i];

		r->parent = r->depth ? last[r->depth - 1] : FLAME_NONE;
		last[r->depth] = (uint32_t)i;
	}
	free(last);
}

void
flame_layout_build(struct flame_layout *l, const struct profile *p,
		   double min_samples, int reverse, const struct flame_diff *d)
{
	struct layout lo = { .p = p, .reverse = reverse };
	struct layout_open o = { 0 };
	struct layout_key *keys;
	size_t i, n = profile_nstacks(p);
	uint32_t nranks, open = 0;
	uint64_t offset = 0, root_self = 0;
	struct flame_rect *root;

	memset(l, 0, sizeof(*l));
	keys = xcalloc(n ? n : 1, sizeof(*keys));
	for (i = 0; i < n; i++) {
		const struct stack *st = profile_stack(p, i);

		if (!st->count)
			continue;
		keys[lo.nstacks].frames = st->frames;
		keys[lo.nstacks].depth = st->depth;
		keys[lo.nstacks].count = st->count;
		lo.nstacks++;
		if (st->depth > l->stack_depth)
			l->stack_depth = st->depth;
	}
	nranks = layout_rank(&lo);
	for (lo.bits = 1; lo.bits < 32 && (1ULL << lo.bits) <= nranks;
	     lo.bits++)
		;
	lo.per_key = 64 / lo.bits;
	layout_sort(&lo, keys);

	o.frame = xcalloc(l->stack_depth + 1, sizeof(*o.frame));
	o.rank = xcalloc(l->stack_depth + 1, sizeof(*o.rank));
	o.start = xcalloc(l->stack_depth + 1, sizeof(*o.start));
	o.self = xcalloc(l->stack_depth + 1, sizeof(*o.self));
	for (i = 0; i < lo.nstacks; i++) {
		const struct layout_key *s = &keys[i];
		uint32_t k = 0, j;

		layout_prefetch(&lo, keys, i, lo.nstacks, 0);
		while (k < open && k < s->depth &&
		       o.rank[k] == lo.rank[layout_frame(&lo, s, k)])
			k++;
		for (j = open; j-- > k;)
			layout_close(l, &o, j, offset, min_samples, d);
		o.same = k < o.same ? k : o.same;
		for (j = k; j < s->depth; j++) {
			o.frame[j] = layout_frame(&lo, s, j);
			o.rank[j] = lo.rank[o.frame[j]];
			o.start[j] = offset;
			o.self[j] = 0;
			l->paths++;
		}
		open = s->depth;
		if (open)
			o.self[open - 1] += s->count;
		else
			root_self += s->count;
		offset += s->count;
	}
	for (i = open; i-- > 0;)
		layout_close(l, &o, (uint32_t)i, offset, min_samples, d);

	root = layout_add_rect(l);
	root->frame = FLAME_ROOT;
	root->total = offset;
	root->self = root_self;
	if (d && d->annotate)
		d->annotate(d->ctx, o.frame, 0, 0, offset, &root->annot);
	l->total = offset;
	layout_link(l);

	free(o.frame);
	free(o.rank);
	free(o.start);
	free(o.self);
	free(keys);
	free(lo.rank);
}

void
flame_layout_fini(struct flame_layout *l)
{
	free(l->rects);
	memset(l, 0, sizeof(*l));
}
