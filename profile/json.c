/* SPDX-License-Identifier: MIT */
/*
 * profile/json.c - scorch's native profile format (docs/FORMAT.md): a
 * streaming writer, and a reader through cJSON that checks every field.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "profile.h"

#define JSON_FORMAT "scorch-profile"
#define JSON_VERSION "1.2"
#define JSON_MAJOR 1
#define JSON_MAX_INT 9007199254740992.0 /* 2^53: exact in a double */

/* Append v in decimal. */
void
json_add_u64(struct strbuf *sb, uint64_t v)
{
	char buf[24], *q = buf + sizeof(buf);

	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	strbuf_add(sb, q, (size_t)(buf + sizeof(buf) - q));
}

int
profile_write_json(const struct profile *p, FILE *fp)
{
	struct strbuf sb;
	size_t i, n;

	fputs("{\n\"format\": \"" JSON_FORMAT
	      "\",\n\"version\": \"" JSON_VERSION "\",\n\"meta\": {",
	      fp);
	for (i = 0; i < profile_nmeta(p); i++) {
		const struct meta *m = profile_meta(p, i);

		fputs(i ? ",\n  " : "\n  ", fp);
		json_put_string(fp, m->key);
		fputs(": ", fp);
		if (m->type == META_STR)
			json_put_string(fp, m->str);
		else
			fprintf(fp, "%" PRId64, m->num);
	}
	fputs("\n},\n\"tasks\": [", fp);
	for (i = 0; i < profile_ntasks(p); i++) {
		const struct task *t = profile_task(p, (uint32_t)i);

		fprintf(fp,
			"%s{\"pid\": %" PRId32 ", \"tid\": %" PRId32
			", \"comm\": ",
			i ? ",\n  " : "\n  ", t->pid, t->tid);
		json_put_string(fp, t->comm);
		fputs(", \"thread\": ", fp);
		json_put_string(fp, t->thread);
		putc('}', fp);
	}
	fputs("\n],\n\"frames\": [", fp);
	n = profile_nframes(p);
	for (i = 0; i < n; i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);

		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", fp);
		json_put_string(fp, f->name);
		if (f->module[0]) {
			fputs(", \"module\": ", fp);
			json_put_string(fp, f->module);
		}
		fprintf(fp, ", \"kind\": \"%s\"", frame_kind_name(f->kind));
		if (f->file[0]) {
			fputs(", \"file\": ", fp);
			json_put_string(fp, f->file);
		}
		if (f->line)
			fprintf(fp, ", \"line\": %" PRIu32, f->line);
		putc('}', fp);
	}
	fputs("\n],\n", fp);
	json_write_sites(p, fp);
	fputs("\"stacks\": [", fp);
	n = profile_nstacks(p);
	strbuf_init(&sb);
	for (i = 0; i < n; i++) {
		const struct stack *st = profile_stack(p, i);
		uint32_t j;

		/* The bulk of a profile: formatted by hand, not by printf. */
		strbuf_reset(&sb);
		strbuf_addstr(&sb, i ? ",\n  {" : "\n  {");
		if (st->task != TASK_NONE) {
			strbuf_addstr(&sb, "\"task\": ");
			json_add_u64(&sb, st->task);
			strbuf_addstr(&sb, ", ");
		}
		strbuf_addstr(&sb, "\"frames\": [");
		for (j = 0; j < st->depth; j++) {
			if (j)
				strbuf_addch(&sb, ',');
			json_add_u64(&sb, st->frames[j]);
		}
		json_add_stack_sites(&sb, st);
		strbuf_addstr(&sb, "], \"count\": ");
		json_add_u64(&sb, st->count);
		if (st->off_cpu_ns) {
			strbuf_addstr(&sb, ", \"off_cpu_ns\": ");
			json_add_u64(&sb, st->off_cpu_ns);
		}
		strbuf_addch(&sb, '}');
		fwrite(sb.buf, 1, sb.len, fp);
	}
	strbuf_fini(&sb);
	fputs("\n]\n}\n", fp);
	return ferror(fp) ? -1 : 0;
}

/* ---- reading ------------------------------------------------------------ */

