/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_budget.c - libFuzzer target: budget files
 * (profile/budget.c), parsed and, when they parse, checked against a
 * small profile with every frame kind, a module and period_ns.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../common/common.h"
#include "../../profile/profile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct profile *
fuzz_budget_profile(void)
{
	struct profile *p = profile_new();
	uint32_t f[5];

	f[0] = profile_intern_frame(p, "app", "", FRAME_PROCESS);
	f[1] = profile_intern_frame(p, "main", "app", FRAME_USER);
	f[2] = profile_intern_frame(p, "hash_bytes", "app", FRAME_INLINED);
	f[3] = profile_intern_frame(p, "do_syscall_64", "", FRAME_KERNEL);
	f[4] = profile_intern_frame(p, "[unknown]", "", FRAME_UNKNOWN);
	profile_add_stack(p, TASK_NONE, f, 3, 70);
	profile_add_stack(p, TASK_NONE, f, 4, 20);
	profile_add_stack(p, TASK_NONE, f, 5, 10);
	profile_add_stack(p, TASK_NONE, f, 2, 1);
	profile_meta_set_int(p, "period_ns", 10101010);
	profile_meta_set_int(p, "merged_from", 2);
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct profile *p;
	struct scorch_err err;
	struct budget *b;

	if (!p)
		p = fuzz_budget_profile();
	b = budget_parse((const char *)data, size, "fuzz.json", &err);
	if (b) {
		size_t n = budget_nlimits(b);
		struct budget_result *out = calloc(n ? n : 1, sizeof(*out));

		if (!out)
			abort();
		budget_check(b, p, "fuzz", out, &err);
		free(out);
		budget_free(b);
	}
	b = budget_load(fuzz_file(data, size), &err);
	budget_free(b);
	return 0;
}
