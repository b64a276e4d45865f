/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind.c - which CFI unwinder scorch uses, and why.
 *
 * Three unwinders take the same samples (the user registers and a copy of
 * the user stack taken by the kernel, against the process's maps at the
 * time of the sample), and `--unwinder` picks one:
 *  - libdw (the default): libdw's CFI (.eh_frame, .debug_frame) read once
 *    per code address into a rule, cached per module; libdwfl behind it for
 *    what a rule cannot express (unwind-libdw.c);
 *  - libdwfl: elfutils' own unwinder, dwfl_getthread_frames() over a Dwfl
 *    per process: it reads both CFI sections and falls back to frame
 *    pointers, but interprets the CFI program and allocates on every frame
 *    of every sample;
 *  - libunwind: a remote address space per process, .eh_frame through each
 *    module's .eh_frame_hdr: its remote interface cannot read .debug_frame
 *    (code with CFI only there lost its callers in the tests), and its
 *    global cache takes a signal-mask system call twice per frame (its
 *    per-thread cache is not built into Debian's library, and no cache is
 *    five times slower still).
 * Measured by bench/unwind.sh, median per sample on the mix / on a 200-deep
 * recursion: libdw 0.61 / 6.9 us, libdwfl 5.4 / 51 us, libunwind 5.9 /
 * 70 us, all reaching main in 100% of samples (libunwind: not through
 * .debug_frame). record --unwind-check compares the rules with libdwfl on
 * every sample.
 *
 * The stack copy (SAMPLER_STACK_BYTES): 8 KiB, perf's default, kept 42% of
 * a 200-deep recursion's samples whole, 16 KiB 85%, 32 KiB 100%, and their
 * costs to the target and to scorch did not differ beyond the machine's
 * noise (the sampling interrupt costs more than the copy).
 */
#include <string.h>

#include "internal.h"

bool
unwind_stack_read(const struct unwind_sample *smp, uint64_t addr, uint64_t *out,
		  bool *short_copy)
{
	uint64_t sp = smp->regs[UNWIND_REG_SP];

	if (addr >= sp && addr - sp <= smp->stack_len &&
	    smp->stack_len - (addr - sp) >= sizeof(*out)) {
		memcpy(out, smp->stack + (addr - sp), sizeof(*out));
		return true;
	}
	/*
	 * Only the stack was copied. A read a little above a full copy is a
	 * frame the copy was too small to hold (a thread's stack is at most
	 * a few MiB above its sp); anything else is a wrong turn.
	 */
	if (smp->stack_full && addr >= sp + smp->stack_len &&
	    addr - sp < (64ULL << 20))
		*short_copy = true;
	return false;
}

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
