/* SPDX-License-Identifier: MIT */
/*
 * profile/pprof.c - export to pprof's profile.proto (gzipped), the format
 * of `go tool pprof`, Grafana Pyroscope and Parca. Encoded with protobuf-c
 * from profile/pprof.proto (generated at build time) and zlib.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "../common/common.h"
#include "pprof.pb-c.h"
#include "profile.h"

#define PPROF_GZIP_CHUNK 65536

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_value_type;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;

/* The string table: index 0 is "", equal strings share an index. */
struct pprof_strings {
	char **all;
	size_t len, cap;
	struct intmap idx; /* hash -> index + 1 */
};

static int64_t
pprof_str(struct pprof_strings *st, const char *s)
{
	unsigned long long key = hash_bytes(s, strlen(s), 5);
	void *v;

	while ((v = intmap_get(&st->idx, key))) {
		size_t i = (uintptr_t)v - 1;

		if (!strcmp(st->all[i], s))
			return (int64_t)i;
		key++;
	}
	if (st->len == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 256;
		st->all = xreallocarray(st->all, st->cap, sizeof(*st->all));
	}
	st->all[st->len] = xstrdup(s);
	intmap_put(&st->idx, key, (void *)(uintptr_t)(st->len + 1));
	return (int64_t)st->len++;
}

static void
pprof_strings_fini(struct pprof_strings *st)
{
	size_t i;

	for (i = 0; i < st->len; i++)
		free(st->all[i]);
	free(st->all);
	intmap_fini(&st->idx);
}

/* Everything the encoded message points to, freed at once. */
struct pprof_build {
	struct pprof_strings strings;
	pb_profile prof;
	/* samples/count, then cpu, off-cpu and wall in nanoseconds (those
	 * the profile has: pprof_types()) */
	pb_value_type types[4], period_type;
	pb_value_type *type_ptrs[4];
	pb_function *functions;
	pb_function **function_ptrs;
	uint32_t *frame_fn; /* per frame: its function's index */
	pb_line *lines;
	pb_line **line_ptrs;
	pb_location *locations;
	pb_location **location_ptrs;
	pb_mapping *mappings;
	pb_mapping **mapping_ptrs;
	size_t nmappings;
	pb_sample *samples;
	pb_sample **sample_ptrs;
	uint64_t *location_ids; /* all samples', back to back */
	int64_t *values;	/* all samples', nvalues each */
	pb_label *labels;	/* three per task */
	pb_label **label_ptrs;
	int64_t *comments;
};

static void
pprof_build_fini(struct pprof_build *b)
{
	pprof_strings_fini(&b->strings);
	free(b->functions);
	free(b->function_ptrs);
	free(b->frame_fn);
	free(b->lines);
	free(b->line_ptrs);
	free(b->locations);
	free(b->location_ptrs);
	free(b->mappings);
	free(b->mapping_ptrs);
	free(b->samples);
	free(b->sample_ptrs);
	free(b->location_ids);
	free(b->values);
	free(b->labels);
	free(b->label_ptrs);
	free(b->comments);
}

/* start_time ("2024-05-01T12:00:00Z") in ns since the epoch, or 0. */
static int64_t
pprof_time_ns(const char *iso)
{
	struct tm tm;
	char *end;

	if (!iso)
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return 0;
	return (int64_t)timegm(&tm) * 1000000000LL;
}

/*
 * A location: a frame and the frames inlined into it at one site (the
 * pairs (frame id, site id) at pairs[off .. off + 2n), outermost first).
 */
struct pprof_loc {
	size_t off;
	uint32_t n;
	uint32_t mapping; /* index + 1, 0 for none */
	uint64_t addr;	  /* file offset in the module, 0 unknown */
};

struct pprof_locs {
	struct pprof_loc *all;
	size_t len, cap;
	uint32_t *pairs;
	size_t npairs, pairs_cap;
	struct intmap idx;     /* hash of the pairs -> index + 1 */
	struct intmap mod_idx; /* interned module name -> mapping + 1 */
	const char **mods;     /* mapping index -> module name */
	uint64_t *mod_max;     /* highest address per mapping */
	size_t nmods;
};