/* A whole number in [lo, hi], or -1 with err naming where. */
int
json_get_int(const cJSON *item, double lo, double hi, const char *name,
	     const char *where, double *out, struct scorch_err *err)
{
	double v;

	if (!cJSON_IsNumber(item)) {
		err_set(err, "%s: %s must be a number", name, where);
		return -1;
	}
	v = item->valuedouble;
	if (!isfinite(v) || v != floor(v) || v < lo || v > hi) {
		err_set(err, "%s: %s: %g is out of range", name, where, v);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Is s valid UTF-8? JSON text is (RFC 8259), and the writer makes it so
 * (json_put_string() writes U+FFFD for a bad byte): a string read as it is
 * would not read back the same.
 */
bool
json_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;
	unsigned cp;

	for (; i < n; i += len)
		if (!(len = utf8_decode(u + i, n - i, &cp)))
			return false;
	return true;
}

static const char *
json_get_str(const cJSON *obj, const char *key, bool required, const char *name,
	     const char *where, struct scorch_err *err)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!item && !required)
		return "";
	if (!cJSON_IsString(item) || !item->valuestring) {
		err_set(err, "%s: %s: \"%s\" must be a string", name, where,
			key);
		return NULL;
	}
	if (!json_utf8(item->valuestring)) {
		err_set(err, "%s: %s: \"%s\" is not valid UTF-8", name, where,
			key);
		return NULL;
	}
	return item->valuestring;
}

/*
 * The number item, member number idx of the object whose text starts at
 * raw[0] (raw NULL when not known), as an exact integer in [lo, hi]: a
 * double is exact below 2^53, past it the text is read (a plain integer;
 * an exponent or fraction there is refused, as it could not be exact).
 * 0, or -1 with err naming where.
 */
/* The offset of the first of set's bytes in s[0..n), or n. */
static size_t
json_memcspn(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n && !strchr(set, s[i]); i++)
		;
	return i;
}

static int
json_get_exact(const cJSON *item, size_t idx, const char *raw, size_t raw_len,
	       bool is_signed, const char *name, const char *where,
	       uint64_t *out, struct scorch_err *err)
{
	size_t vs = 0, ve = 0;
	bool have, big;
	int64_t sv;
	double v;

	if (!cJSON_IsNumber(item)) {
		err_set(err, "%s: %s must be a number", name, where);
		return -1;
	}
	v = item->valuedouble;
	if (isfinite(v) && v == floor(v) && v < JSON_MAX_INT &&
	    v > (is_signed ? -JSON_MAX_INT : -1)) {
		sv = (int64_t)v;
		*out = (uint64_t)sv;
		return 0;
	}
	/* A whole number past 2^53 that 64 bits may hold. */
	big = isfinite(v) && v == floor(v) && fabs(v) >= JSON_MAX_INT &&
	      (is_signed ? fabs(v) <= 9.3e18 : v <= 1.85e19);
	have = raw && jsontext_member_value(raw, raw_len, 0, idx, &vs, &ve);
	if (have) {
		if (!is_signed && jsontext_exact_u64(raw, vs, ve, out))
			return 0;
		if (is_signed && jsontext_exact_i64(raw, vs, ve, &sv)) {
			*out = (uint64_t)sv;
			return 0;
		}
		/* Say what the text is: a big number in a form no double
		 * holds exactly, or an integer out of range. */
		if (big && json_memcspn(raw + vs, ve - vs, ".eE") < ve - vs) {
			err_set(err,
				"%s: %s: %.*s is past 2^53, where only a "
				"plain integer (no exponent, no fraction) is "
				"exact",
				name, where, (int)(ve - vs > 40 ? 40 : ve - vs),
				raw + vs);
			return -1;
		}
	} else if (big) {
		err_set(err,
			"%s: %s: %.17g is past 2^53, where only the stacks "
			"written as scorch writes them are read exactly",
			name, where, v);
		return -1;
	}
	if (!have) {
		err_set(err, "%s: %s: %g is out of range (%s)", name, where, v,
			is_signed ? "a signed 64-bit integer"
				  : "0 to 18446744073709551615");
		return -1;
	}
	err_set(err, "%s: %s: %.*s is out of range (%s)", name, where,
		(int)(ve - vs > 40 ? 40 : ve - vs), raw + vs,
		is_signed ? "a signed 64-bit integer"
			  : "0 to 18446744073709551615");
	return -1;
}

/* The position of the first member named key in obj (as cJSON finds it). */
static const cJSON *
json_member(const cJSON *obj, const char *key, size_t *idx)
{
	const cJSON *c;

	*idx = 0;
	cJSON_ArrayForEach(c, obj)
	{
		if (c->string && !strcmp(c->string, key))
			return c;
		++*idx;
	}
	return NULL;
}

