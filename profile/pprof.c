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
	pb_value_type types[2], period_type;
	pb_value_type *type_ptrs[2];
	pb_function *functions;
	pb_function **function_ptrs;
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

/* One function, one line and one location per frame; mappings by module. */
static void
pprof_build_frames(struct pprof_build *b, const struct profile *p)
{
	size_t i, n = profile_nframes(p);
	struct intmap module_idx; /* interned module pointer -> mapping+1 */

	b->functions = xcalloc(n ? n : 1, sizeof(*b->functions));
	b->function_ptrs = xcalloc(n ? n : 1, sizeof(*b->function_ptrs));
	b->lines = xcalloc(n ? n : 1, sizeof(*b->lines));
	b->line_ptrs = xcalloc(n ? n : 1, sizeof(*b->line_ptrs));
	b->locations = xcalloc(n ? n : 1, sizeof(*b->locations));
	b->location_ptrs = xcalloc(n ? n : 1, sizeof(*b->location_ptrs));
	b->mappings = xcalloc(n ? n : 1, sizeof(*b->mappings));
	b->mapping_ptrs = xcalloc(n ? n : 1, sizeof(*b->mapping_ptrs));
	intmap_init(&module_idx);
	for (i = 0; i < n; i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);
		pb_function *fn = &b->functions[i];
		pb_location *loc = &b->locations[i];
		pb_line *ln = &b->lines[i];
		pb_mapping *m = NULL;

		perftools__profiles__function__init(fn);
		fn->id = i + 1;
		fn->name = pprof_str(&b->strings, f->name);
		fn->system_name = fn->name;
		fn->filename = pprof_str(&b->strings, f->file);
		fn->start_line = f->line;
		b->function_ptrs[i] = fn;

		perftools__profiles__line__init(ln);
		ln->function_id = fn->id;
		b->line_ptrs[i] = ln;

		perftools__profiles__location__init(loc);
		loc->id = i + 1;
		loc->n_line = 1;
		loc->line = &b->line_ptrs[i];
		b->location_ptrs[i] = loc;

		if (f->module[0]) {
			void *v = intmap_get(&module_idx, (uintptr_t)f->module);

			if (v) {
				m = &b->mappings[(uintptr_t)v - 1];
			} else {
				m = &b->mappings[b->nmappings];
				perftools__profiles__mapping__init(m);
				m->id = b->nmappings + 1;
				m->filename = pprof_str(&b->strings, f->module);
				m->has_functions = 1;
				b->mapping_ptrs[b->nmappings] = m;
				intmap_put(&module_idx, (uintptr_t)f->module,
					   (void *)(uintptr_t)++b->nmappings);
			}
			loc->mapping_id = m->id;
			if (f->file[0])
				m->has_filenames = 1;
		}
	}
	intmap_fini(&module_idx);
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

static void
pprof_build_samples(struct pprof_build *b, const struct profile *p,
		    size_t nvalues, int64_t period_ns)
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
		uint32_t d;

		if (!st->count)
			continue;
		perftools__profiles__sample__init(s);
		/* pprof lists the leaf first. */
		s->location_id = &b->location_ids[nids];
		s->n_location_id = st->depth;
		for (d = 0; d < st->depth; d++)
			b->location_ids[nids++] =
				(uint64_t)st->frames[st->depth - 1 - d] + 1;
		s->value = &b->values[ns * nvalues];
		s->n_value = nvalues;
		/* Values are signed: profile_check() refuses a profile
		 * past INT64_MAX; clamped here for a caller that did not. */
		s->value[0] = pprof_value(st->count, 1);
		if (nvalues > 1)
			s->value[1] =
				pprof_value(st->count, (uint64_t)period_ns);
		if (st->task != TASK_NONE) {
			s->label = &b->label_ptrs[3 * (size_t)st->task];
			s->n_label = 3;
		}
		b->sample_ptrs[ns++] = s;
	}
	b->prof.sample = b->sample_ptrs;
	b->prof.n_sample = ns;
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

int
profile_write_pprof(const struct profile *p, FILE *fp)
{
	int64_t period_ns = profile_meta_int(p, "period_ns", 0);
	int64_t ms = profile_meta_int(p, "duration_ms", 0);
	size_t nvalues = period_ns > 0 ? 2 : 1, len;
	struct pprof_build b;
	uint8_t *buf;
	int ret;

	memset(&b, 0, sizeof(b));
	intmap_init(&b.strings.idx);
	perftools__profiles__profile__init(&b.prof);
	pprof_str(&b.strings, ""); /* index 0 */

	perftools__profiles__value_type__init(&b.types[0]);
	b.types[0].type = pprof_str(&b.strings, "samples");
	b.types[0].unit = pprof_str(&b.strings, "count");
	perftools__profiles__value_type__init(&b.period_type);
	if (nvalues == 2) {
		/* Clock events: every sample stands for period_ns of CPU. */
		perftools__profiles__value_type__init(&b.types[1]);
		b.types[1].type = pprof_str(&b.strings, "cpu");
		b.types[1].unit = pprof_str(&b.strings, "nanoseconds");
		b.period_type = b.types[1];
		b.prof.period = period_ns;
		b.prof.default_sample_type = b.types[1].type;
	} else {
		b.period_type = b.types[0];
		b.prof.period = 1;
	}
	b.type_ptrs[0] = &b.types[0];
	b.type_ptrs[1] = &b.types[1];
	b.prof.sample_type = b.type_ptrs;
	b.prof.n_sample_type = nvalues;
	b.prof.period_type = &b.period_type;
	b.prof.time_nanos = pprof_time_ns(profile_meta_str(p, "start_time"));
	b.prof.duration_nanos = ms > 0 ? ms * 1000000LL : 0;

	pprof_build_frames(&b, p);
	b.prof.function = b.function_ptrs;
	b.prof.n_function = profile_nframes(p);
	b.prof.location = b.location_ptrs;
	b.prof.n_location = profile_nframes(p);
	b.prof.mapping = b.mapping_ptrs;
	b.prof.n_mapping = b.nmappings;
	pprof_build_labels(&b, p);
	pprof_build_samples(&b, p, nvalues, period_ns);
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
