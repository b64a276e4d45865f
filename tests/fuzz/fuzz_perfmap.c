/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_perfmap.c - libFuzzer target: JIT perf map files
 * (symbolize/perfmap.c). Every line the parser accepts must name its own
 * start address after loading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/common.h"
#include "../../symbolize/symbolize.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scorch_err err;
	struct perfmap *pm = perfmap_load(fuzz_file(data, size), &err);
	char *text = fuzz_strdup(data, size), *line, *next;

	if (!pm) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		abort(); /* a regular file always loads */
	}
	perfmap_find(pm, 0);
	perfmap_find(pm, UINT64_MAX);
	for (line = text; line; line = next) {
		uint64_t start, len;
		const char *name;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (perfmap_parse_line(line, &start, &len, &name) < 0)
			continue;
		/* An accepted line names its own start. (Its last byte may
		 * not be: perfmap_find() looks back past at most
		 * PERFMAP_OVERLAP_SCAN newer objects starting inside it.) */
		if (!perfmap_find(pm, start))
			abort();
		perfmap_find(pm, start + len - 1);
		perfmap_find(pm, start + len);
	}
	free(text);
	perfmap_free(pm);
	return 0;
}
