/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind-ehret.c - stacks caught while a C++ exception lands.
 *
 * libgcc's _Unwind_RaiseException and its kin (_Unwind_Resume,
 * _Unwind_Resume_or_Rethrow, _Unwind_ForcedUnwind) end by installing the
 * handler's registers: uw_install_context_1 copies every register the
 * handler frame saved, its return address column included, over the
 * slots where the function saved its own, then the epilogue moves the
 * stack pointer and jumps to the landing pad. A sample taken in that
 * window finds the return address of the frame that catches where the
 * function's own return address was: any CFI unwinder (perf's too) names
 * the catching function as the caller of _Unwind_RaiseException and skips
 * __cxa_throw and the frames between, a wrong caller. The copied value is
 * still in its first slot too, so the same return address appears again
 * further up the stack, which a genuine caller of these functions never
 * does (they call no code that could call them back from the same place).
 * Such a stack is cut just above the function: its callers are unknown.
 */
#include <gelf.h>
#include <string.h>

#include "internal.h"

static const char *const ehret_names[] = {
	"_Unwind_RaiseException",
	"_Unwind_Resume",
	"_Unwind_Resume_or_Rethrow",
	"_Unwind_ForcedUnwind",
};

/*
 * The ELF address ranges [lo, hi) of the functions above that elf
 * defines, from .symtab and .dynsym (a name in both counts once). Returns
 * how many were stored, at most max.
 */
size_t
ehret_ranges(Elf *elf, uint64_t (*ranges)[2], size_t max)
{
	Elf_Scn *scn = NULL;
	size_t n = 0;

	while (elf && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, j, k, nsyms;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		nsyms = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < nsyms && n < max; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF || !sym.st_size)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			for (j = 0;
			     name &&
			     j < sizeof(ehret_names) / sizeof(*ehret_names);
			     j++)
				if (!strcmp(name, ehret_names[j]))
					break;
			if (!name ||
			    j == sizeof(ehret_names) / sizeof(*ehret_names))
				continue;
			for (k = 0; k < n && ranges[k][0] != sym.st_value; k++)
				;
			if (k < n)
				continue;
			ranges[n][0] = sym.st_value;
			ranges[n][1] = sym.st_value + sym.st_size;
			n++;
		}
	}
	return n;
}

/* Is ELF address addr in one of the n ranges? */
bool
ehret_in(const uint64_t (*ranges)[2], size_t n, uint64_t addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr >= ranges[i][0] && addr < ranges[i][1])
			return true;
	return false;
}

/* Does the 8-byte value v lie in smp's stack copy at an address >= from? */
static bool
ehret_on_stack(const struct unwind_sample *smp, uint64_t from, uint64_t v)
{
	uint64_t sp = smp->regs[UNWIND_REG_SP], at, w;
	bool short_copy;

	for (at = from; at >= sp && at - sp + 8 <= smp->stack_len; at += 8)
		if (unwind_stack_read(smp, at, &w, &short_copy) && w == v)
			return true;
	return false;
}

/*
 * Where to cut an unwound stack ips[0..n-1] (innermost first) of sample
 * smp caught while an exception lands: the number of frames to keep, or
 * n. in_ehret(ctx, k, &cfa) says whether frame k is in one of the
 * functions above and sets cfa to that frame's CFA where it is known (the
 * sampled frame), else 0. The caller named is wrong when its return
 * address appears again further up: in the frames unwound or, for the
 * sampled frame, on the stack above the frame's own return address.
 */
uint32_t
ehret_cut(const struct unwind_sample *smp, const uint64_t *ips, uint32_t n,
	  bool (*in_ehret)(void *ctx, uint32_t k, uint64_t *cfa), void *ctx)
{
	uint32_t k, j;
	uint64_t cfa;

	for (k = 0; k + 1 < n; k++) {
		if (!in_ehret(ctx, k, &cfa))
			continue;
		for (j = k + 2; j < n; j++)
			if (ips[j] == ips[k + 1])
				return k + 1;
		if (cfa && ehret_on_stack(smp, cfa, ips[k + 1]))
			return k + 1;
	}
	return n;
}
