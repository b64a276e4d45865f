/* SPDX-License-Identifier: MIT */
/*
 * profile/budget.c - performance budgets: per-function limits on shares of
 * the samples or on CPU time, read from a JSON file (docs/BUDGETS.md) and
 * checked against a profile. `scorch check --budget` prints the verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../common/common.h"
#include "profile.h"

/* A budget file is a few lines written by hand; anything this big is not. */
#define BUDGET_MAX_BYTES ((size_t)1 << 20)

/* The limits an entry may set, in the order results are listed. */
static const char *const budget_fields[BUDGET_NMETRICS] = {
	[BUDGET_SELF_PERCENT] = "max_self_percent",
	[BUDGET_TOTAL_PERCENT] = "max_total_percent",
	[BUDGET_SELF_MS] = "max_self_ms",
	[BUDGET_TOTAL_MS] = "max_total_ms",
};

/* One element of the file's "budgets" array. */
struct budget_entry {
	char *function; /* the exact name, or the regex's source */
	char *module;	/* "" for any module */
	bool is_regex;
	struct regex *re;	     /* is_regex: compiled function */
	double max[BUDGET_NMETRICS]; /* a limit, or < 0 when not set */
};

struct budget {
	char *name; /* the file's name, for messages */
	struct budget_entry *entries;
	size_t nentries;
	size_t nlimits;	      /* limits set over all entries */
	uint64_t min_samples; /* fewer samples: no verdict */
	bool has_value;	      /* the file names the value its limits are of */
	enum profile_value value;
};

const char *
budget_metric_field(enum budget_metric m)
{
	return m < BUDGET_NMETRICS ? budget_fields[m] : "?";
}

bool
budget_metric_is_ms(enum budget_metric m)
{
	return m == BUDGET_SELF_MS || m == BUDGET_TOTAL_MS;
}

void
budget_free(struct budget *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->nentries; i++) {
		free(b->entries[i].function);
		free(b->entries[i].module);
		regex_free(b->entries[i].re);
	}
	free(b->entries);
	free(b->name);
	free(b);
}

size_t
budget_nlimits(const struct budget *b)
{
	return b->nlimits;
}

uint64_t
budget_min_samples(const struct budget *b)
{
	return b->min_samples;
}

bool
budget_value(const struct budget *b, enum profile_value *v)
{
	if (b->has_value)
		*v = b->value;
	return b->has_value;
}

/* A top-level field other than "budgets" and "comment"; -1 with err. */
static int
budget_parse_field(struct budget *b, const cJSON *item, const char *name,
		   struct scorch_err *err)
{
	if (!strcmp(item->string, "value")) {
		if (!cJSON_IsString(item) ||
		    profile_value_parse(item->valuestring, &b->value) < 0) {
			err_set(err,
				"%s: value: must be \"cpu\", \"off-cpu\" or "
				"\"wall\"",
				name);
			return -1;
		}
		b->has_value = true;
		return 0;
	}
	if (strcmp(item->string, "min_samples")) {
		err_set(err,
			"%s: %.64s: unknown field (known: budgets, "
			"min_samples, value, comment)",
			name, item->string);
		return -1;
	}
	if (!cJSON_IsNumber(item) || item->valuedouble < 0 ||
	    item->valuedouble > 1e15 ||
	    item->valuedouble != floor(item->valuedouble)) {
		err_set(err,
			"%s: min_samples: must be a whole number, 0 or more",
			name);
		return -1;
	}
	b->min_samples = (uint64_t)item->valuedouble;
	return 0;
}

