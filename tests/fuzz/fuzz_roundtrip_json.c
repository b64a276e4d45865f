/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_roundtrip_json.c - libFuzzer target: JSON read -> write
 * -> read is identity (the second write is byte for byte the first), and
 * the folded writer emits only what the folded reader accepts, as a fixed
 * point: folded text read and written again is the same text. A profile
 * the folded writer refuses (a stack no folded line can hold) is fine;
 * text it writes and the reader then refuses is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/common.h"
#include "../../profile/profile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_fail(const char *what, const char *why)
{
	fprintf(stderr, "fuzz: %s%s%s\n", what, why ? ": " : "",
		why ? why : "");
	abort();
}

/* p and q hold the same frames, tasks, stacks and metadata (JSON keeps
 * ids: frame i of one is frame i of the other). */
static void
fuzz_same_profile(const struct profile *p, const struct profile *q)
{
	size_t i;

	if (profile_nframes(p) != profile_nframes(q) ||
	    profile_ntasks(p) != profile_ntasks(q) ||
	    profile_nstacks(p) != profile_nstacks(q) ||
	    profile_nmeta(p) != profile_nmeta(q) ||
	    profile_total(p) != profile_total(q))
		fuzz_fail("a JSON round trip changed the profile's size", NULL);
	for (i = 0; i < profile_nframes(p); i++) {
		const struct frame *a = profile_frame(p, (uint32_t)i);
		const struct frame *b = profile_frame(q, (uint32_t)i);

		if (strcmp(a->name, b->name) || strcmp(a->module, b->module) ||
		    a->kind != b->kind || strcmp(a->file, b->file) ||
		    a->line != b->line)
			fuzz_fail("a JSON round trip changed a frame", a->name);
	}
	for (i = 0; i < profile_ntasks(p); i++) {
		const struct task *a = profile_task(p, (uint32_t)i);
		const struct task *b = profile_task(q, (uint32_t)i);

		if (a->pid != b->pid || a->tid != b->tid ||
		    strcmp(a->comm, b->comm) || strcmp(a->thread, b->thread))
			fuzz_fail("a JSON round trip changed a task", a->comm);
	}
}

/* The folded side: write, read back, write again, compare. */
static void
fuzz_folded_fixed_point(const struct profile *p)
{
	struct scorch_err err;
	struct profile *q = profile_new();
	char *first = NULL, *second;
	size_t len1 = 0, len2;
	FILE *fp = open_memstream(&first, &len1);
	int ret;

	if (!fp)
		abort();
	ret = profile_write_folded(p, fp);
	if (fclose(fp) || (ret < 0 && len1))
		fuzz_fail("the folded writer failed halfway", NULL);
	if (ret < 0) {
		/* Refused before writing: the CLI's check says why. */
		if (profile_check(p, PROFILE_FMT_FOLDED, "fuzz", &err) == 0)
			fuzz_fail("the folded writer refused what the check "
				  "allows",
				  NULL);
		goto out;
	}
	if (len1) {
		fp = fmemopen(first, len1, "r");
		if (!fp)
			abort();
		if (profile_read_folded(q, fp, "fuzz", &err) < 0)
			fuzz_fail("the folded writer's output is refused",
				  err.msg);
		fclose(fp);
	}
	second = fuzz_written(profile_write_folded, q, &len2);
	if (len1 != len2 || memcmp(first, second, len1))
		fuzz_fail("folded text changed by a round trip", NULL);
	free(second);
out:
	free(first);
	profile_free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scorch_err err;
	struct profile *p = profile_new(), *q = profile_new();
	char *text = fuzz_strdup(data, size), *first, *second;
	size_t len1, len2;

	if (profile_read_json(p, text, size, "fuzz", &err) < 0)
		goto out;
	first = fuzz_written(profile_write_json, p, &len1);
	if (profile_read_json(q, first, len1, "fuzz", &err) < 0)
		fuzz_fail("the JSON writer's output is refused", err.msg);
	fuzz_same_profile(p, q);
	second = fuzz_written(profile_write_json, q, &len2);
	if (len1 != len2 || memcmp(first, second, len1))
		fuzz_fail("JSON text changed by a round trip", NULL);
	free(first);
	free(second);
	fuzz_folded_fixed_point(p);
out:
	free(text);
	profile_free(p);
	profile_free(q);
	return 0;
}
