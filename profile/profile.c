/* SPDX-License-Identifier: MIT */
/* profile/profile.c - the profile data model: frames, tasks, stacks, meta. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "profile.h"

struct stack_entry {
	struct stack st;
	size_t frames_off; /* into p->frame_ids */
	unsigned long long hash;
};

struct profile {
	struct strpool strings;

	struct frame *frames;
	size_t nframes, frames_cap;
	struct intmap
		frame_index; /* hash(name ptr, module ptr, kind) -> id+1 */

	struct task *tasks;
	size_t ntasks, tasks_cap;
	struct intmap task_index; /* hash of pid, tid, names -> idx+1 */

	struct stack_entry *stacks;
	size_t nstacks, stacks_cap;
	uint32_t *slots; /* open addressing: stack idx + 1, 0 empty */
	size_t nslots;
	uint32_t *frame_ids; /* all stacks' frames, back to back */
	uint32_t *site_ids;  /* their sites, parallel, once one is added */
	size_t nids, ids_cap;

	struct site *sites;
	size_t nsites, sites_cap;
	struct intmap site_index; /* hash(addr, line) -> id+1 */

	struct module_info *modules;
	size_t nmodules, modules_cap;
	uint64_t total;
	uint64_t total_off_cpu; /* sum of the stacks' off_cpu_ns */

	struct meta *meta;
	size_t nmeta, meta_cap;
};

struct profile *
profile_new(void)
{
	struct profile *p = xcalloc(1, sizeof(*p));

	strpool_init(&p->strings);
	intmap_init(&p->frame_index);
	intmap_init(&p->task_index);
	intmap_init(&p->site_index);
	profile_intern_site(p, 0, 0);
	p->nslots = 1024;
	p->slots = xcalloc(p->nslots, sizeof(*p->slots));
	return p;
}

void
profile_free(struct profile *p)
{
	if (!p)
		return;
	strpool_fini(&p->strings);
	free(p->frames);
	intmap_fini(&p->frame_index);
	free(p->tasks);
	intmap_fini(&p->task_index);
	free(p->stacks);
	free(p->slots);
	free(p->frame_ids);
	free(p->site_ids);
	free(p->sites);
	intmap_fini(&p->site_index);
	free(p->modules);
	free(p->meta);
	free(p);
}

/*
 * Intern s, cut to PROFILE_MAX_NAME bytes (at a UTF-8 character, ending in
 * "...") when longer: the readers refuse such names, so only a recording
 * (a demangler's expansion of deep templates) brings one, and it must
 * stay writable.
 */
static const char *
profile_intern_clipped(struct profile *p, const char *s)
{
	size_t n = strlen(s);
	const char *ret;
	char *cut;

	if (n <= PROFILE_MAX_NAME)
		return strpool_intern(&p->strings, s);
	n = PROFILE_MAX_NAME - 3;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--; /* s[n] continues a character: cut before it */
	cut = xmalloc(n + 4);
	memcpy(cut, s, n);
	memcpy(cut + n, "...", 4);
	ret = strpool_intern(&p->strings, cut);
	free(cut);
	return ret;
}

uint32_t
profile_intern_frame_src(struct profile *p, const char *name,
			 const char *module, enum frame_kind kind,
			 const char *file, uint32_t line)
{
	const char *n = profile_intern_clipped(p, name);
	const char *m = profile_intern_clipped(p, module ? module : "");
	const char *fl = profile_intern_clipped(p, file ? file : "");
	/* Interned strings compare by pointer, so the key can hash those. */
	uintptr_t parts[5] = { (uintptr_t)n, (uintptr_t)m, (uintptr_t)kind,
			       (uintptr_t)fl, (uintptr_t)line };
	unsigned long long key = hash_bytes(parts, sizeof(parts), 3);
	void *v;
	struct frame *f;

	while ((v = intmap_get(&p->frame_index, key))) {
		f = &p->frames[(uintptr_t)v - 1];
		if (f->name == n && f->module == m && f->kind == kind &&
		    f->file == fl && f->line == line)
			return (uint32_t)((uintptr_t)v - 1);
		key++;
	}
	if (p->nframes == p->frames_cap) {
		p->frames_cap = p->frames_cap ? p->frames_cap * 2 : 256;
		p->frames = xreallocarray(p->frames, p->frames_cap,
					  sizeof(*p->frames));
	}
	f = &p->frames[p->nframes];
	f->name = n;
	f->module = m;
	f->kind = kind;
	f->file = fl;
	f->line = line;
	intmap_put(&p->frame_index, key, (void *)(uintptr_t)(p->nframes + 1));
	return (uint32_t)p->nframes++;
}