/* "meta": raw is the object's text (NULL when not known). */
static int
json_read_meta(struct profile *p, const cJSON *meta, const char *raw,
	       size_t raw_len, const char *name, struct scorch_err *err)
{
	const cJSON *m;
	uint64_t v;
	size_t idx = 0;

	if (!meta)
		return 0;
	if (!cJSON_IsObject(meta)) {
		err_set(err, "%s: \"meta\" must be an object", name);
		return -1;
	}
	cJSON_ArrayForEach(m, meta)
	{
		if (!json_utf8(m->string) ||
		    (cJSON_IsString(m) && !json_utf8(m->valuestring))) {
			err_set(err,
				"%s: meta: a key or value is not valid "
				"UTF-8",
				name);
			return -1;
		}
		if (cJSON_IsString(m)) {
			profile_meta_set_str(p, m->string, m->valuestring);
		} else if (cJSON_IsNumber(m)) {
			if (json_get_exact(m, idx, raw, raw_len, true, name,
					   "meta value", &v, err) < 0)
				return -1;
			profile_meta_set_int(p, m->string, (int64_t)v);
		}
		idx++;
		/* Other types come from newer writers: ignored. */
	}
	return 0;
}

static int
json_read_tasks(struct profile *p, const cJSON *tasks, const char *name,
		struct scorch_err *err)
{
	const cJSON *t;
	double pid, tid;

	if (!tasks)
		return 0;
	if (!cJSON_IsArray(tasks)) {
		err_set(err, "%s: \"tasks\" must be an array", name);
		return -1;
	}
	cJSON_ArrayForEach(t, tasks)
	{
		const char *comm, *thread;

		if (!cJSON_IsObject(t)) {
			err_set(err, "%s: a task must be an object", name);
			return -1;
		}
		if (json_get_int(cJSON_GetObjectItemCaseSensitive(t, "pid"), -1,
				 4194304, name, "task pid", &pid, err) < 0 ||
		    json_get_int(cJSON_GetObjectItemCaseSensitive(t, "tid"), -1,
				 4194304, name, "task tid", &tid, err) < 0)
			return -1;
		comm = json_get_str(t, "comm", false, name, "task", err);
		thread = json_get_str(t, "thread", false, name, "task", err);
		if (!comm || !thread)
			return -1;
		profile_add_task(p, (int32_t)pid, (int32_t)tid, comm, thread);
	}
	return 0;
}

static int
json_read_frames(struct profile *p, const cJSON *frames, const char *name,
		 struct scorch_err *err)
{
	const cJSON *f;

	if (!cJSON_IsArray(frames)) {
		err_set(err, "%s: \"frames\" must be an array", name);
		return -1;
	}
	cJSON_ArrayForEach(f, frames)
	{
		const char *fname, *module, *kind_name, *file;
		const cJSON *line_item;
		enum frame_kind kind;
		double line = 0;
		uint32_t id;

		if (!cJSON_IsObject(f)) {
			err_set(err, "%s: a frame must be an object", name);
			return -1;
		}
		fname = json_get_str(f, "name", true, name, "frame", err);
		module = json_get_str(f, "module", false, name, "frame", err);
		kind_name = json_get_str(f, "kind", false, name, "frame", err);
		file = json_get_str(f, "file", false, name, "frame", err);
		if (!fname || !module || !kind_name || !file)
			return -1;
		if (!*fname) {
			err_set(err, "%s: a frame without a name", name);
			return -1;
		}
		if (strlen(fname) > PROFILE_MAX_NAME ||
		    strlen(module) > PROFILE_MAX_NAME ||
		    strlen(file) > PROFILE_MAX_NAME) {
			err_set(err,
				"%s: frame \"%.40s...\": a name longer than %d "
				"bytes",
				name, fname, PROFILE_MAX_NAME);
			return -1;
		}
		line_item = cJSON_GetObjectItemCaseSensitive(f, "line");
		if (line_item && json_get_int(line_item, 0, UINT32_MAX, name,
					      "frame line", &line, err) < 0)
			return -1;
		if (!*kind_name)
			kind_name = "user";
		if (frame_kind_parse(kind_name, &kind) < 0) {
			err_set(err,
				"%s: frame \"%.60s\": unknown kind \"%.20s\"",
				name, fname, kind_name);
			return -1;
		}
		/* Ids are positions: a duplicate frame must keep its own id. */
		id = profile_intern_frame_src(p, fname, module, kind, file,
					      (uint32_t)line);
		if (id != profile_nframes(p) - 1) {
			err_set(err, "%s: frame \"%.60s\" appears twice", name,
				fname);
			return -1;
		}
	}
	return 0;
}

