/* SPDX-License-Identifier: MIT */
/*
 * profile/jsonsites.c - the native profile's modules and sites (version
 * 1.2, docs/FORMAT.md "Sites and modules"): where in a module's code each
 * stack frame was, for exports that keep addresses and source lines
 * (pprof). Written before "stacks"; read from the cJSON tree of the head.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "profile.h"

#define JSONSITES_MAX_ADDR 9007199254740992.0 /* 2^53: exact in a double */

void
json_write_sites(const struct profile *p, FILE *fp)
{
	size_t i;

	if (profile_nmodules(p)) {
		fputs("\"modules\": [", fp);
		for (i = 0; i < profile_nmodules(p); i++) {
			const struct module_info *m = profile_module(p, i);

			fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", fp);
			json_put_string(fp, m->name);
			fputs(", \"path\": ", fp);
			json_put_string(fp, m->path);
			fputs(", \"build_id\": ", fp);
			json_put_string(fp, m->build_id);
			putc('}', fp);
		}
		fputs("\n],\n", fp);
	}
	if (profile_nsites(p) > 1) {
		fputs("\"sites\": [", fp);
		for (i = 0; i < profile_nsites(p); i++) {
			const struct site *s = profile_site(p, (uint32_t)i);

			fprintf(fp, "%s[%" PRIu64 ", %" PRIu32 "]",
				i % 8 ? ", " : (i ? ",\n  " : "\n  "), s->addr,
				s->line);
		}
		fputs("\n],\n", fp);
	}
}

static int
json_read_modules(struct profile *p, const cJSON *mods, const char *name,
		  struct scorch_err *err)
{
	const cJSON *m;

	if (!mods)
		return 0;
	if (!cJSON_IsArray(mods)) {
		err_set(err, "%s: \"modules\" must be an array", name);
		return -1;
	}
	cJSON_ArrayForEach(m, mods)
	{
		const char *v[3], *keys[3] = { "name", "path", "build_id" };
		size_t k;

		for (k = 0; k < 3; k++) {
			const cJSON *s =
				cJSON_GetObjectItemCaseSensitive(m, keys[k]);

			v[k] = cJSON_IsString(s) ? s->valuestring : NULL;
			if (!v[k] || strlen(v[k]) > PROFILE_MAX_NAME ||
			    !json_utf8(v[k])) {
				err_set(err,
					"%s: module: \"%s\" must be a UTF-8 "
					"string of at most %d bytes",
					name, keys[k], PROFILE_MAX_NAME);
				return -1;
			}
		}
		profile_add_module(p, v[0], v[1], v[2]);
	}
	return 0;
}

int
json_read_sites(struct profile *p, const cJSON *root, const char *name,
		struct scorch_err *err)
{
	const cJSON *sites = cJSON_GetObjectItemCaseSensitive(root, "sites");
	const cJSON *s;
	size_t i = 0;

	if (json_read_modules(p,
			      cJSON_GetObjectItemCaseSensitive(root, "modules"),
			      name, err) < 0)
		return -1;
	if (!sites)
		return 0;
	if (!cJSON_IsArray(sites)) {
		err_set(err, "%s: \"sites\" must be an array", name);
		return -1;
	}
	cJSON_ArrayForEach(s, sites)
	{
		double addr, line;

		if (!cJSON_IsArray(s) || cJSON_GetArraySize(s) != 2) {
			err_set(err, "%s: site %zu must be [ADDRESS, LINE]",
				name, i);
			return -1;
		}
		if (json_get_int(cJSON_GetArrayItem(s, 0), 0,
				 JSONSITES_MAX_ADDR, name, "site address",
				 &addr, err) < 0 ||
		    json_get_int(cJSON_GetArrayItem(s, 1), 0, UINT32_MAX, name,
				 "site line", &line, err) < 0)
			return -1;
		/* Ids are positions; site 0 is [0, 0]. */
		if (profile_intern_site(p, (uint64_t)addr, (uint32_t)line) !=
		    i) {
			if (i)
				err_set(err, "%s: site %zu appears twice", name,
					i);
			else
				err_set(err, "%s: site 0 must be [0, 0]", name);
			return -1;
		}
		i++;
	}
	return 0;
}

/* `], "sites": [ID,...` of a stack that has sites. */
void
json_add_stack_sites(struct strbuf *sb, const struct stack *st)
{
	uint32_t j;

	if (!st->sites)
		return;
	strbuf_addstr(sb, "], \"sites\": [");
	for (j = 0; j < st->depth; j++) {
		if (j)
			strbuf_addch(sb, ',');
		json_add_u64(sb, st->sites[j]);
	}
}

/* Room for n ids in the scratch space. */
void
json_ids_room(uint32_t **ids, size_t *cap, size_t n)
{
	if (n <= *cap)
		return;
	while (*cap < n)
		*cap = *cap ? *cap * 2 : 64;
	*ids = xreallocarray(*ids, *cap, sizeof(**ids));
}

/* A stack's "sites" (1.2), one per frame, into (*ids)[depth..2 depth). */
int
json_read_stack_sites(struct profile *p, const cJSON *s, uint32_t depth,
		      uint32_t **ids, size_t *cap, const char *name,
		      struct scorch_err *err)
{
	const cJSON *sites = cJSON_GetObjectItemCaseSensitive(s, "sites"), *e;
	uint32_t n = 0;
	double v;

	if (!sites)
		return 0;
	if (!cJSON_IsArray(sites) ||
	    (size_t)cJSON_GetArraySize(sites) != depth) {
		err_set(err,
			"%s: stack \"sites\" must be an array of one site "
			"id per frame",
			name);
		return -1;
	}
	json_ids_room(ids, cap, 2 * (size_t)depth);
	cJSON_ArrayForEach(e, sites)
	{
		if (json_get_int(e, 0, (double)profile_nsites(p) - 1, name,
				 "stack site id", &v, err) < 0)
			return -1;
		(*ids)[depth + n++] = (uint32_t)v;
	}
	return 0;
}

/* `: [ID,...],` of a stack's sites, depth of them, into (*ids)[depth..). */
bool
json_fast_sites(struct profile *p, const char *data, size_t elem_end, size_t *i,
		uint32_t depth, uint32_t **ids, size_t *cap)
{
	uint32_t n = 0;
	uint64_t v;

	json_ids_room(ids, cap, 2 * (size_t)depth);
	if (!jsontext_lit(data, elem_end, i, ":") ||
	    !jsontext_lit(data, elem_end, i, "["))
		return false;
	if (!jsontext_lit(data, elem_end, i, "]")) {
		for (;;) {
			if (n == depth ||
			    !jsontext_uint(data, elem_end, i,
					   profile_nsites(p) - 1, &v))
				return false;
			(*ids)[depth + n++] = (uint32_t)v;
			if (jsontext_lit(data, elem_end, i, "]"))
				break;
			if (!jsontext_lit(data, elem_end, i, ","))
				return false;
		}
	}
	return n == depth && jsontext_lit(data, elem_end, i, ",");
}
