/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_kallsyms.c - libFuzzer target: /proc/kallsyms files
 * (symbolize/kallsyms.c). Every text symbol the parser accepts must be
 * found at its own address after loading (unless all addresses are zero,
 * which is how the kernel hides them).
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
	struct kallsyms *ks = kallsyms_load(fuzz_file(data, size), &err);
	char *text = fuzz_strdup(data, size), *line, *next;

	if (!ks) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		abort(); /* a regular file always loads */
	}
	kallsyms_find(ks, 0, NULL, NULL);
	kallsyms_find(ks, UINT64_MAX, NULL, NULL);
	for (line = text; line; line = next) {
		const char *name, *module, *found_mod;
		uint64_t addr, off;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (kallsyms_parse_line(line, &addr, &name, &module) != 1)
			continue;
		if (!kallsyms_hidden(ks) &&
		    (!kallsyms_find(ks, addr, &found_mod, &off) || off))
			abort(); /* an accepted symbol is found at its address */
	}
	free(text);
	kallsyms_free(ks);
	return 0;
}