uint32_t
profile_intern_frame(struct profile *p, const char *name, const char *module,
		     enum frame_kind kind)
{
	return profile_intern_frame_src(p, name, module, kind, NULL, 0);
}

size_t
profile_nframes(const struct profile *p)
{
	return p->nframes;
}

const struct frame *
profile_frame(const struct profile *p, uint32_t id)
{
	return id < p->nframes ? &p->frames[id] : NULL;
}

uint32_t
profile_add_task(struct profile *p, int32_t pid, int32_t tid, const char *comm,
		 const char *thread)
{
	const char *c = strpool_intern(&p->strings, comm ? comm : "");
	const char *th = strpool_intern(&p->strings, thread ? thread : "");
	/* Interned strings compare by pointer, so the key can hash those. */
	uintptr_t parts[4] = { (uint32_t)pid, (uint32_t)tid, (uintptr_t)c,
			       (uintptr_t)th };
	unsigned long long key = hash_bytes(parts, sizeof(parts), 5);
	void *v = intmap_get(&p->task_index, key);
	struct task *t;
	size_t i;

	if (v) {
		t = &p->tasks[(uintptr_t)v - 1];
		if (t->pid == pid && t->tid == tid && t->comm == c &&
		    t->thread == th)
			return (uint32_t)(t - p->tasks);
		/* A hash collision: the slow way, never wrong. */
		for (i = 0; i < p->ntasks; i++)
			if (p->tasks[i].pid == pid && p->tasks[i].tid == tid &&
			    p->tasks[i].comm == c && p->tasks[i].thread == th)
				return (uint32_t)i;
	}
	if (p->ntasks == p->tasks_cap) {
		p->tasks_cap = p->tasks_cap ? p->tasks_cap * 2 : 16;
		p->tasks = xreallocarray(p->tasks, p->tasks_cap,
					 sizeof(*p->tasks));
	}
	t = &p->tasks[p->ntasks++];
	t->pid = pid;
	t->tid = tid;
	t->comm = c;
	t->thread = th;
	if (!v)
		intmap_put(&p->task_index, key, (void *)(uintptr_t)p->ntasks);
	return (uint32_t)(t - p->tasks);
}

size_t
profile_ntasks(const struct profile *p)
{
	return p->ntasks;
}

const struct task *
profile_task(const struct profile *p, uint32_t idx)
{
	return idx < p->ntasks ? &p->tasks[idx] : NULL;
}

static unsigned long long
profile_stack_hash(uint32_t task, const uint32_t *frames, uint32_t depth)
{
	return hash_bytes(frames, (size_t)depth * sizeof(*frames),
			  0x9e37ULL * task + depth);
}