/* Line and column (both from 1) of byte off in data, for parse errors. */
static void
budget_position(const char *data, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* A string field of an entry: NULL with err set when it is not a string
 * (or is empty); *out stays NULL when the field is absent. */
static int
budget_get_str(const cJSON *item, const char *name, size_t idx, const char *key,
	       char **out, struct scorch_err *err)
{
	if (!item)
		return 0;
	if (!cJSON_IsString(item) || !item->valuestring) {
		err_set(err, "%s: budgets[%zu].%s: must be a string", name, idx,
			key);
		return -1;
	}
	if (!item->valuestring[0]) {
		err_set(err, "%s: budgets[%zu].%s: must not be empty", name,
			idx, key);
		return -1;
	}
	*out = xstrdup(item->valuestring);
	return 0;
}

/* A limit: a percentage from 0 to 100, or milliseconds >= 0. */
static int
budget_get_limit(const cJSON *item, const char *name, size_t idx,
		 enum budget_metric m, double *out, struct scorch_err *err)
{
	double v;

	if (!cJSON_IsNumber(item)) {
		err_set(err, "%s: budgets[%zu].%s: must be a number", name, idx,
			budget_fields[m]);
		return -1;
	}
	v = item->valuedouble;
	if (budget_metric_is_ms(m) && !(v >= 0 && isfinite(v))) {
		err_set(err,
			"%s: budgets[%zu].%s: %g is not a number of "
			"milliseconds (0 or more)",
			name, idx, budget_fields[m], v);
		return -1;
	}
	if (!budget_metric_is_ms(m) && !(v >= 0 && v <= 100)) {
		err_set(err,
			"%s: budgets[%zu].%s: %g is not a percentage (0 to "
			"100)",
			name, idx, budget_fields[m], v);
		return -1;
	}
	*out = v;
	return 0;
}

static int
budget_parse_entry(struct budget *b, const cJSON *obj, size_t idx,
		   struct budget_entry *e, struct scorch_err *err)
{
	const cJSON *item;
	char *regex = NULL;
	int m;

	for (m = 0; m < BUDGET_NMETRICS; m++)
		e->max[m] = -1;
	if (!cJSON_IsObject(obj)) {
		err_set(err, "%s: budgets[%zu]: must be an object", b->name,
			idx);
		return -1;
	}
	cJSON_ArrayForEach(item, obj)
	{
		const char *k = item->string;

		if (!strcmp(k, "function") || !strcmp(k, "function_regex") ||
		    !strcmp(k, "module"))
			continue;
		if (!strcmp(k, "comment")) {
			if (!cJSON_IsString(item)) {
				err_set(err,
					"%s: budgets[%zu].comment: must be a "
					"string",
					b->name, idx);
				return -1;
			}
			continue;
		}
		for (m = 0; m < BUDGET_NMETRICS; m++)
			if (!strcmp(k, budget_fields[m]))
				break;
		if (m == BUDGET_NMETRICS) {
			err_set(err,
				"%s: budgets[%zu].%.64s: unknown field (known: "
				"function, function_regex, module, "
				"max_self_percent, max_total_percent, "
				"max_self_ms, max_total_ms, comment)",
				b->name, idx, k);
			return -1;
		}
		if (e->max[m] >= 0) {
			err_set(err, "%s: budgets[%zu].%s: given twice",
				b->name, idx, k);
			return -1;
		}
		if (budget_get_limit(item, b->name, idx, (enum budget_metric)m,
				     &e->max[m], err) < 0)
			return -1;
		b->nlimits++;
	}
	if (budget_get_str(cJSON_GetObjectItemCaseSensitive(obj, "function"),
			   b->name, idx, "function", &e->function, err) < 0 ||
	    budget_get_str(
		    cJSON_GetObjectItemCaseSensitive(obj, "function_regex"),
		    b->name, idx, "function_regex", &regex, err) < 0 ||
	    budget_get_str(cJSON_GetObjectItemCaseSensitive(obj, "module"),
			   b->name, idx, "module", &e->module, err) < 0)
		goto out_free;
	if (!e->module)
		e->module = xstrdup("");
	if (e->function && regex) {
		err_set(err,
			"%s: budgets[%zu]: has both function and "
			"function_regex (give one)",
			b->name, idx);
		goto out_free;
	}
	if (!e->function && !regex) {
		err_set(err,
			"%s: budgets[%zu]: no function (give function or "
			"function_regex)",
			b->name, idx);
		goto out_free;
	}
	if (regex) {
		struct scorch_err why;

		/* Bounded: a pattern that would expand past the engine's
		 * size is refused here, not compiled until memory runs out. */
		e->re = regex_new(regex, &why);
		if (!e->re) {
			err_set(err,
				"%s: budgets[%zu].function_regex: '%.64s%s': %s",
				b->name, idx, regex,
				strlen(regex) > 64 ? "..." : "", why.msg);
			goto out_free;
		}
		e->is_regex = true;
		e->function = regex;
		regex = NULL;
	}
	for (m = 0; m < BUDGET_NMETRICS; m++)
		if (e->max[m] >= 0)
			return 0;
	err_set(err,
		"%s: budgets[%zu]: no limit (give max_self_percent, "
		"max_total_percent, max_self_ms or max_total_ms)",
		b->name, idx);
	return -1;
out_free:
	free(regex);
	return -1;
}

struct budget *
budget_parse(const char *data, size_t len, const char *name,
	     struct scorch_err *err)
{
	struct budget *b = xcalloc(1, sizeof(*b));
	const cJSON *list, *item;
	const char *end = NULL;
	cJSON *root;
	size_t i, line, col;

	b->name = xstrdup(name);
	b->min_samples = 1;
	root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (!root) {
		size_t off = end ? (size_t)(end - data) : 0;

		budget_position(data, off < len ? off : len, &line, &col);
		err_set(err, "%s: not valid JSON (line %zu, column %zu)", name,
			line, col);
		goto out_free;
	}
	if (!cJSON_IsObject(root)) {
		err_set(err, "%s: not a budget file (not a JSON object)", name);
		goto out_free;
	}
	cJSON_ArrayForEach(item, root)
	{
		if (!strcmp(item->string, "budgets") ||
		    !strcmp(item->string, "comment"))
			continue;
		if (budget_parse_field(b, item, name, err) < 0)
			goto out_free;
	}
	list = cJSON_GetObjectItemCaseSensitive(root, "budgets");
	if (!list) {
		err_set(err, "%s: budgets: missing (a list of limits)", name);
		goto out_free;
	}
	if (!cJSON_IsArray(list)) {
		err_set(err, "%s: budgets: must be a list", name);
		goto out_free;
	}
	b->nentries = (size_t)cJSON_GetArraySize(list);
	if (!b->nentries) {
		err_set(err, "%s: budgets: empty (nothing to check)", name);
		goto out_free;
	}
	b->entries = xcalloc(b->nentries, sizeof(*b->entries));
	i = 0;
	cJSON_ArrayForEach(item, list)
	{
		if (budget_parse_entry(b, item, i, &b->entries[i], err) < 0)
			goto out_free;
		i++;
	}
	cJSON_Delete(root);
	return b;
out_free:
	cJSON_Delete(root);
	budget_free(b);
	return NULL;
}

struct budget *
budget_load(const char *path, struct scorch_err *err)
{
	struct budget *b = NULL;
	struct stat st;
	char *data;
	ssize_t r;
	size_t len = 0;
	int fd;

	/* O_NONBLOCK: opening a FIFO would wait for a writer, forever. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(err, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	/* Read one byte more than allowed, to tell a big file apart. */
	data = xmalloc(BUDGET_MAX_BYTES + 2);
	while (len <= BUDGET_MAX_BYTES) {
		r = read(fd, data + len, BUDGET_MAX_BYTES + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > BUDGET_MAX_BYTES) {
		err_set(err, "%s: larger than 1 MiB, not a budget file", path);
		goto out;
	}
	data[len] = '\0';
	b = budget_parse(data, len, path, err);
out:
	free(data);
	close(fd);
	return b;
}

/* ---- checking ------------------------------------------------------------ */

/* Does frame f carry the name e asks for? Names are compared as `scorch
 * report` shows them: with a kernel or JIT frame's suffix ("do_read_[k]"),
 * and an inlined copy by the function's own name, since it is that
 * function (profile.h, aggregate.c). */
static bool
budget_match(const struct frame *f, void *arg)
{
	const struct budget_entry *e = arg;
	const char *suffix = frame_kind_suffix(
		f->kind == FRAME_INLINED ? FRAME_USER : f->kind);
	size_t nlen = strlen(f->name);
	char *full;
	bool hit;

	if (e->module[0] && strcmp(e->module, f->module))
		return false;
	if (!e->is_regex)
		return !strncmp(e->function, f->name, nlen) &&
		       !strcmp(e->function + nlen, suffix);
	if (!suffix[0])
		return regex_match(e->re, f->name);
	full = xasprintf("%s%s", f->name, suffix);
	hit = regex_match(e->re, full);
	free(full);
	return hit;
}

int
budget_check(const struct budget *b, const struct profile *p, const char *pname,
	     struct budget_result *out, struct scorch_err *err)
{
	bool timed = profile_count_ns(p) > 0;
	uint64_t total = profile_total(p);
	size_t i, n = 0;
	int m, exceeded = 0;

	for (i = 0; i < b->nentries; i++) {
		for (m = BUDGET_SELF_MS; m <= BUDGET_TOTAL_MS; m++) {
			if (b->entries[i].max[m] < 0 || timed)
				continue;
			err_set(err,
				"%s: %s: budgets[%zu].%s needs CPU time, but "
				"the profile has no period_ns (folded input, "
				"or not a clock event): record a .json profile "
				"with cpu-clock (the default), or use a "
				"percent limit",
				pname, b->name, i, budget_fields[m]);
			return -1;
		}
	}
	for (i = 0; i < b->nentries; i++) {
		struct budget_entry *e = &b->entries[i];
		struct agg_focus fo;

		aggregate_focus(p, budget_match, e, &fo);
		for (m = 0; m < BUDGET_NMETRICS; m++) {
			struct budget_result *r = &out[n];
			uint64_t samples;

			if (e->max[m] < 0)
				continue;
			samples =
				m == BUDGET_SELF_PERCENT || m == BUDGET_SELF_MS
					? fo.self
					: fo.total;
			*r = (struct budget_result){
				.entry = i,
				.function = e->function,
				.module = e->module,
				.regex = e->is_regex,
				.metric = (enum budget_metric)m,
				.limit = e->max[m],
				.samples = samples,
				.nfunctions = fo.nfunctions,
			};
			if (budget_metric_is_ms((enum budget_metric)m))
				r->actual = profile_run_ms(p, samples);
			else
				r->actual = total ? 100.0 * (double)samples /
							    (double)total
						  : 0.0;
			r->exceeded = r->actual > r->limit;
			exceeded += r->exceeded;
			n++;
		}
		agg_focus_fini(&fo);
	}
	return exceeded;
}
