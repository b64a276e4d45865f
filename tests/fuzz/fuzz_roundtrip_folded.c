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

static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

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
	size_t len1, len2, i, n, nused = 0;
	char *used;

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
		fuzz_fail("the total changed by a round trip");
	/* The same frames: q has those of p's stacks with samples (a count
	 * of 0 is not written), so interning them into q adds none. */
	n = profile_nframes(q);
	used = calloc(profile_nframes(p) + 1, 1);
	if (!used)
		abort();
	for (i = 0; i < profile_nstacks(p); i++) {
		const struct stack *st = profile_stack(p, i);
		uint32_t d;

		for (d = 0; st->count && d < st->depth; d++) {
			nused += !used[st->frames[d]];
			used[st->frames[d]] = 1;
		}
	}
	for (i = 0; i < profile_nframes(p); i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);

		if (used[i])
			profile_intern_frame(q, f->name, f->module, f->kind);
	}
	free(used);
	if (profile_nframes(q) != n || n != nused)
		fuzz_fail("the frames changed by a round trip");
	second = fuzz_written(profile_write_folded, q, &len2);
	if (len1 != len2 || memcmp(first, second, len1))
		fuzz_fail("folded text changed by a round trip");
	free(first);
	free(second);
	profile_free(p);
	profile_free(q);
	return 0;
}