static void
profile_grow_slots(struct profile *p)
{
	size_t i, n = p->nslots * 2;
	uint32_t *slots = xcalloc(n, sizeof(*slots));

	for (i = 0; i < p->nstacks; i++) {
		size_t j = p->stacks[i].hash & (n - 1);

		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = n;
}

static bool
profile_stack_equal(const struct profile *p, const struct stack_entry *e,
		    const uint32_t *frames, const uint32_t *sites,
		    uint32_t depth)
{
	size_t i;

	if (!depth)
		return true;
	if (memcmp(p->frame_ids + e->frames_off, frames,
		   (size_t)depth * sizeof(*frames)))
		return false;
	if (!p->site_ids)
		return true;
	for (i = 0; i < depth; i++)
		if (p->site_ids[e->frames_off + i] != (sites ? sites[i] : 0))
			return false;
	return true;
}

/* Room for depth more ids (and sites, once there are any). */
static void
profile_grow_ids(struct profile *p, uint32_t depth, bool want_sites)
{
	if (want_sites && !p->site_ids && p->ids_cap)
		p->site_ids = xcalloc(p->ids_cap, sizeof(*p->site_ids));
	if (p->nids + depth <= p->ids_cap && (p->site_ids || !want_sites))
		return;
	while (p->nids + depth > p->ids_cap)
		p->ids_cap = p->ids_cap ? p->ids_cap * 2 : 4096;
	p->frame_ids =
		xreallocarray(p->frame_ids, p->ids_cap, sizeof(*p->frame_ids));
	if (p->site_ids || want_sites) {
		p->site_ids = xreallocarray(p->site_ids, p->ids_cap,
					    sizeof(*p->site_ids));
		memset(p->site_ids + p->nids, 0,
		       (p->ids_cap - p->nids) * sizeof(*p->site_ids));
	}
}

void
profile_add_stack_sites(struct profile *p, uint32_t task,
			const uint32_t *frames, const uint32_t *sites,
			uint32_t depth, uint64_t count)
{
	profile_add_stack_values(p, task, frames, sites, depth, count, 0);
}

void
profile_add_stack_values(struct profile *p, uint32_t task,
			 const uint32_t *frames, const uint32_t *sites,
			 uint32_t depth, uint64_t count, uint64_t off_cpu_ns)
{
	unsigned long long h = profile_stack_hash(task, frames, depth);
	size_t j = h & (p->nslots - 1), i;
	struct stack_entry *e;

	p->total += count;
	p->total_off_cpu += off_cpu_ns;
	while (p->slots[j]) {
		e = &p->stacks[p->slots[j] - 1];
		if (e->hash == h && e->st.task == task &&
		    e->st.depth == depth &&
		    profile_stack_equal(p, e, frames, sites, depth)) {
			e->st.count += count;
			e->st.off_cpu_ns += off_cpu_ns;
			return;
		}
		j = (j + 1) & (p->nslots - 1);
	}
	if (p->nstacks == p->stacks_cap) {
		p->stacks_cap = p->stacks_cap ? p->stacks_cap * 2 : 256;
		p->stacks = xreallocarray(p->stacks, p->stacks_cap,
					  sizeof(*p->stacks));
	}
	profile_grow_ids(p, depth, sites != NULL);
	if (depth)
		memcpy(p->frame_ids + p->nids, frames,
		       (size_t)depth * sizeof(*frames));
	for (i = 0; p->site_ids && i < depth; i++)
		p->site_ids[p->nids + i] = sites ? sites[i] : 0;
	e = &p->stacks[p->nstacks];
	e->st.task = task;
	e->st.depth = depth;
	e->st.frames = NULL;
	e->st.sites = NULL;
	e->st.count = count;
	e->st.off_cpu_ns = off_cpu_ns;
	e->frames_off = p->nids;
	e->hash = h;
	p->nids += depth;
	p->slots[j] = (uint32_t)++p->nstacks;
	if (p->nstacks * 2 > p->nslots)
		profile_grow_slots(p);
}

void
profile_add_stack(struct profile *p, uint32_t task, const uint32_t *frames,
		  uint32_t depth, uint64_t count)
{
	profile_add_stack_sites(p, task, frames, NULL, depth, count);
}

size_t
profile_nstacks(const struct profile *p)
{
	return p->nstacks;
}

const struct stack *
profile_stack(const struct profile *p, size_t idx)
{
	static const uint32_t no_frames[1];
	struct stack_entry *e = &p->stacks[idx];

	/* The id array may have moved since the stack was added. Until a
	 * frame is stored there is none (only empty stacks): NULL + 0 is
	 * undefined, and a caller may hand frames to memcpy() even for 0. */
	e->st.frames = p->frame_ids ? p->frame_ids + e->frames_off : no_frames;
	e->st.sites = p->site_ids ? p->site_ids + e->frames_off : NULL;
	return &e->st;
}

uint32_t
profile_intern_site(struct profile *p, uint64_t addr, uint32_t line)
{
	uint64_t parts[2] = { addr, line };
	unsigned long long key = hash_bytes(parts, sizeof(parts), 7);
	void *v;

	while ((v = intmap_get(&p->site_index, key))) {
		const struct site *s = &p->sites[(uintptr_t)v - 1];

		if (s->addr == addr && s->line == line)
			return (uint32_t)((uintptr_t)v - 1);
		key++;
	}
	if (p->nsites == p->sites_cap) {
		p->sites_cap = p->sites_cap ? p->sites_cap * 2 : 256;
		p->sites = xreallocarray(p->sites, p->sites_cap,
					 sizeof(*p->sites));
	}
	p->sites[p->nsites].addr = addr;
	p->sites[p->nsites].line = line;
	intmap_put(&p->site_index, key, (void *)(uintptr_t)(p->nsites + 1));
	return (uint32_t)p->nsites++;
}

size_t
profile_nsites(const struct profile *p)
{
	return p->nsites;
}

const struct site *
profile_site(const struct profile *p, uint32_t id)
{
	return &p->sites[id];
}

const struct module_info *
profile_module_find(const struct profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nmodules; i++)
		if (!strcmp(p->modules[i].name, name))
			return &p->modules[i];
	return NULL;
}