/* One stack object into p (raw: its text, NULL when not known); ids is
 * scratch space that may grow. */
static int
json_read_stack(struct profile *p, const cJSON *s, const char *raw,
		size_t raw_len, size_t nframes, uint32_t **ids, size_t *cap,
		const char *name, struct scorch_err *err)
{
	const cJSON *task, *frames, *f, *item;
	uint32_t depth = 0, tidx = TASK_NONE;
	uint64_t count, off_cpu_ns = 0;
	size_t idx;
	double v;

	if (!cJSON_IsObject(s)) {
		err_set(err, "%s: a stack must be an object", name);
		return -1;
	}
	task = cJSON_GetObjectItemCaseSensitive(s, "task");
	if (task) {
		if (json_get_int(task, 0, (double)profile_ntasks(p) - 1, name,
				 "stack task", &v, err) < 0)
			return -1;
		tidx = (uint32_t)v;
	}
	item = json_member(s, "count", &idx);
	if (json_get_exact(item, idx, raw, raw_len, false, name, "stack count",
			   &count, err) < 0)
		return -1;
	item = json_member(s, "off_cpu_ns", &idx);
	if (item && json_get_exact(item, idx, raw, raw_len, false, name,
				   "stack off_cpu_ns", &off_cpu_ns, err) < 0)
		return -1;
	frames = cJSON_GetObjectItemCaseSensitive(s, "frames");
	if (!cJSON_IsArray(frames)) {
		err_set(err, "%s: stack \"frames\" must be an array", name);
		return -1;
	}
	cJSON_ArrayForEach(f, frames)
	{
		if (json_get_int(f, 0, (double)nframes - 1, name,
				 "stack frame id", &v, err) < 0)
			return -1;
		if (depth == PROFILE_MAX_DEPTH) {
			err_set(err, "%s: stack deeper than %d frames", name,
				PROFILE_MAX_DEPTH);
			return -1;
		}
		if (depth == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*ids = xreallocarray(*ids, *cap, sizeof(**ids));
		}
		(*ids)[depth++] = (uint32_t)v;
	}
	if (UINT64_MAX - profile_total(p) < count) {
		err_set(err, "%s: sample counts overflow", name);
		return -1;
	}
	if (UINT64_MAX - profile_total_off_cpu(p) < off_cpu_ns) {
		err_set(err, "%s: off-CPU times overflow", name);
		return -1;
	}
	if (json_read_stack_sites(p, s, depth, ids, cap, name, err) < 0)
		return -1;
	profile_add_stack_values(p, tidx, *ids,
				 cJSON_HasObjectItem(s, "sites") ? *ids + depth
								 : NULL,
				 depth, count, off_cpu_ns);
	return 0;
}

static int
json_read_stacks(struct profile *p, const cJSON *stacks, const char *name,
		 struct scorch_err *err)
{
	size_t nframes = profile_nframes(p), cap = 0;
	uint32_t *ids = NULL;
	const cJSON *s;
	int ret = 0;

	if (!cJSON_IsArray(stacks)) {
		err_set(err, "%s: \"stacks\" must be an array", name);
		return -1;
	}
	cJSON_ArrayForEach(s, stacks)
	{
		ret = json_read_stack(p, s, NULL, 0, nframes, &ids, &cap, name,
				      err);
		if (ret < 0)
			break;
	}
	free(ids);
	return ret;
}

/*
 * The stack object data[i..elem_end] in the shape scorch writes it,
 * {"task": T, "frames": [ID,...], "count": N} with "task" optional and
 * every value in range, added to p without building a cJSON tree (most
 * of the time of reading a big profile went to cJSON's nodes and strtod).
 * Returns false, having added nothing, for any other text: the caller
 * then parses the element with cJSON, which accepts every valid form and
 * words the errors.
 */
