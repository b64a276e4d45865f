/* SPDX-License-Identifier: MIT */
/*
 * profile/split.c - a profile apart by process or by thread, the two ways
 * FlameGraph's users choose today: one root frame per process or thread in
 * one graph (stackcollapse-perf.pl --pid / --tid: "comm-PID",
 * "comm-PID/TID"), or one part per process or thread (report --split).
 */
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "profile.h"

int
profile_split_parse(const char *name, enum profile_split *by)
{
	if (!strcmp(name, "thread"))
		*by = SPLIT_THREAD;
	else if (!strcmp(name, "process"))
		*by = SPLIT_PROCESS;
	else
		return -1;
	return 0;
}

char *
profile_split_name(const struct profile *p, uint32_t task,
		   enum profile_split by)
{
	const struct task *t;

	if (task == TASK_NONE)
		return xstrdup("[no task]");
	t = profile_task(p, task);
	if (by == SPLIT_PROCESS)
		return xasprintf("%s-%d", t->comm[0] ? t->comm : "[unknown]",
				 (int)t->pid);
	return xasprintf("%s-%d/%d",
			 t->thread[0] ? t->thread
			 : t->comm[0] ? t->comm
				      : "[unknown]",
			 (int)t->pid, (int)t->tid);
}

void
profile_split_copy_meta(struct profile *dst, const struct profile *src)
{
	size_t i;

	for (i = 0; i < profile_nmeta(src); i++) {
		const struct meta *m = profile_meta(src, i);

		if (m->type == META_INT)
			profile_meta_set_int(dst, m->key, m->num);
		else
			profile_meta_set_str(dst, m->key, m->str);
	}
}

/*
 * Copy stack st of src into dst (frames and task mapped), its root frame
 * replaced by (or, without a process root, preceded by) frame root unless
 * root is UINT32_MAX. ids has room for st->depth + 1.
 */
static void
split_add_stack(struct profile *dst, const struct profile *src,
		const struct stack *st, uint32_t root, uint32_t *ids)
{
	uint32_t d, n = 0, from = 0;
	uint32_t task = TASK_NONE;

	if (root != UINT32_MAX) {
		ids[n++] = root;
		if (st->depth &&
		    profile_frame(src, st->frames[0])->kind == FRAME_PROCESS)
			from = 1;
	}
	for (d = from; d < st->depth; d++) {
		const struct frame *f = profile_frame(src, st->frames[d]);

		ids[n++] = profile_intern_frame_src(dst, f->name, f->module,
						    f->kind, f->file, f->line);
	}
	if (st->task != TASK_NONE) {
		const struct task *t = profile_task(src, st->task);

		task = profile_add_task(dst, t->pid, t->tid, t->comm,
					t->thread);
	}
	profile_add_stack_values(dst, task, ids, NULL, n, st->count,
				 st->off_cpu_ns);
}

struct profile *
profile_split(const struct profile *p, enum profile_split by)
{
	struct profile *dst = profile_new();
	uint32_t *ids = NULL;
	size_t i, cap = 0;

	profile_split_copy_meta(dst, p);
	for (i = 0; i < profile_nstacks(p); i++) {
		const struct stack *st = profile_stack(p, i);
		uint32_t root = UINT32_MAX;

		if (st->depth + 1 > cap) {
			cap = st->depth + 1;
			ids = xreallocarray(ids, cap, sizeof(*ids));
		}
		if (st->task != TASK_NONE && by != SPLIT_NONE) {
			char *name = profile_split_name(p, st->task, by);

			root = profile_intern_frame(dst, name, NULL,
						    FRAME_PROCESS);
			free(name);
		}
		split_add_stack(dst, p, st, root, ids);
	}
	free(ids);
	return dst;
}

/* The key of a stack's part: its process, its task, or none. */
static unsigned long long
split_key(const struct profile *p, uint32_t task, enum profile_split by)
{
	if (task == TASK_NONE)
		return 1ULL << 40;
	if (by == SPLIT_PROCESS)
		return (unsigned)profile_task(p, task)->pid;
	return (1ULL << 41) | task;
}

static int
split_part_cmp(const void *a, const void *b)
{
	const struct profile_part *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

size_t
profile_split_parts(const struct profile *p, enum profile_split by,
		    struct profile_part **parts)
{
	struct intmap index; /* key -> part number + 1 */
	struct profile_part *out = NULL;
	uint32_t *ids = NULL;
	size_t i, n = 0, cap = 0;

	intmap_init(&index);
	for (i = 0; i < profile_nstacks(p); i++) {
		const struct stack *st = profile_stack(p, i);
		unsigned long long key = split_key(p, st->task, by);
		size_t k = (size_t)(uintptr_t)intmap_get(&index, key);

		if (!k) {
			out = xreallocarray(out, n + 1, sizeof(*out));
			out[n].name = profile_split_name(p, st->task, by);
			out[n].total = 0;
			out[n].p = profile_new();
			profile_split_copy_meta(out[n].p, p);
			intmap_put(&index, key, (void *)(uintptr_t)(n + 1));
			k = ++n;
		}
		if (st->depth + 1 > cap) {
			cap = st->depth + 1;
			ids = xreallocarray(ids, cap, sizeof(*ids));
		}
		split_add_stack(out[k - 1].p, p, st, UINT32_MAX, ids);
		out[k - 1].total += st->count;
	}
	intmap_fini(&index);
	free(ids);
	if (n)
		qsort(out, n, sizeof(*out), split_part_cmp);
	*parts = out;
	return n;
}

void
profile_parts_free(struct profile_part *parts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(parts[i].name);
		profile_free(parts[i].p);
	}
	free(parts);
}