uint32_t
profile_add_module(struct profile *p, const char *name, const char *path,
		   const char *build_id)
{
	const struct module_info *m = profile_module_find(p, name);
	struct module_info *n;

	if (m)
		return (uint32_t)(m - p->modules);
	if (p->nmodules == p->modules_cap) {
		p->modules_cap = p->modules_cap ? p->modules_cap * 2 : 16;
		p->modules = xreallocarray(p->modules, p->modules_cap,
					   sizeof(*p->modules));
	}
	n = &p->modules[p->nmodules];
	n->name = profile_intern_clipped(p, name);
	n->path = profile_intern_clipped(p, path ? path : "");
	n->build_id = profile_intern_clipped(p, build_id ? build_id : "");
	return (uint32_t)p->nmodules++;
}

size_t
profile_nmodules(const struct profile *p)
{
	return p->nmodules;
}

const struct module_info *
profile_module(const struct profile *p, size_t idx)
{
	return &p->modules[idx];
}

uint64_t
profile_total(const struct profile *p)
{
	return p->total;
}

uint64_t
profile_total_off_cpu(const struct profile *p)
{
	return p->total_off_cpu;
}

static struct meta *
profile_meta_slot(struct profile *p, const char *key)
{
	const char *k = strpool_intern(&p->strings, key);
	size_t i;

	for (i = 0; i < p->nmeta; i++)
		if (p->meta[i].key == k)
			return &p->meta[i];
	if (p->nmeta == p->meta_cap) {
		p->meta_cap = p->meta_cap ? p->meta_cap * 2 : 16;
		p->meta = xreallocarray(p->meta, p->meta_cap, sizeof(*p->meta));
	}
	memset(&p->meta[p->nmeta], 0, sizeof(*p->meta));
	p->meta[p->nmeta].key = k;
	return &p->meta[p->nmeta++];
}

void
profile_meta_set_str(struct profile *p, const char *key, const char *value)
{
	struct meta *m = profile_meta_slot(p, key);

	m->type = META_STR;
	m->str = strpool_intern(&p->strings, value ? value : "");
	m->num = 0;
}

void
profile_meta_set_int(struct profile *p, const char *key, int64_t value)
{
	struct meta *m = profile_meta_slot(p, key);

	m->type = META_INT;
	m->str = NULL;
	m->num = value;
}

const struct meta *
profile_meta_find(const struct profile *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nmeta; i++)
		if (!strcmp(p->meta[i].key, key))
			return &p->meta[i];
	return NULL;
}

const char *
profile_meta_str(const struct profile *p, const char *key)
{
	const struct meta *m = profile_meta_find(p, key);

	return m && m->type == META_STR ? m->str : NULL;
}

int64_t
profile_meta_int(const struct profile *p, const char *key, int64_t def)
{
	const struct meta *m = profile_meta_find(p, key);

	return m && m->type == META_INT ? m->num : def;
}

