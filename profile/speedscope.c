/* SPDX-License-Identifier: MIT */
/*
 * profile/speedscope.c - export to speedscope's JSON file format
 * (https://www.speedscope.app/file-format-schema.json): shared frames and
 * one sampled profile whose stacks list frame indices from the root.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "profile.h"

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"

int
profile_write_speedscope(const struct profile *p, const char *name, FILE *fp)
{
	int64_t period_ns = profile_meta_int(p, "period_ns", 0);
	uint64_t weight = period_ns > 0 ? (uint64_t)period_ns : 1, end = 0;
	size_t i, n = profile_nframes(p), ns = profile_nstacks(p);
	struct strbuf sb;
	bool first;

	strbuf_init(&sb);
	fputs("{\"$schema\": \"" SPEEDSCOPE_SCHEMA "\",\n"
	      "\"exporter\": \"scorch " SCORCH_VERSION "\",\n\"name\": ",
	      fp);
	json_put_string(fp, name);
	fputs(",\n\"activeProfileIndex\": 0,\n\"shared\": {\"frames\": [", fp);
	for (i = 0; i < n; i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);

		/* Names as in folded stacks and flame graphs: with the kind's
		 * suffix. file is the source file, else the module. */
		strbuf_reset(&sb);
		strbuf_addstr(&sb, f->name);
		strbuf_addstr(&sb, frame_kind_suffix(f->kind));
		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", fp);
		json_put_string(fp, sb.buf);
		if (f->file[0] || f->module[0]) {
			fputs(", \"file\": ", fp);
			json_put_string(fp, f->file[0] ? f->file : f->module);
		}
		if (f->line)
			fprintf(fp, ", \"line\": %" PRIu32, f->line);
		putc('}', fp);
	}
	strbuf_fini(&sb);
	for (i = 0; i < ns; i++)
		end += profile_stack(p, i)->count * weight;
	fputs("\n]},\n\"profiles\": [{\"type\": \"sampled\", \"name\": ", fp);
	json_put_string(fp, name);
	fprintf(fp,
		", \"unit\": \"%s\", \"startValue\": 0, \"endValue\": %" PRIu64
		",\n\"samples\": [",
		period_ns > 0 ? "nanoseconds" : "none", end);
	first = true;
	for (i = 0; i < ns; i++) {
		const struct stack *st = profile_stack(p, i);
		uint32_t d;

		if (!st->count)
			continue;
		fputs(first ? "\n  [" : ",\n  [", fp);
		first = false;
		for (d = 0; d < st->depth; d++)
			fprintf(fp, d ? ",%" PRIu32 : "%" PRIu32,
				st->frames[d]);
		putc(']', fp);
	}
	fputs("\n],\n\"weights\": [", fp);
	first = true;
	for (i = 0; i < ns; i++) {
		const struct stack *st = profile_stack(p, i);

		if (!st->count)
			continue;
		fprintf(fp, first ? "%" PRIu64 : ",%" PRIu64,
			st->count * weight);
		first = false;
	}
	fputs("]}]\n}\n", fp);
	return ferror(fp) ? -1 : 0;
}
