/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind-fp.c - stacks from the kernel's frame-pointer callchain
 * (PERF_SAMPLE_CALLCHAIN). Another unwinder (DWARF) plugs in beside it and
 * fills the same struct unwind_out.
 */
#include "internal.h"

/* Append the frames of one context of the chain; returns how many. */
static uint32_t
unwind_context(const uint64_t *chain, uint64_t nr, uint64_t want, uint64_t *ips,
	       uint32_t room)
{
	uint64_t ctx = 0, i;
	uint32_t n = 0;

	for (i = 0; i < nr; i++) {
		if (chain[i] >= (uint64_t)PERF_CONTEXT_MAX)
			ctx = chain[i];
		else if (ctx == want && n < room)
			ips[n++] = chain[i];
	}
	return n;
}

void
unwind_callchain(const uint64_t *chain, uint64_t nr, uint32_t max_stack,
		 struct unwind_out *out)
{
	/*
	 * The chain is a run of context markers (PERF_CONTEXT_KERNEL, _USER,
	 * ...) each followed by the frames of that context, innermost first.
	 * Guest and hypervisor frames are not ours to name and are dropped.
	 */
	out->nkernel = unwind_context(chain, nr, (uint64_t)PERF_CONTEXT_KERNEL,
				      out->ips, out->cap);
	out->nuser = unwind_context(chain, nr, (uint64_t)PERF_CONTEXT_USER,
				    out->ips + out->nkernel,
				    out->cap - out->nkernel);
	out->truncated = max_stack && out->nkernel + out->nuser >= max_stack;
}