/* The mapping index + 1 of a module name, made on first sight. */
static uint32_t
pprof_mapping_of(struct pprof_locs *L, const char *module)
{
	void *v;

	if (!module[0])
		return 0;
	v = intmap_get(&L->mod_idx, (uintptr_t)module);
	if (v)
		return (uint32_t)(uintptr_t)v;
	L->mods = xreallocarray(L->mods, L->nmods + 1, sizeof(*L->mods));
	L->mod_max =
		xreallocarray(L->mod_max, L->nmods + 1, sizeof(*L->mod_max));
	L->mods[L->nmods] = module;
	L->mod_max[L->nmods] = 0;
	intmap_put(&L->mod_idx, (uintptr_t)module,
		   (void *)(uintptr_t)(L->nmods + 1));
	return (uint32_t)++L->nmods;
}

/* The location of frames[j .. j + n) with their sites; its id (1-based). */
static uint64_t
pprof_loc_of(struct pprof_locs *L, const struct profile *p,
	     const struct stack *st, uint32_t j, uint32_t n)
{
	unsigned long long key;
	struct pprof_loc *l;
	uint32_t k, *pairs;
	void *v;

	if (L->npairs + 2 * n > L->pairs_cap) {
		while (L->npairs + 2 * n > L->pairs_cap)
			L->pairs_cap = L->pairs_cap ? L->pairs_cap * 2 : 1024;
		L->pairs = xreallocarray(L->pairs, L->pairs_cap,
					 sizeof(*L->pairs));
	}
	pairs = L->pairs + L->npairs;
	for (k = 0; k < n; k++) {
		pairs[2 * k] = st->frames[j + k];
		pairs[2 * k + 1] = st->sites ? st->sites[j + k] : 0;
	}
	key = hash_bytes(pairs, 2 * n * sizeof(*pairs), 11);
	while ((v = intmap_get(&L->idx, key))) {
		l = &L->all[(uintptr_t)v - 1];
		if (l->n == n &&
		    !memcmp(L->pairs + l->off, pairs, 2 * n * sizeof(*pairs)))
			return (uint64_t)(uintptr_t)v;
		key++;
	}
	if (L->len == L->cap) {
		L->cap = L->cap ? L->cap * 2 : 256;
		L->all = xreallocarray(L->all, L->cap, sizeof(*L->all));
	}
	l = &L->all[L->len];
	l->off = L->npairs;
	l->n = n;
	l->mapping = pprof_mapping_of(L, profile_frame(p, pairs[0])->module);
	l->addr = profile_site(p, pairs[1])->addr;
	if (l->mapping && l->addr > L->mod_max[l->mapping - 1])
		L->mod_max[l->mapping - 1] = l->addr;
	L->npairs += 2 * n;
	intmap_put(&L->idx, key, (void *)(uintptr_t)(L->len + 1));
	return (uint64_t)++L->len;
}

/*
 * A stack's location ids, leaf first, into ids[]: a frame and the inlined
 * frames right below it (FRAME_INLINED, sharing its site's address) are
 * one location with a line each, as pprof shows inlined calls. Returns how
 * many.
 */
static size_t
pprof_stack_locs(struct pprof_locs *L, const struct profile *p,
		 const struct stack *st, uint64_t *ids)
{
	size_t n = 0, a, b;
	uint32_t j = 0;

	while (j < st->depth) {
		uint32_t k = j + 1;

		while (k < st->depth &&
		       profile_frame(p, st->frames[k])->kind == FRAME_INLINED)
			k++;
		ids[n++] = pprof_loc_of(L, p, st, j, k - j);
		j = k;
	}
	for (a = 0, b = n; a + 1 < b; a++, b--) {
		uint64_t t = ids[a];

		ids[a] = ids[b - 1];
		ids[b - 1] = t;
	}
	return n;
}

/* Are frames a and b one function of the source: the same name, module
 * and definition, an inlined copy (FRAME_INLINED) being the function? */
static bool
pprof_same_function(const struct frame *a, const struct frame *b)
{
	enum frame_kind ka = a->kind == FRAME_INLINED ? FRAME_USER : a->kind;
	enum frame_kind kb = b->kind == FRAME_INLINED ? FRAME_USER : b->kind;

	return ka == kb && a->line == b->line && !strcmp(a->name, b->name) &&
	       !strcmp(a->module, b->module) && !strcmp(a->file, b->file);
}

/* One function per function of the source: a function's out-of-line
 * frame and its inlined copies share one (as `scorch report` counts). */
