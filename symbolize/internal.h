/* SPDX-License-Identifier: MIT */
/*
 * symbolize/internal.h - declarations shared only inside symbolize/: the
 * per-module index of DWARF functions and inlined calls, and the sorted
 * symbol table.
 *
 * Ownership: a struct dwarfidx belongs to the module that made it; the
 * strings it hands out are borrowed and live until dwarfidx_free() (file
 * names live as long as the module's Dwarf, which outlives the index).
 */
#ifndef SCORCH_SYMBOLIZE_INTERNAL_H
#define SCORCH_SYMBOLIZE_INTERNAL_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dwarfidx;
struct symtab;
struct plt;

/* One function or inlined call covering an address. */
struct dwarfidx_hit {
	const char *name;   /* demangled as asked; never NULL ("" if unnamed) */
	const char *file;   /* DW_AT_decl_file as libdw gives it, "" unknown */
	uint32_t line;	    /* DW_AT_decl_line, 0 unknown */
	uint32_t call_line; /* inlined: DW_AT_call_line, 0 unknown */
	bool inlined;	    /* DW_TAG_inlined_subroutine */
};

/* dwarfidx.c */
/*
 * An index of mod's DWARF: each compile unit is read once, on the first
 * address that falls in it, into sorted disjoint address ranges that each
 * name the innermost function or inlined call there. Never fails: a module
 * without DWARF answers every lookup with 0.
 */
struct dwarfidx *dwarfidx_new(Dwfl_Module *mod, bool demangle);
void dwarfidx_free(struct dwarfidx *ix);
/*
 * The functions covering module address addr (as dwfl_module_addrinfo
 * takes it): out[0] is the function, out[1..] the calls inlined into it,
 * outermost first. When the chain is longer than max, the outermost
 * inlined calls are the ones left out. Returns how many were filled, 0 when
 * no DWARF function covers addr (or max is 0).
 */
size_t dwarfidx_lookup(struct dwarfidx *ix, Dwarf_Addr addr,
		       struct dwarfidx_hit *out, size_t max);

/* symtab.c */
/*
 * mod's symbol table (.symtab, else .dynsym), read once and sorted, so a
 * lookup is a binary search instead of libdwfl's walk over every symbol.
 * NULL when the module has no symbols.
 */
struct symtab *symtab_new(Dwfl_Module *mod);
void symtab_free(struct symtab *st);
/*
 * The symbol dwfl_module_addrinfo() would name module address addr with:
 * a sized symbol containing it (a global before a weak before a local),
 * else the nearest sizeless label in its section that no sized symbol
 * passes. NULL when none; the name lives as long as the module's Elf.
 */
const char *symtab_find(const struct symtab *st, GElf_Addr addr);

/* plt.c */
/*
 * Names for mod's x86-64 PLT entries (.plt, .plt.sec, .plt.got):
 * "SYMBOL@plt" from the dynamic relocation of the GOT slot each entry
 * jumps through, as objdump -d names them; an IRELATIVE slot's entry by
 * the symbol st finds at its resolver ("memcpy@plt" in a static program,
 * as perf names it); the header before the first entry of .plt (PLT0)
 * ".plt", as perf names it. NULL when there are none.
 */
struct plt *plt_new(Dwfl_Module *mod, const struct symtab *st);
void plt_free(struct plt *pl);
/* The name of the PLT entry holding module address addr, or NULL; it
 * lives until plt_free(). */
const char *plt_find(const struct plt *pl, GElf_Addr addr);
/* A PLT entry's name with SYMBOL of "SYMBOL@plt" demangled as asked (the
 * header's, ".plt", as it is); free it. */
char *plt_demangle(const char *plt, bool demangle);

#endif
