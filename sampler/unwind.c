/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind.c - which CFI unwinder scorch uses, and why.
 *
 * Both backends unwind the same samples: the user registers and a copy of
 * the user stack taken by the kernel, against the process's maps at the
 * time of the sample.
 *  - libdw (elfutils): a Dwfl per process, dwfl_getthread_frames(). Reads
 *    .eh_frame and .debug_frame, and falls back to frame pointers where a
 *    module has no CFI.
 *  - libunwind: a remote address space per process over the stack copy,
 *    .eh_frame through each module's .eh_frame_hdr search table.
 */
#include "internal.h"

const struct unwinder_ops *
unwind_backend(enum sampler_unwinder which)
{
	switch (which) {
	case UNWINDER_LIBUNWIND:
		return &unwind_libunwind_ops;
	case UNWINDER_LIBDWFL:
		return &unwind_libdwfl_ops;
	case UNWINDER_LIBDW:
	case UNWINDER_DEFAULT:
	default:
		return &unwind_libdw_ops;
	}
}