static void
pprof_build_functions(struct pprof_build *b, const struct profile *p)
{
	size_t i, n = profile_nframes(p), nfn = 0;
	struct intmap idx; /* hash(name, file, line) -> function + 1 */

	intmap_init(&idx);
	b->functions = xcalloc(n ? n : 1, sizeof(*b->functions));
	b->function_ptrs = xcalloc(n ? n : 1, sizeof(*b->function_ptrs));
	b->frame_fn = xcalloc(n ? n : 1, sizeof(*b->frame_fn));
	for (i = 0; i < n; i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);
		unsigned long long key = hash_bytes(
			f->name, strlen(f->name) + 1,
			hash_bytes(f->file, strlen(f->file) + 1, f->line));
		pb_function *fn;
		void *v;

		while ((v = intmap_get(&idx, key))) {
			size_t j = (uintptr_t)v - 1;

			if (pprof_same_function(f, profile_frame(p, j)))
				break;
			key++;
		}
		if (v) {
			b->frame_fn[i] = b->frame_fn[(uintptr_t)v - 1];
			continue;
		}
		intmap_put(&idx, key, (void *)(uintptr_t)(i + 1));
		b->frame_fn[i] = (uint32_t)nfn;
		fn = &b->functions[nfn];
		perftools__profiles__function__init(fn);
		fn->id = nfn + 1;
		fn->name = pprof_str(&b->strings, f->name);
		fn->system_name = fn->name;
		fn->filename = pprof_str(&b->strings, f->file);
		fn->start_line = f->line;
		b->function_ptrs[nfn++] = fn;
	}
	intmap_fini(&idx);
	b->prof.function = b->function_ptrs;
	b->prof.n_function = nfn;
}

/* Labels per task: thread name, pid, tid. */
static void
pprof_build_labels(struct pprof_build *b, const struct profile *p)
{
	size_t i, n = profile_ntasks(p);
	int64_t k_thread = pprof_str(&b->strings, "thread");
	int64_t k_pid = pprof_str(&b->strings, "pid");
	int64_t k_tid = pprof_str(&b->strings, "tid");

	b->labels = xcalloc(3 * (n ? n : 1), sizeof(*b->labels));
	b->label_ptrs = xcalloc(3 * (n ? n : 1), sizeof(*b->label_ptrs));
	for (i = 0; i < n; i++) {
		const struct task *t = profile_task(p, (uint32_t)i);
		pb_label *l = &b->labels[3 * i];
		size_t j;

		for (j = 0; j < 3; j++) {
			perftools__profiles__label__init(&l[j]);
			b->label_ptrs[3 * i + j] = &l[j];
		}
		l[0].key = k_thread;
		l[0].str = pprof_str(&b->strings,
				     t->thread[0] ? t->thread : t->comm);
		l[1].key = k_pid;
		l[1].num = t->pid;
		l[2].key = k_tid;
		l[2].num = t->tid;
	}
}

/* count * weight as pprof's signed value, clamped at INT64_MAX. */
static int64_t
pprof_value(uint64_t count, uint64_t weight)
{
	return count > (uint64_t)INT64_MAX / weight ? INT64_MAX
						    : (int64_t)(count * weight);
}

/*
 * The values of a sample, in pprof_types()' order: the count, and, with
 * the period, CPU ns; with off-CPU time, its ns, and wall ns with the
 * period.
 */
static void
pprof_stack_values(const struct stack *st, uint64_t period_ns, bool off_cpu,
		   int64_t *v)
{
	size_t n = 0;

	v[n++] = pprof_value(st->count, 1);
	if (period_ns)
		v[n++] = pprof_value(st->count, period_ns);
	if (!off_cpu)
		return;
	v[n++] = pprof_value(st->off_cpu_ns, 1);
	if (period_ns) {
		int64_t cpu = v[1], off = v[n - 1];

		v[n] = cpu > INT64_MAX - off ? INT64_MAX : cpu + off;
	}
}

static void
pprof_build_samples(struct pprof_build *b, const struct profile *p,
		    struct pprof_locs *L, size_t nvalues, uint64_t period_ns,
		    bool off_cpu)
{

	size_t i, n = profile_nstacks(p), nids = 0, ns = 0;

	for (i = 0; i < n; i++)
		nids += profile_stack(p, i)->depth;
	b->samples = xcalloc(n ? n : 1, sizeof(*b->samples));
	b->sample_ptrs = xcalloc(n ? n : 1, sizeof(*b->sample_ptrs));
	b->location_ids = xcalloc(nids ? nids : 1, sizeof(*b->location_ids));
	b->values = xcalloc(n ? n * nvalues : 1, sizeof(*b->values));
	nids = 0;
	for (i = 0; i < n; i++) {
		const struct stack *st = profile_stack(p, i);
		pb_sample *s = &b->samples[ns];

		if (!st->count && !st->off_cpu_ns)
			continue;
		perftools__profiles__sample__init(s);
		/* pprof lists the leaf first. */
		s->location_id = &b->location_ids[nids];
		s->n_location_id = pprof_stack_locs(L, p, st, s->location_id);
		nids += s->n_location_id;
		s->value = &b->values[ns * nvalues];
		s->n_value = nvalues;
		/* Values are signed: profile_check() refuses a profile
		 * past INT64_MAX; clamped here for a caller that did not. */
		pprof_stack_values(st, period_ns, off_cpu, s->value);
		if (st->task != TASK_NONE) {
			s->label = &b->label_ptrs[3 * (size_t)st->task];
			s->n_label = 3;
		}
		b->sample_ptrs[ns++] = s;
	}
	b->prof.sample = b->sample_ptrs;
	b->prof.n_sample = ns;
}

