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
#include "profile.h"

#define JSON_FORMAT "scorch-profile"
#define JSON_VERSION "1.1"
#define JSON_MAJOR 1
#define JSON_MAX_INT 9007199254740992.0 /* 2^53: exact in a double */

int
profile_write_json(const struct profile *p, FILE *fp)
{
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
	fputs("\n],\n\"stacks\": [", fp);
	n = profile_nstacks(p);
	for (i = 0; i < n; i++) {
		const struct stack *st = profile_stack(p, i);
		uint32_t j;

		fputs(i ? ",\n  {" : "\n  {", fp);
		if (st->task != TASK_NONE)
			fprintf(fp, "\"task\": %" PRIu32 ", ", st->task);
		fputs("\"frames\": [", fp);
		for (j = 0; j < st->depth; j++)
			fprintf(fp, j ? ",%" PRIu32 : "%" PRIu32,
				st->frames[j]);
		fprintf(fp, "], \"count\": %" PRIu64 "}", st->count);
	}
	fputs("\n]\n}\n", fp);
	return ferror(fp) ? -1 : 0;
}

/* ---- reading ------------------------------------------------------------ */

/* A whole number in [lo, hi], or -1 with err naming where. */
static int
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
	return item->valuestring;
}

static int
json_read_meta(struct profile *p, const cJSON *meta, const char *name,
	       struct scorch_err *err)
{
	const cJSON *m;
	double v;

	if (!meta)
		return 0;
	if (!cJSON_IsObject(meta)) {
		err_set(err, "%s: \"meta\" must be an object", name);
		return -1;
	}
	cJSON_ArrayForEach(m, meta)
	{
		if (cJSON_IsString(m)) {
			profile_meta_set_str(p, m->string, m->valuestring);
		} else if (cJSON_IsNumber(m)) {
			if (json_get_int(m, -JSON_MAX_INT, JSON_MAX_INT, name,
					 "meta value", &v, err) < 0)
				return -1;
			profile_meta_set_int(p, m->string, (int64_t)v);
		}
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

static int
json_read_stacks(struct profile *p, const cJSON *stacks, const char *name,
		 struct scorch_err *err)
{
	size_t nframes = profile_nframes(p), cap = 0;
	uint32_t *ids = NULL;
	const cJSON *s;
	int ret = -1;

	if (!cJSON_IsArray(stacks)) {
		err_set(err, "%s: \"stacks\" must be an array", name);
		return -1;
	}
	cJSON_ArrayForEach(s, stacks)
	{
		const cJSON *task, *frames, *f;
		double v, count;
		uint32_t depth = 0, tidx = TASK_NONE;

		if (!cJSON_IsObject(s)) {
			err_set(err, "%s: a stack must be an object", name);
			goto out;
		}
		task = cJSON_GetObjectItemCaseSensitive(s, "task");
		if (task) {
			if (json_get_int(task, 0, (double)profile_ntasks(p) - 1,
					 name, "stack task", &v, err) < 0)
				goto out;
			tidx = (uint32_t)v;
		}
		if (json_get_int(cJSON_GetObjectItemCaseSensitive(s, "count"),
				 0, JSON_MAX_INT, name, "stack count", &count,
				 err) < 0)
			goto out;
		frames = cJSON_GetObjectItemCaseSensitive(s, "frames");
		if (!cJSON_IsArray(frames)) {
			err_set(err, "%s: stack \"frames\" must be an array",
				name);
			goto out;
		}
		cJSON_ArrayForEach(f, frames)
		{
			if (json_get_int(f, 0, (double)nframes - 1, name,
					 "stack frame id", &v, err) < 0)
				goto out;
			if (depth == cap) {
				cap = cap ? cap * 2 : 64;
				ids = xreallocarray(ids, cap, sizeof(*ids));
			}
			ids[depth++] = (uint32_t)v;
		}
		if (UINT64_MAX - profile_total(p) < (uint64_t)count) {
			err_set(err, "%s: sample counts overflow", name);
			goto out;
		}
		profile_add_stack(p, tidx, ids, depth, (uint64_t)count);
	}
	ret = 0;
out:
	free(ids);
	return ret;
}

/* Does the document end inside a string, an object or an array? Then it
 * was cut short, which says more than the byte where parsing stopped. */
static bool
json_ends_early(const char *data, size_t len)
{
	bool in_str = false, esc = false;
	long depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = data[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return in_str || depth > 0;
}

int
profile_read_json(struct profile *p, const char *data, size_t len,
		  const char *name, struct scorch_err *err)
{
	const char *end = NULL, *fmt, *ver;
	cJSON *root;
	char *dot;
	long major;
	int ret = -1;

	root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (!root) {
		size_t off = end ? (size_t)(end - data) : 0;

		err_set(err, "%s: not valid JSON (at byte %zu%s)", name, off,
			off >= len || json_ends_early(data, len)
				? ", the file ends too early"
				: "");
		return -1;
	}
	if (!cJSON_IsObject(root)) {
		err_set(err, "%s: not a scorch profile (not a JSON object)",
			name);
		goto out;
	}
	fmt = json_get_str(root, "format", false, name, "profile", err);
	if (!fmt || strcmp(fmt, JSON_FORMAT)) {
		err_set(err,
			"%s: not a scorch profile (\"format\" is not "
			"\"" JSON_FORMAT "\")",
			name);
		goto out;
	}
	ver = json_get_str(root, "version", true, name, "profile", err);
	if (!ver)
		goto out;
	major = strtol(ver, &dot, 10);
	if (dot == ver || (*dot && *dot != '.')) {
		err_set(err, "%s: bad profile version \"%.20s\"", name, ver);
		goto out;
	}
	if (major != JSON_MAJOR) {
		err_set(err,
			"%s: unsupported profile version %.20s (this scorch "
			"reads %d.x)",
			name, ver, JSON_MAJOR);
		goto out;
	}
	if (json_read_meta(p, cJSON_GetObjectItemCaseSensitive(root, "meta"),
			   name, err) < 0 ||
	    json_read_tasks(p, cJSON_GetObjectItemCaseSensitive(root, "tasks"),
			    name, err) < 0 ||
	    json_read_frames(p,
			     cJSON_GetObjectItemCaseSensitive(root, "frames"),
			     name, err) < 0 ||
	    json_read_stacks(p,
			     cJSON_GetObjectItemCaseSensitive(root, "stacks"),
			     name, err) < 0)
		goto out;
	ret = 0;
out:
	cJSON_Delete(root);
	return ret;
}