static uint64_t
profile_meta_count(const struct profile *p, const char *key)
{
	int64_t v = profile_meta_int(p, key, 0);

	return v > 0 ? (uint64_t)v : 0;
}

void
profile_stack_health(const struct profile *p, struct stack_health *h)
{
	h->known = profile_meta_find(p, "broken_stacks") != NULL;
	h->samples = profile_total(p);
	h->broken = profile_meta_count(p, "broken_stacks");
	h->truncated = profile_meta_count(p, "truncated_stacks") +
		       profile_meta_count(p, "copy_truncated_stacks");
	h->lost = profile_meta_count(p, "lost");
}

static double
stack_health_pct(uint64_t n, uint64_t total)
{
	return total ? 100.0 * (double)n / (double)total : 0.0;
}

bool
stack_health_describe(const struct stack_health *h, char *buf, size_t size)
{
	double broken = stack_health_pct(h->broken, h->samples);
	double truncated = stack_health_pct(h->truncated, h->samples);

	snprintf(buf, size,
		 "%" PRIu64 " broken (%.1f%%), %" PRIu64
		 " truncated (%.1f%%), %" PRIu64 " lost",
		 h->broken, broken, h->truncated, truncated, h->lost);
	return broken > STACK_HEALTH_WARN_PCT ||
	       truncated > STACK_HEALTH_WARN_PCT;
}

size_t
profile_nmeta(const struct profile *p)
{
	return p->nmeta;
}

const struct meta *
profile_meta(const struct profile *p, size_t idx)
{
	return idx < p->nmeta ? &p->meta[idx] : NULL;
}

static const char *const kind_names[FRAME_KIND_MAX] = {
	[FRAME_USER] = "user",	     [FRAME_KERNEL] = "kernel",
	[FRAME_JIT] = "jit",	     [FRAME_INLINED] = "inlined",
	[FRAME_UNKNOWN] = "unknown", [FRAME_PROCESS] = "process",
};

const char *
frame_kind_suffix(enum frame_kind kind)
{
	switch (kind) {
	case FRAME_KERNEL:
		return "_[k]";
	case FRAME_JIT:
		return "_[j]";
	case FRAME_INLINED:
		return "_[i]";
	default:
		return "";
	}
}

const char *
frame_kind_name(enum frame_kind kind)
{
	return (unsigned)kind < FRAME_KIND_MAX ? kind_names[kind] : "unknown";
}

int
frame_kind_parse(const char *name, enum frame_kind *kind)
{
	int i;

	for (i = 0; i < FRAME_KIND_MAX; i++) {
		if (!strcmp(name, kind_names[i])) {
			*kind = (enum frame_kind)i;
			return 0;
		}
	}
	return -1;
}

/* ---- limits (profile.h) ------------------------------------------------- */

static const char *const profile_fmt_names[] = {
	[PROFILE_FMT_JSON] = "scorch JSON",
	[PROFILE_FMT_FOLDED] = "folded stacks",
	[PROFILE_FMT_PPROF] = "pprof",
	[PROFILE_FMT_SPEEDSCOPE] = "speedscope",
};

/* A frame fmt cannot hold: -1 with err, else 0. */
static int
profile_check_frame(const struct frame *f, enum profile_format fmt,
		    const char *name, struct scorch_err *err)
{
	const char *what = profile_fmt_names[fmt];
	size_t len = strlen(f->name);

	/* The folded writer spells an empty name, a ';' or a line break in
	 * one so that its reader takes them (profile_write_folded()). */
	if (!len && fmt != PROFILE_FMT_FOLDED) {
		err_set(err, "%s: cannot write %s: a frame without a name",
			name, what);
		return -1;
	}
	if (len > PROFILE_MAX_NAME || strlen(f->module) > PROFILE_MAX_NAME ||
	    strlen(f->file) > PROFILE_MAX_NAME) {
		err_set(err,
			"%s: cannot write %s: frame \"%.40s...\" has a name "
			"longer than %d bytes",
			name, what, f->name, PROFILE_MAX_NAME);
		return -1;
	}
	return 0;
}

