/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_roundtrip_folded.c - libFuzzer target: folded read ->
 * write -> read is identity. Whatever the folded reader accepts, the
 * writer writes as text the reader accepts again, and that text read and
 * written once more is the same (the writer sorts: the comparison is on
 * the canonical form).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/common.h"
#include "../../profile/profile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read text as folded; NULL (after printing why) when refused. */
static struct profile *
fuzz_read_folded(const char *text, size_t len, struct scorch_err *err)
{
	struct profile *p = profile_new();
	FILE *fp;
	int ret;

	if (!len)
		return p; /* fmemopen() refuses an empty buffer */
	fp = fmemopen((void *)text, len, "r");
	if (!fp)
		abort();
	ret = profile_read_folded(p, fp, "fuzz", err);
	fclose(fp);
	if (ret < 0) {
		profile_free(p);
		return NULL;
	}
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scorch_err err;
	struct profile *p, *q;
	char *first, *second;
	size_t len1, len2;

	if (!size)
		return 0;
	p = fuzz_read_folded((const char *)data, size, &err);
	if (!p)
		return 0;
	first = fuzz_written(profile_write_folded, p, &len1);
	q = fuzz_read_folded(first, len1, &err);
	if (!q) {
		fprintf(stderr, "fuzz: the writer's output is refused: %s\n",
			err.msg);
		abort();
	}
	if (profile_total(p) != profile_total(q))
		abort();
	second = fuzz_written(profile_write_folded, q, &len2);
	if (len1 != len2 || memcmp(first, second, len1)) {
		fprintf(stderr, "fuzz: folded text changed by a round trip\n");
		abort();
	}
	free(first);
	free(second);
	profile_free(p);
	profile_free(q);
	return 0;
}
