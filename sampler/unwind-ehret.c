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
 * __cxa_throw and the frames between, a wrong caller.
 *
 * A genuine caller calls these functions through its PLT, through a GOT
 * entry (an indirect call) or, linked statically, directly. The catching
 * frame's return address follows a call to something else: a direct call
 * whose target is neither a PLT entry nor one of these functions tells
 * the slot was overwritten, and so does the same return address appearing
 * again further up the stack (where the copy came from). Such a stack is
 * cut just above the function: its callers are unknown.
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

/*
 * The 5 bytes of code at ELF address addr of elf, from the section that
 * holds them; false when no section of the file does.
 */
static bool
ehret_code(Elf *elf, uint64_t addr, unsigned char out[5], bool *plt)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    addr < sh.sh_addr || addr - sh.sh_addr + 5 > sh.sh_size)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		*plt = name && !strncmp(name, ".plt", 4);
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf ||
		    addr - sh.sh_addr + 5 > data->d_size)
			return false;
		memcpy(out, (const char *)data->d_buf + (addr - sh.sh_addr), 5);
		return true;
	}
	return false;
}

/*
 * Could the call before return address ra (an ELF address of elf) have
 * called one of the functions above? False only when it is a direct call
 * (e8 rel32) to neither a PLT entry nor one of elf's own ranges.
 */
bool
ehret_call_fits(struct Elf *elf, uint64_t ra, const uint64_t (*ranges)[2],
		size_t n)
{
	unsigned char code[5], unused[5];
	uint64_t target;
	int32_t rel;
	bool plt;

	if (!elf || ra < 5 || !ehret_code(elf, ra - 5, code, &plt) ||
	    code[0] != 0xe8)
		return true;
	memcpy(&rel, code + 1, 4);
	target = ra + (uint64_t)(int64_t)rel;
	if (ehret_in(ranges, n, target))
		return true;
	return ehret_code(elf, target, unused, &plt) && plt;
}

/*
 * Where to cut an unwound stack ips[0..n-1] (innermost first) caught while
 * an exception lands: the number of frames to keep, or n. frame(ctx, k,
 * &f) describes frame k (false when its module is unknown).
 */
uint32_t
ehret_cut(const uint64_t *ips, uint32_t n,
	  bool (*frame)(void *ctx, uint32_t k, struct ehret_frame *f),
	  void *ctx)
{
	struct ehret_frame f, caller;
	uint32_t k, j;

	for (k = 0; k + 1 < n; k++) {
		if (!frame(ctx, k, &f) ||
		    !ehret_in(f.ranges, f.n, f.addr - (k ? 1 : 0)))
			continue;
		for (j = k + 2; j < n; j++)
			if (ips[j] == ips[k + 1])
				return k + 1;
		if (frame(ctx, k + 1, &caller) &&
		    !ehret_call_fits(caller.elf, caller.addr, caller.ranges,
				     caller.n))
			return k + 1;
	}
	return n;
}