/* Is module name a shared object or a pseudo-module ("[kernel]")? */
static bool
pprof_not_main(const char *name)
{
	const char *so = strstr(name, ".so");

	return name[0] == '[' || (so && (!so[3] || so[3] == '.'));
}

/*
 * The mapping of the main executable, which pprof shows as `File:`: the
 * module named as the process with the most samples (its comm, at most 15
 * bytes, begins the file name), else the first one that is neither a
 * shared object nor "[...]", else the first.
 */
static size_t
pprof_main_mapping(const struct pprof_locs *L, const struct profile *p)
{
	uint64_t best = 0, *per_task = xcalloc(profile_ntasks(p) + 1, 8);
	const char *comm = NULL;
	size_t i;

	for (i = 0; i < profile_nstacks(p); i++) {
		const struct stack *st = profile_stack(p, i);

		if (st->task != TASK_NONE)
			per_task[st->task] += st->count;
	}
	for (i = 0; i < profile_ntasks(p); i++)
		if (per_task[i] > best) {
			best = per_task[i];
			comm = profile_task(p, (uint32_t)i)->comm;
		}
	free(per_task);
	for (i = 0; comm && comm[0] && i < L->nmods; i++)
		if (!strncmp(L->mods[i], comm, strlen(comm)) &&
		    !pprof_not_main(L->mods[i]))
			return i;
	for (i = 0; i < L->nmods; i++)
		if (!pprof_not_main(L->mods[i]))
			return i;
	return 0;
}

/* Where mapping spans of modules start: above the first 4 MiB, as an
 * executable would, each on a 64 KiB boundary past the one before. */
#define PPROF_BASE 0x400000ULL
#define PPROF_ALIGN 0x10000ULL

/*
 * Mappings, the main executable first. Every module gets a span of its
 * own, [memory_start, memory_limit) with file_offset 0, and a location's
 * address is memory_start + the file offset sampled: pprof's
 * address - memory_start + file_offset is that offset in the file.
 */
static void
pprof_build_mappings(struct pprof_build *b, const struct profile *p,
		     struct pprof_locs *L, uint32_t *pos)
{
	size_t i, k, main = pprof_main_mapping(L, p), n = L->nmods;
	uint64_t base = PPROF_BASE;

	b->mappings = xcalloc(n ? n : 1, sizeof(*b->mappings));
	b->mapping_ptrs = xcalloc(n ? n : 1, sizeof(*b->mapping_ptrs));
	for (i = 0, k = 0; i < n; i++)
		pos[i] = i == main ? 0 : (uint32_t)(i < main ? i + 1 : i);
	for (k = 0; k < n; k++) {
		const struct module_info *mi;
		pb_mapping *m = &b->mappings[k];

		for (i = 0; pos[i] != k; i++)
			;
		mi = profile_module_find(p, L->mods[i]);
		perftools__profiles__mapping__init(m);
		m->id = k + 1;
		m->filename = pprof_str(
			&b->strings, mi && mi->path[0] ? mi->path : L->mods[i]);
		m->build_id = pprof_str(&b->strings, mi ? mi->build_id : "");
		m->has_functions = 1;
		if (L->mod_max[i]) {
			m->memory_start = base;
			m->memory_limit = (base + L->mod_max[i] + PPROF_ALIGN) &
					  ~(PPROF_ALIGN - 1);
			base = m->memory_limit;
		}
		b->mapping_ptrs[k] = m;
	}
	b->nmappings = n;
	b->prof.mapping = b->mapping_ptrs;
	b->prof.n_mapping = n;
}

