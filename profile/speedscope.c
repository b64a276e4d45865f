/* SPDX-License-Identifier: MIT */
/*
 * profile/speedscope.c - export to speedscope's JSON file format
 * (https://www.speedscope.app/file-format-schema.json): shared frames and
 * one sampled profile per thread, whose stacks list frame indices from the
 * root.
 *
 * Frames carry their bare names, as speedscope shows and searches them: no
 * "_[k]"/"_[i]"/"_[j]" suffix. The schema's frame has name, file, line and
 * col only, and allows other members, so the kind travels as "kind" (the
 * native format's names: "user", "kernel", "inlined", ...), next to file
 * (the source file, else the module: "[kernel]" for the kernel's frames)
 * and line. speedscope tells frames apart by their index, not their name,
 * so a function and its inlined copy stay two frames.
 *
 * Profiles: one per task, named "comm (pid/tid)" ("comm: thread (pid/tid)"
 * when the thread has a name of its own), ordered by pid and tid; stacks
 * without a task (folded input) make one profile named after the input.
 * The process frame at a recorded stack's root stays: after an exec it
 * names the image that ran. The heaviest profile is the one shown first.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "profile.h"

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"

/* One profile of the file: a task (or TASK_NONE) and its stacks. */
struct ss_profile {
	uint32_t task;
	uint64_t total;	     /* the sum of its weights: endValue */
	size_t first, count; /* its stacks in the order array */
};

static void
speedscope_write_frames(const struct profile *p, FILE *fp)
{
	size_t i, n = profile_nframes(p);

	for (i = 0; i < n; i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);

		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", fp);
		json_put_string(fp, f->name);
		if (f->file[0] || f->module[0]) {
			fputs(", \"file\": ", fp);
			json_put_string(fp, f->file[0] ? f->file : f->module);
		}
		if (f->line)
			fprintf(fp, ", \"line\": %" PRIu32, f->line);
		fprintf(fp, ", \"kind\": \"%s\"}", frame_kind_name(f->kind));
	}
}

static int
speedscope_cmp_task(const struct profile *p, uint32_t a, uint32_t b)
{
	const struct task *ta, *tb;

	if (a == b)
		return 0;
	if (a == TASK_NONE || b == TASK_NONE)
		return a == TASK_NONE ? 1 : -1;
	ta = profile_task(p, a);
	tb = profile_task(p, b);
	if (ta->pid != tb->pid)
		return ta->pid < tb->pid ? -1 : 1;
	if (ta->tid != tb->tid)
		return ta->tid < tb->tid ? -1 : 1;
	return a < b ? -1 : 1;
}

/*
 * Group the stacks with samples by task: fills order (stack indices) and
 * returns the profiles, sorted by pid and tid, in *nprof.
 */
static struct ss_profile *
speedscope_group(const struct profile *p, uint64_t weight, size_t *order,
		 size_t *nprof)
{
	size_t nt = profile_ntasks(p), ns = profile_nstacks(p), i, j, n = 0;
	size_t *slot_of = xcalloc(nt + 1, sizeof(*slot_of));
	struct ss_profile *pr = xcalloc(nt + 1, sizeof(*pr)), tmp;

	/* slot_of[task] = 1 + the profile's index; task nt is TASK_NONE. */
	for (i = 0; i < ns; i++) {
		const struct stack *st = profile_stack(p, i);
		size_t t = st->task == TASK_NONE ? nt : st->task;

		if (!st->count)
			continue;
		if (!slot_of[t]) {
			pr[n].task = st->task;
			slot_of[t] = ++n;
		}
		pr[slot_of[t] - 1].count++;
		pr[slot_of[t] - 1].total += st->count * weight;
	}
	/* Insertion sort by task: few profiles, and stable. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && speedscope_cmp_task(p, pr[j - 1].task,
							 pr[j].task) > 0;
		     j--) {
			tmp = pr[j];
			pr[j] = pr[j - 1];
			pr[j - 1] = tmp;
		}
	for (i = 0, j = 0; i < n; i++) {
		size_t t = pr[i].task == TASK_NONE ? nt : pr[i].task;

		pr[i].first = j;
		j += pr[i].count;
		slot_of[t] = i + 1;
		pr[i].count = 0; /* counted again while filling order */
	}
	for (i = 0; i < ns; i++) {
		const struct stack *st = profile_stack(p, i);
		struct ss_profile *q;

		if (!st->count)
			continue;
		q = &pr[slot_of[st->task == TASK_NONE ? nt : st->task] - 1];
		order[q->first + q->count++] = i;
	}
	free(slot_of);
	*nprof = n;
	return pr;
}

