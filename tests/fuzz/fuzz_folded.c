/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_folded.c - libFuzzer target: the folded reader, strict
 * and skipping bad lines, from memory and through profile_load().
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../common/common.h"
#include "../../profile/profile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile_read_opts opts = { .skip_bad = 1 };
	struct scorch_err err;
	struct profile *p;
	FILE *fp;

	if (size) {
		fp = fmemopen((void *)data, size, "r");
		if (!fp)
			abort();
		p = profile_new();
		profile_read_folded(p, fp, "fuzz", &err);
		profile_free(p);
		fclose(fp);
	}
	p = profile_load_opts(fuzz_file(data, size), &opts, &err);
	if (p && opts.skipped && !opts.first_bad[0])
		abort(); /* a skipped line is always described */
	profile_free(p);
	return 0;
}
