/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_json.c - libFuzzer target: the native JSON reader, from
 * memory and through profile_load() (format sniffing, BOM, trailing data).
 */
#include <stdlib.h>

#include "../../common/common.h"
#include "../../profile/profile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scorch_err err;
	struct profile *p = profile_new();
	char *text = fuzz_strdup(data, size);

	profile_read_json(p, text, size, "fuzz", &err);
	profile_free(p);
	free(text);
	p = profile_load(fuzz_file(data, size), &err);
	profile_free(p);
	return 0;
}