/* The locations, with a line per frame, innermost first. */
static void
pprof_build_locations(struct pprof_build *b, const struct profile *p,
		      const struct pprof_locs *L, const uint32_t *pos)
{
	size_t i, nl = L->npairs / 2;

	b->locations = xcalloc(L->len ? L->len : 1, sizeof(*b->locations));
	b->location_ptrs =
		xcalloc(L->len ? L->len : 1, sizeof(*b->location_ptrs));
	b->lines = xcalloc(nl ? nl : 1, sizeof(*b->lines));
	b->line_ptrs = xcalloc(nl ? nl : 1, sizeof(*b->line_ptrs));
	for (i = 0; i < L->len; i++) {
		const struct pprof_loc *l = &L->all[i];
		pb_location *loc = &b->locations[i];
		size_t off = l->off / 2;
		uint32_t k;

		perftools__profiles__location__init(loc);
		loc->id = i + 1;
		if (l->mapping) {
			pb_mapping *m = &b->mappings[pos[l->mapping - 1]];

			loc->mapping_id = m->id;
			if (l->addr)
				loc->address = m->memory_start + l->addr;
			if (l->n > 1)
				m->has_inline_frames = 1;
		}
		for (k = 0; k < l->n; k++) {
			uint32_t fid = L->pairs[l->off + 2 * (l->n - 1 - k)];
			uint32_t sid =
				L->pairs[l->off + 2 * (l->n - 1 - k) + 1];
			const struct frame *f = profile_frame(p, fid);
			pb_line *ln = &b->lines[off + k];

			perftools__profiles__line__init(ln);
			ln->function_id = b->frame_fn[fid] + 1;
			ln->line = profile_site(p, sid)->line;
			if (!ln->line)
				ln->line = f->line;
			b->line_ptrs[off + k] = ln;
			if (l->mapping && f->file[0])
				b->mappings[pos[l->mapping - 1]].has_filenames =
					1;
			if (l->mapping && profile_site(p, sid)->line)
				b->mappings[pos[l->mapping - 1]]
					.has_line_numbers = 1;
		}
		loc->n_line = l->n;
		loc->line = &b->line_ptrs[off];
		b->location_ptrs[i] = loc;
	}
	b->prof.location = b->location_ptrs;
	b->prof.n_location = L->len;
}

static void
pprof_locs_fini(struct pprof_locs *L)
{
	free(L->all);
	free(L->pairs);
	intmap_fini(&L->idx);
	intmap_fini(&L->mod_idx);
	free(L->mods);
	free(L->mod_max);
}

/* Comments `pprof -comments` shows: the tool, the command, the labels. */
static void
pprof_build_comments(struct pprof_build *b, const struct profile *p)
{
	size_t i, n = 0, plen = strlen(PROFILE_LABEL_PREFIX);
	struct strbuf sb;

	b->comments = xcalloc(profile_nmeta(p) + 1, sizeof(*b->comments));
	strbuf_init(&sb);
	for (i = 0; i < profile_nmeta(p); i++) {
		const struct meta *m = profile_meta(p, i);
		bool label = !strncmp(m->key, PROFILE_LABEL_PREFIX, plen);

		if (m->type != META_STR || (!label && strcmp(m->key, "tool") &&
					    strcmp(m->key, "cmdline")))
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s=%s", label ? m->key + plen : m->key,
			    m->str);
		b->comments[n++] = pprof_str(&b->strings, sb.buf);
	}
	strbuf_fini(&sb);
	b->prof.comment = b->comments;
	b->prof.n_comment = n;
}

/* gzip data to fp; -1 on a write error. */
static int
pprof_gzip(const uint8_t *data, size_t len, FILE *fp)
{
	unsigned char *out = xmalloc(PPROF_GZIP_CHUNK);
	z_stream zs;
	int ret = 0, zr = Z_OK;

	memset(&zs, 0, sizeof(zs));
	/* 16 + 15: a gzip wrapper around a 32 KiB window. BEST_SPEED, as the
	 * Go runtime writes its profiles: they are small next to the work. */
	if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + 15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return -1;
	}
	zs.next_in = (Bytef *)data;
	do {
		size_t chunk = len > (1u << 30) ? (1u << 30) : len;
		int flush;

		zs.avail_in = (uInt)chunk;
		len -= chunk;
		flush = len ? Z_NO_FLUSH : Z_FINISH;
		do {
			zs.next_out = out;
			zs.avail_out = PPROF_GZIP_CHUNK;
			zr = deflate(&zs, flush);
			if (zr == Z_STREAM_ERROR) {
				ret = -1;
				goto out;
			}
			if (fwrite(out, 1, PPROF_GZIP_CHUNK - zs.avail_out,
				   fp) != PPROF_GZIP_CHUNK - zs.avail_out) {
				ret = -1;
				goto out;
			}
		} while (zs.avail_out == 0);
	} while (len);
	if (zr != Z_STREAM_END)
		ret = -1;