static bool
json_fast_stack(struct profile *p, const char *data, size_t i, size_t elem_end,
		size_t nframes, uint32_t **ids, size_t *cap)
{
	uint64_t task = TASK_NONE, v, count;
	uint32_t depth = 0;
	bool sites;

	if (!jsontext_lit(data, elem_end, &i, "{"))
		return false;
	if (jsontext_lit(data, elem_end, &i, "\"task\"")) {
		if (!jsontext_lit(data, elem_end, &i, ":") ||
		    !profile_ntasks(p) ||
		    !jsontext_uint(data, elem_end, &i, profile_ntasks(p) - 1,
				   &task) ||
		    !jsontext_lit(data, elem_end, &i, ","))
			return false;
	}
	if (!jsontext_lit(data, elem_end, &i, "\"frames\"") ||
	    !jsontext_lit(data, elem_end, &i, ":") ||
	    !jsontext_lit(data, elem_end, &i, "["))
		return false;
	if (!jsontext_lit(data, elem_end, &i, "]")) {
		for (;;) {
			if (!nframes || depth == PROFILE_MAX_DEPTH ||
			    !jsontext_uint(data, elem_end, &i, nframes - 1, &v))
				return false;
			if (depth == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				*ids = xreallocarray(*ids, *cap, sizeof(**ids));
			}
			(*ids)[depth++] = (uint32_t)v;
			if (jsontext_lit(data, elem_end, &i, "]"))
				break;
			if (!jsontext_lit(data, elem_end, &i, ","))
				return false;
		}
	}
	if (!jsontext_lit(data, elem_end, &i, ","))
		return false;
	sites = jsontext_lit(data, elem_end, &i, "\"sites\"");
	if (sites && !json_fast_sites(p, data, elem_end, &i, depth, ids, cap))
		return false;
	if (!jsontext_lit(data, elem_end, &i, "\"count\"") ||
	    !jsontext_lit(data, elem_end, &i, ":") ||
	    !jsontext_uint(data, elem_end, &i, UINT64_MAX, &count) ||
	    jsontext_skip_space(data, elem_end, i) != elem_end ||
	    UINT64_MAX - profile_total(p) < count)
		return false;
	profile_add_stack_sites(p, (uint32_t)task, *ids,
				sites ? *ids + depth : NULL, depth, count);
	return true;
}

/* What cJSON refused in text (which sits at nesting level depth): too
 * deep a document, or invalid JSON at byte off. */
static void
json_parse_error(struct scorch_err *err, const char *name, const char *text,
		 size_t len, size_t depth, size_t off)
{
	size_t nesting;

	jsontext_ends_early(text, len, &nesting);
	if (depth + nesting > PROFILE_MAX_NESTING)
		err_set(err,
			"%s: JSON nested deeper than %d levels, not a profile",
			name, PROFILE_MAX_NESTING);
	else
		err_set(err, "%s: not valid JSON (at byte %zu)", name, off);
}

/*
 * Read the stacks array data[start..end] one element at a time, each
 * through cJSON: a profile's stacks are most of it, and parsing them as
 * one tree would hold millions of nodes at once.
 */
static int
json_stream_stacks(struct profile *p, const char *data, size_t start,
		   size_t end, const char *name, struct scorch_err *err)
{
	size_t nframes = profile_nframes(p), cap = 0, i = start + 1;
	uint32_t *ids = NULL;
	int ret = -1;

	i = jsontext_skip_space(data, end, i);
	while (i < end) {
		const char *parse_end = NULL;
		size_t elem_end;
		cJSON *s;

		if (data[i] != '{') {
			err_set(err, "%s: a stack must be an object", name);
			goto out;
		}
		elem_end = jsontext_scan_value(data, end, i);
		if (elem_end >= end) {
			err_set(err, "%s: not valid JSON (at byte %zu)", name,
				i);
			goto out;
		}
		if (json_fast_stack(p, data, i, elem_end, nframes, &ids, &cap))
			goto next;
		s = cJSON_ParseWithLengthOpts(data + i, elem_end + 1 - i,
					      &parse_end, 0);
		if (!s) {
			json_parse_error(
				err, name, data + i, elem_end + 1 - i, 2,
				parse_end ? (size_t)(parse_end - data) : i);
			goto out;
		}
		ret = json_read_stack(p, s, data + i, elem_end + 1 - i, nframes,
				      &ids, &cap, name, err);
		cJSON_Delete(s);
		if (ret < 0)
			goto out;
		ret = -1;
	next:
		i = jsontext_skip_space(data, end, elem_end + 1);
		if (i < end && data[i] == ',') {
			i = jsontext_skip_space(data, end, i + 1);
			if (i >= end) {
				err_set(err, "%s: not valid JSON (at byte %zu)",
					name, i);
				goto out;
			}
		} else if (i < end) {
			err_set(err, "%s: not valid JSON (at byte %zu)", name,
				i);
			goto out;
		}
	}
	ret = 0;
out:
	free(ids);
	return ret;
}

/*
 * Everything of the document root (its text: doc) but the stacks: format,
 * version, meta (integers read exactly from doc), tasks and frames. 0, or
 * -1 with err filled.
 */