static void
speedscope_put_name(const struct profile *p, const struct ss_profile *q,
		    const char *name, FILE *fp)
{
	const struct task *t;
	struct strbuf sb;

	if (q->task == TASK_NONE) {
		json_put_string(fp, name);
		return;
	}
	t = profile_task(p, q->task);
	strbuf_init(&sb);
	strbuf_addstr(&sb, t->comm[0] ? t->comm : "[unknown]");
	if (t->thread[0] && strcmp(t->thread, t->comm))
		strbuf_addf(&sb, ": %s", t->thread);
	strbuf_addf(&sb, " (%" PRId32 "/%" PRId32 ")", t->pid, t->tid);
	json_put_string(fp, sb.buf);
	strbuf_fini(&sb);
}

static void
speedscope_write_profile(const struct profile *p, const struct ss_profile *q,
			 const size_t *order, uint64_t weight, const char *unit,
			 const char *name, FILE *fp)
{
	size_t i;
	uint32_t d;

	fputs("{\"type\": \"sampled\", \"name\": ", fp);
	speedscope_put_name(p, q, name, fp);
	fprintf(fp,
		", \"unit\": \"%s\", \"startValue\": 0, \"endValue\": %" PRIu64
		",\n \"samples\": [",
		unit, q->total);
	for (i = 0; i < q->count; i++) {
		const struct stack *st = profile_stack(p, order[q->first + i]);

		fputs(i ? ",\n  [" : "\n  [", fp);
		for (d = 0; d < st->depth; d++)
			fprintf(fp, d ? ",%" PRIu32 : "%" PRIu32,
				st->frames[d]);
		putc(']', fp);
	}
	fputs("],\n \"weights\": [", fp);
	for (i = 0; i < q->count; i++)
		fprintf(fp, i ? ",%" PRIu64 : "%" PRIu64,
			profile_stack(p, order[q->first + i])->count * weight);
	fputs("]}", fp);
}

int
profile_write_speedscope(const struct profile *p, const char *name, FILE *fp)
{
	uint64_t count_ns = profile_count_ns(p);
	uint64_t weight = count_ns ? count_ns : 1;
	const char *unit = count_ns ? "nanoseconds" : "none";
	size_t *order = xcalloc(profile_nstacks(p) + 1, sizeof(*order));
	size_t i, n, heaviest = 0;
	struct ss_profile *pr = speedscope_group(p, weight, order, &n);
	struct ss_profile none = { .task = TASK_NONE };

	for (i = 1; i < n; i++)
		if (pr[i].total > pr[heaviest].total)
			heaviest = i;
	fputs("{\"$schema\": \"" SPEEDSCOPE_SCHEMA "\",\n"
	      "\"exporter\": \"scorch " SCORCH_VERSION "\",\n\"name\": ",
	      fp);
	json_put_string(fp, name);
	fprintf(fp,
		",\n\"activeProfileIndex\": %zu,\n\"shared\": {\"frames\": [",
		heaviest);
	speedscope_write_frames(p, fp);
	fputs("\n]},\n\"profiles\": [\n", fp);
	/* A profile without samples is still one (empty) profile: speedscope
	 * refuses a file with none. */
	if (!n)
		speedscope_write_profile(p, &none, order, weight, unit, name,
					 fp);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(",\n", fp);
		speedscope_write_profile(p, &pr[i], order, weight, unit, name,
					 fp);
	}
	fputs("\n]\n}\n", fp);
	free(pr);
	free(order);
	return ferror(fp) ? -1 : 0;
}