out:
	deflateEnd(&zs);
	free(out);
	return ret;
}

/*
 * The sample types p has, into b (its period type and default too);
 * returns how many. samples/count always; cpu/nanoseconds with the period
 * (the period type: a clock event's sample is period_ns of CPU);
 * off-cpu/nanoseconds with off-CPU time, and wall/nanoseconds with both.
 * The default is v's type when p has it, else the last one.
 */
static size_t
pprof_types(struct pprof_build *b, const struct profile *p,
	    enum profile_value v, uint64_t period_ns, bool off_cpu)
{
	bool ns_view = profile_unit(p) == PROFILE_UNIT_NS;
	const char *names[4] = { "samples" }, *want = profile_value_name(v);
	size_t n = 1, i, def;

	/* A view's counts are one value's nanoseconds already. */
	if (ns_view)
		names[0] = profile_value_name(profile_value_default(p));
	if (period_ns)
		names[n++] = "cpu";
	if (off_cpu)
		names[n++] = "off-cpu";
	if (off_cpu && period_ns)
		names[n++] = "wall";
	def = n - 1;
	for (i = 0; i < n; i++) {
		perftools__profiles__value_type__init(&b->types[i]);
		b->types[i].type = pprof_str(&b->strings, names[i]);
		b->types[i].unit = pprof_str(
			&b->strings, i || ns_view ? "nanoseconds" : "count");
		b->type_ptrs[i] = &b->types[i];
		if (!strcmp(names[i], want))
			def = i;
	}
	b->period_type = b->types[period_ns ? 1 : 0];
	b->prof.period = period_ns ? (int64_t)period_ns : 1;
	if (def)
		b->prof.default_sample_type = b->types[def].type;
	return n;
}

int
profile_write_pprof(const struct profile *p, FILE *fp)
{
	return profile_write_pprof_value(p, profile_value_default(p), fp);
}

int
profile_write_pprof_value(const struct profile *p, enum profile_value value,
			  FILE *fp)
{
	bool ns_view = profile_unit(p) == PROFILE_UNIT_NS;
	uint64_t period_ns = ns_view ? 0 : profile_period_ns(p);
	bool off_cpu = !ns_view && profile_total_off_cpu(p) > 0;
	int64_t ms = profile_duration_ms(p);
	size_t nvalues, len;
	struct pprof_build b;
	struct pprof_locs L;
	uint32_t *pos;
	uint8_t *buf;
	int ret;

	memset(&b, 0, sizeof(b));
	intmap_init(&b.strings.idx);
	perftools__profiles__profile__init(&b.prof);
	pprof_str(&b.strings, ""); /* index 0 */

	nvalues = pprof_types(&b, p, value, period_ns, off_cpu);
	b.prof.sample_type = b.type_ptrs;
	b.prof.n_sample_type = nvalues;
	b.prof.period_type = &b.period_type;
	b.prof.time_nanos = pprof_time_ns(profile_meta_str(p, "start_time"));
	b.prof.duration_nanos =
		ms > 0 && ms <= INT64_MAX / 1000000 ? ms * 1000000LL : 0;

	memset(&L, 0, sizeof(L));
	intmap_init(&L.idx);
	intmap_init(&L.mod_idx);
	pprof_build_functions(&b, p);
	pprof_build_labels(&b, p);
	pprof_build_samples(&b, p, &L, nvalues, period_ns, off_cpu);
	pos = xcalloc(L.nmods + 1, sizeof(*pos));
	pprof_build_mappings(&b, p, &L, pos);
	pprof_build_locations(&b, p, &L, pos);
	free(pos);
	pprof_locs_fini(&L);
	pprof_build_comments(&b, p);
	b.prof.string_table = b.strings.all;
	b.prof.n_string_table = b.strings.len;

	len = perftools__profiles__profile__get_packed_size(&b.prof);
	buf = xmalloc(len ? len : 1);
	perftools__profiles__profile__pack(&b.prof, buf);
	ret = pprof_gzip(buf, len, fp);
	free(buf);
	pprof_build_fini(&b);
	return ret < 0 || ferror(fp) ? -1 : 0;
}