static int
json_read_head(struct profile *p, const cJSON *root, const char *doc,
	       size_t doc_len, const char *name, struct scorch_err *err)
{
	size_t meta_idx, meta_start, meta_end;
	const char *fmt, *ver;
	const cJSON *meta;
	char *dot;
	long major;

	if (!cJSON_IsObject(root)) {
		err_set(err, "%s: not a scorch profile (not a JSON object)",
			name);
		return -1;
	}
	fmt = json_get_str(root, "format", false, name, "profile", err);
	if (!fmt || strcmp(fmt, JSON_FORMAT)) {
		err_set(err,
			"%s: not a scorch profile (\"format\" is not "
			"\"" JSON_FORMAT "\")",
			name);
		return -1;
	}
	ver = json_get_str(root, "version", true, name, "profile", err);
	if (!ver)
		return -1;
	major = strtol(ver, &dot, 10);
	if (dot == ver || (*dot && *dot != '.')) {
		err_set(err, "%s: bad profile version \"%.20s\"", name, ver);
		return -1;
	}
	if (major != JSON_MAJOR) {
		err_set(err,
			"%s: unsupported profile version %.20s (this scorch "
			"reads %d.x)",
			name, ver, JSON_MAJOR);
		return -1;
	}
	meta = json_member(root, "meta", &meta_idx);
	if (!jsontext_member_value(doc, doc_len,
				   jsontext_skip_space(doc, doc_len, 0),
				   meta_idx, &meta_start, &meta_end))
		meta_start = meta_end = 0;
	if (json_read_meta(p, meta, meta_end ? doc + meta_start : NULL,
			   meta_end - meta_start, name, err) < 0 ||
	    json_read_tasks(p, cJSON_GetObjectItemCaseSensitive(root, "tasks"),
			    name, err) < 0 ||
	    json_read_frames(p,
			     cJSON_GetObjectItemCaseSensitive(root, "frames"),
			     name, err) < 0 ||
	    json_read_sites(p, root, name, err) < 0)
		return -1;
	return 0;
}

int
profile_read_json(struct profile *p, const char *data, size_t len,
		  const char *name, struct scorch_err *err)
{
	const char *end = NULL, *doc = data;
	size_t st_start = 0, st_end = 0, doc_len = len;
	bool streamed = false;
	char *outer = NULL;
	cJSON *root;
	int ret = -1;

	/* The document without its stacks goes through cJSON as a tree;
	 * the stacks follow one by one (json_stream_stacks()). Offsets in
	 * messages stay those of the file: the stacks come last or the
	 * parse of what precedes them fails first. */
	if (jsontext_find_stacks(data, len, &st_start, &st_end)) {
		size_t rest = len - (st_end + 1);

		doc_len = st_start + 2 + rest;
		outer = xmalloc(doc_len + 1);
		memcpy(outer, data, st_start);
		memcpy(outer + st_start, "[]", 2);
		memcpy(outer + st_start + 2, data + st_end + 1, rest);
		outer[doc_len] = '\0';
		doc = outer;
		streamed = true;
	}
	root = cJSON_ParseWithLengthOpts(doc, doc_len, &end, 0);
	if (!root) {
		size_t off = end ? (size_t)(end - doc) : 0;

		/* Past the stacks, the file's offset is further on. */
		if (streamed && off > st_start + 1)
			off += st_end + 1 - (st_start + 2);
		if (off >= len || jsontext_ends_early(data, len, NULL))
			err_set(err,
				"%s: not valid JSON (at byte %zu, the file "
				"ends too early)",
				name, off);
		else
			json_parse_error(err, name, doc, doc_len, 0, off);
		free(outer);
		return -1;
	}
	if (jsontext_skip_space(doc, doc_len, (size_t)(end - doc)) < doc_len) {
		/* Another document or garbage: never read the first alone. */
		size_t off =
			jsontext_skip_space(doc, doc_len, (size_t)(end - doc));

		if (streamed && off > st_start + 1)
			off += st_end + 1 - (st_start + 2);
		err_set(err,
			"%s: trailing data after the JSON profile (at byte "
			"%zu)",
			name, off);
		goto out;
	}
	if (json_read_head(p, root, doc, doc_len, name, err) < 0)
		goto out;
	if (streamed)
		ret = json_stream_stacks(p, data, st_start, st_end, name, err);
	else
		ret = json_read_stacks(
			p, cJSON_GetObjectItemCaseSensitive(root, "stacks"),
			name, err);
out:
	cJSON_Delete(root);
	free(outer);
	return ret;
}