/* The largest count (times weight) fmt holds exactly. */
static uint64_t
profile_fmt_max(enum profile_format fmt)
{
	switch (fmt) {
	case PROFILE_FMT_PPROF:
		return INT64_MAX;
	case PROFILE_FMT_SPEEDSCOPE:
		return PROFILE_MAX_EXACT_DOUBLE;
	default:
		return UINT64_MAX;
	}
}

/* A stack fmt cannot hold (weight: what pprof and speedscope multiply
 * counts by): -1 with err, else 0. Folded stacks write only the frames of
 * their lines: those are checked here, once each (checked[id]). */
static int
profile_check_stack(const struct profile *p, const struct stack *st,
		    enum profile_format fmt, uint64_t weight, bool *checked,
		    const char *name, struct scorch_err *err)
{
	const char *what = profile_fmt_names[fmt];
	const char *leaf =
		st->depth ? profile_frame(p, st->frames[st->depth - 1])->name
			  : "";
	uint64_t max = profile_fmt_max(fmt);
	uint32_t j;

	if (st->depth > PROFILE_MAX_DEPTH) {
		err_set(err,
			"%s: cannot write %s: a stack of %" PRIu32
			" frames (leaf \"%.60s\") is deeper than %d",
			name, what, st->depth, leaf, PROFILE_MAX_DEPTH);
		return -1;
	}
	if (st->count > max / weight) {
		err_set(err,
			"%s: cannot write %s: the count %" PRIu64
			"%s of a stack (leaf \"%.60s\") is past the format's "
			"limit of %" PRIu64,
			name, what, st->count,
			weight > 1 ? " times period_ns" : "", leaf, max);
		return -1;
	}
	if (fmt != PROFILE_FMT_FOLDED || !st->count || !st->depth)
		return 0;
	for (j = 0; j < st->depth; j++) {
		const struct frame *f = profile_frame(p, st->frames[j]);

		if (!checked[st->frames[j]] &&
		    profile_check_frame(f, fmt, name, err) < 0)
			return -1;
		checked[st->frames[j]] = true;
	}
	return 0;
}

int
profile_check(const struct profile *p, enum profile_format fmt,
	      const char *name, struct scorch_err *err)
{
	uint64_t count_ns = profile_count_ns(p), weight = 1, sum = 0;
	bool *checked = NULL;
	size_t i;
	int ret = -1;

	if (count_ns &&
	    (fmt == PROFILE_FMT_PPROF || fmt == PROFILE_FMT_SPEEDSCOPE))
		weight = count_ns;
	/* The other formats write every frame, used or not. */
	if (fmt == PROFILE_FMT_FOLDED)
		checked =
			xcalloc(p->nframes ? p->nframes : 1, sizeof(*checked));
	for (i = 0; !checked && i < p->nframes; i++)
		if (profile_check_frame(&p->frames[i], fmt, name, err) < 0)
			return -1;
	for (i = 0; i < p->nstacks; i++) {
		const struct stack *st = profile_stack(p, i);

		if (profile_check_stack(p, st, fmt, weight, checked, name,
					err) < 0)
			goto out;
		sum += st->count * weight; /* bounded: checked just above */
		/* speedscope's endValue is the sum: a double too. */
		if (fmt == PROFILE_FMT_SPEEDSCOPE &&
		    sum > PROFILE_MAX_EXACT_DOUBLE) {
			err_set(err,
				"%s: cannot write %s: the samples add up past "
				"%" PRIu64 " (2^53), where its numbers stop "
				"being exact",
				name, profile_fmt_names[fmt],
				(uint64_t)PROFILE_MAX_EXACT_DOUBLE);
			goto out;
		}
	}
	/* Lines merge stacks: their lengths are the folded writer's to say. */
	if (fmt == PROFILE_FMT_FOLDED && folded_check(p, err) < 0) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		err_set(err, "%s: cannot write %s: %s", name,
			profile_fmt_names[fmt], why);
		goto out;
	}
	ret = 0;
out:
	free(checked);
	return ret;
}
