/* SPDX-License-Identifier: MIT */
/*
 * diff/paths.c - one side's samples by call path, for the other side's
 * flame graph: each frame of a differential graph looks up what the other
 * side spent in the same path, frames lined up by align key.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

struct diff_paths {
	struct intmap index; /* path key -> slot + 1 */
	uint64_t *counts;
	size_t n, cap;
	uint64_t total;
	/* Align key hashes of the frames of the profile looked up last. */
	const struct profile *cached;
	unsigned long long *frame_keys; /* 0 for process frames */
	size_t nframe_keys;
	/*
	 * The key of each prefix of the path looked up last: prefix_keys[j]
	 * is the key of its frames[0..j]. The flame graph asks for every
	 * frame it draws, a path and then its callers, and says how much of
	 * the path is the one before: only the rest is hashed.
	 */
	unsigned long long *prefix_keys;
	uint32_t last_depth, path_cap;
};

/* Hashes of every frame's align key in p (0 for process frames). */
static unsigned long long *
paths_frame_keys(const struct profile *p, size_t *n)
{
	const char *exe = align_exe(p);
	size_t i;
	unsigned long long *keys;

	*n = profile_nframes(p);
	keys = xcalloc(*n ? *n : 1, sizeof(*keys));
	for (i = 0; i < *n; i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);
		char *key;

		if (f->kind == FRAME_PROCESS)
			continue;
		key = align_key(f->name, f->module, (int)f->kind, exe);
		keys[i] = hash_bytes(key, strlen(key), 0x51ed) | 1;
		free(key);
	}
	return keys;
}

/* The key of a path one frame longer than prefix. */
static unsigned long long
paths_step(unsigned long long prefix, unsigned long long frame)
{
	unsigned long long v[2] = { prefix, frame };

	return hash_bytes(v, sizeof(v), 0x2545) | 1;
}

static void
paths_add(struct diff_paths *dp, unsigned long long key, uint64_t count)
{
	void *v = intmap_get(&dp->index, key);

	if (v) {
		dp->counts[(uintptr_t)v - 1] += count;
		return;
	}
	if (dp->n == dp->cap) {
		dp->cap = dp->cap ? dp->cap * 2 : 1024;
		dp->counts =
			xreallocarray(dp->counts, dp->cap, sizeof(*dp->counts));
	}
	dp->counts[dp->n] = count;
	intmap_put(&dp->index, key, (void *)(uintptr_t)++dp->n);
}

struct diff_paths *
diff_paths_new(struct profile *const *profiles, size_t n)
{
	struct diff_paths *dp = xcalloc(1, sizeof(*dp));
	size_t r, i, nk;

	intmap_init(&dp->index);
	for (r = 0; r < n; r++) {
		const struct profile *p = profiles[r];
		unsigned long long *keys = paths_frame_keys(p, &nk);

		for (i = 0; i < profile_nstacks(p); i++) {
			const struct stack *st = profile_stack(p, i);
			unsigned long long key = 0;
			uint32_t j;

			dp->total += st->count;
			for (j = 0; j < st->depth; j++) {
				if (!keys[st->frames[j]])
					continue;
				key = paths_step(key, keys[st->frames[j]]);
				paths_add(dp, key, st->count);
			}
		}
		free(keys);
	}
	return dp;
}

void
diff_paths_free(struct diff_paths *dp)
{
	if (!dp)
		return;
	intmap_fini(&dp->index);
	free(dp->counts);
	free(dp->frame_keys);
	free(dp->prefix_keys);
	free(dp);
}

uint64_t
diff_paths_total(const struct diff_paths *dp)
{
	return dp->total;
}

/* The key of frames[0..depth) of the cached profile, whose first same
 * frames are those of the path looked up last (which it becomes). */
static unsigned long long
paths_key(struct diff_paths *dp, const uint32_t *frames, uint32_t depth,
	  uint32_t same)
{
	unsigned long long key;
	uint32_t j = same;

	if (depth > dp->path_cap) {
		dp->path_cap = depth;
		dp->prefix_keys = xreallocarray(dp->prefix_keys, depth,
						sizeof(*dp->prefix_keys));
	}
	if (j > dp->last_depth)
		j = dp->last_depth;
	if (j > depth)
		j = depth;
	key = j ? dp->prefix_keys[j - 1] : 0;
	for (; j < depth; j++) {
		uint32_t f = frames[j];

		if (f < dp->nframe_keys && dp->frame_keys[f])
			key = paths_step(key, dp->frame_keys[f]);
		dp->prefix_keys[j] = key;
	}
	dp->last_depth = depth;
	return key;
}

uint64_t
diff_paths_lookup(struct diff_paths *dp, const struct profile *p,
		  const uint32_t *frames, uint32_t depth, uint32_t same)
{
	unsigned long long key;
	void *v;

	if (dp->cached != p) {
		free(dp->frame_keys);
		dp->frame_keys = paths_frame_keys(p, &dp->nframe_keys);
		dp->cached = p;
		dp->last_depth = 0;
	}
	key = paths_key(dp, frames, depth, same);
	if (!key)
		return dp->total; /* the root, or the process frame */
	v = intmap_get(&dp->index, key);
	return v ? dp->counts[(uintptr_t)v - 1] : 0;
}

/* The listed functions' align keys, by hash, to their index + 1
 * (collisions only mark a frame wrongly in the picture, never in the
 * report). */
struct diff_keyset {
	struct intmap set;
};

void
diff_keyset_add(struct diff_result *r, size_t f)
{
	const char *key = r->fns[f].key;

	if (!r->findings) {
		r->findings = xcalloc(1, sizeof(*r->findings));
		intmap_init(&r->findings->set);
	}
	intmap_put(&r->findings->set, hash_bytes(key, strlen(key), 7),
		   (void *)(uintptr_t)(f + 1));
}

void
diff_keyset_free(struct diff_keyset *ks)
{
	if (!ks)
		return;
	intmap_fini(&ks->set);
	free(ks);
}

enum diff_tier
diff_frame_tier(const struct diff_result *r, const struct profile *p,
		uint32_t frame, const struct diff_fn **fn)
{
	const struct frame *f = profile_frame(p, frame);
	const struct diff_fn *found;
	char *key;
	void *v;

	*fn = NULL;
	if (!r->findings || !f || f->kind == FRAME_PROCESS)
		return DIFF_TIER_NONE;
	key = align_key(f->name, f->module, (int)f->kind, align_exe(p));
	v = intmap_get(&r->findings->set, hash_bytes(key, strlen(key), 7));
	free(key);
	if (!v)
		return DIFF_TIER_NONE;
	found = &r->fns[(uintptr_t)v - 1];
	*fn = found;
	return diff_fn_is_finding(found) ? DIFF_TIER_FINDING
					 : DIFF_TIER_POSSIBLE;
}
