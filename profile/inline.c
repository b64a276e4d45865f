/* SPDX-License-Identifier: MIT */
/*
 * profile/inline.c - the machine-code view of a profile (--no-inline on
 * report, check, diff, svg and fold): inlined frames folded into the
 * function whose code they were compiled into.
 */
#include "../common/common.h"
#include "internal.h"
#include "profile.h"

struct profile *
profile_inline_fold(const struct profile *p)
{
	struct profile *dst = profile_new();

	profile_split_copy_meta(dst, p);
	profile_merge_add(dst, p, true);
	return dst;
}
