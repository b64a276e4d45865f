/* SPDX-License-Identifier: MIT */
/*
 * symbolize/plt.c - names for a module's PLT entries (.plt, .plt.sec,
 * .plt.got), "memcpy@plt" as objdump -d and perf give them. No symbol
 * covers a PLT stub, so each entry's indirect jump is decoded instead:
 * the GOT slot it jumps through is the r_offset of a dynamic relocation
 * (R_X86_64_JUMP_SLOT in .rela.plt, R_X86_64_GLOB_DAT in .rela.dyn for
 * .plt.got), whose symbol in .dynsym names the entry.
 */
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

#ifndef R_X86_64_IRELATIVE
#define R_X86_64_IRELATIVE 37
#endif

/* One dynamic relocation of a GOT slot: its address and symbol. */
struct plt_slot {
	GElf_Addr got;	 /* r_offset (file address) */
	const char *sym; /* in .dynstr; NULL for IRELATIVE */
	GElf_Sxword addend;
};

/* One named PLT entry, module addresses [lo, hi). */
struct plt_entry {
	GElf_Addr lo, hi;
	char *name;
};

struct plt {
	struct plt_entry *ents; /* sorted by lo, disjoint */
	size_t n, cap;
};

static int
plt_slot_cmp(const void *a, const void *b)
{
	const struct plt_slot *x = a, *y = b;

	return x->got < y->got ? -1 : x->got > y->got;
}

static int
plt_entry_cmp(const void *a, const void *b)
{
	const struct plt_entry *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Append the GOT-slot relocations of one SHT_RELA section to *slots. */
static void
plt_read_relocs(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
		struct plt_slot **slots, size_t *n, size_t *cap)
{
	Elf_Scn *symscn = elf_getscn(elf, sh->sh_link);
	GElf_Shdr symmem,
		*symsh = symscn ? gelf_getshdr(symscn, &symmem) : NULL;
	Elf_Data *data = elf_getdata(scn, NULL), *syms;
	size_t i, nrel;

	if (!data || !sh->sh_entsize || !symsh)
		return;
	syms = elf_getdata(symscn, NULL);
	nrel = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < nrel; i++) {
		GElf_Rela rela;
		GElf_Sym sym;
		unsigned type;
		const char *name = NULL;

		if (!gelf_getrela(data, (int)i, &rela))
			break;
		type = (unsigned)GELF_R_TYPE(rela.r_info);
		if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT &&
		    type != R_X86_64_IRELATIVE)
			continue;
		if (type != R_X86_64_IRELATIVE) {
			if (!syms ||
			    !gelf_getsym(syms, (int)GELF_R_SYM(rela.r_info),
					 &sym))
				continue;
			name = elf_strptr(elf, symsh->sh_link, sym.st_name);
			if (!name || !*name)
				continue;
		}
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*slots = xreallocarray(*slots, *cap, sizeof(**slots));
		}
		(*slots)[*n].got = rela.r_offset;
		(*slots)[*n].sym = name;
		(*slots)[*n].addend = rela.r_addend;
		(*n)++;
	}
}

static const struct plt_slot *
plt_slot_find(const struct plt_slot *slots, size_t n, GElf_Addr got)
{
	struct plt_slot key = { .got = got };

	return n ? bsearch(&key, slots, n, sizeof(*slots), plt_slot_cmp) : NULL;
}

/*
 * The GOT slot an entry's bytes jump through: the first "jmp *disp(%rip)"
 * (ff 25 disp32, maybe after endbr64 or a bnd prefix), relative to the
 * instruction's end. 0 when the entry has none (PLT0, a lazy IBT .plt).
 */
static GElf_Addr
plt_jump_slot(const unsigned char *p, size_t len, GElf_Addr addr)
{
	size_t i;

	for (i = 0; i + 6 <= len; i++) {
		int32_t disp;

		if (p[i] != 0xff || p[i + 1] != 0x25)
			continue;
		memcpy(&disp, p + i + 2, sizeof(disp));
		return addr + i + 6 + (GElf_Addr)(int64_t)disp;
	}
	return 0;
}

/* Name the entries of one PLT section from the sorted slots. */
static void
plt_read_entries(struct plt *pl, Elf_Scn *scn, const GElf_Shdr *sh,
		 GElf_Addr bias, GElf_Xword entsize,
		 const struct plt_slot *slots, size_t nslots)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off;

	if (!data || !data->d_buf || data->d_size < sh->sh_size)
		return;
	for (off = 0; off + entsize <= sh->sh_size; off += entsize) {
		GElf_Addr a = sh->sh_addr + off;
		const struct plt_slot *s = plt_slot_find(
			slots, nslots,
			plt_jump_slot((const unsigned char *)data->d_buf + off,
				      entsize, a));
		struct plt_entry *e;

		if (!s)
			continue;
		if (pl->n == pl->cap) {
			pl->cap = pl->cap ? pl->cap * 2 : 64;
			pl->ents = xreallocarray(pl->ents, pl->cap,
						 sizeof(*pl->ents));
		}
		e = &pl->ents[pl->n++];
		e->lo = a + bias;
		e->hi = a + bias + entsize;
		if (s->sym)
			e->name = xasprintf("%s@plt", s->sym);
		else /* as objdump names an IRELATIVE slot */
			e->name = xasprintf("*ABS*+0x%" PRIx64 "@plt",
					    (uint64_t)s->addend);
	}
}

/* The entry size of a PLT section: sh_entsize, else x86-64's usual. */
static GElf_Xword
plt_entsize(const char *name, const GElf_Shdr *sh)
{
	if (sh->sh_entsize >= 6 && sh->sh_entsize <= 64)
		return sh->sh_entsize;
	return strcmp(name, ".plt.got") ? 16 : 8;
}

struct plt *
plt_new(Dwfl_Module *mod)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	struct plt_slot *slots = NULL;
	size_t nslots = 0, cap = 0, shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Ehdr ehmem, *eh;
	struct plt *pl;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0 ||
	    !(eh = gelf_getehdr(elf, &ehmem)) || eh->e_machine != EM_X86_64)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);

		if (sh && sh->sh_type == SHT_RELA && (sh->sh_flags & SHF_ALLOC))
			plt_read_relocs(elf, scn, sh, &slots, &nslots, &cap);
	}
	if (!nslots)
		return NULL;
	qsort(slots, nslots, sizeof(*slots), plt_slot_cmp);
	pl = xcalloc(1, sizeof(*pl));
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		const char *name =
			sh ? elf_strptr(elf, shstrndx, sh->sh_name) : NULL;

		if (!name || sh->sh_type != SHT_PROGBITS ||
		    (strcmp(name, ".plt") && strcmp(name, ".plt.sec") &&
		     strcmp(name, ".plt.got")))
			continue;
		plt_read_entries(pl, scn, sh, bias, plt_entsize(name, sh),
				 slots, nslots);
	}
	free(slots);
	if (pl->n)
		qsort(pl->ents, pl->n, sizeof(*pl->ents), plt_entry_cmp);
	return pl;
}

void
plt_free(struct plt *pl)
{
	size_t i;

	if (!pl)
		return;
	for (i = 0; i < pl->n; i++)
		free(pl->ents[i].name);
	free(pl->ents);
	free(pl);
}

const char *
plt_find(const struct plt *pl, GElf_Addr addr)
{
	size_t lo = 0, hi;

	if (!pl)
		return NULL;
	hi = pl->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < pl->ents[mid].lo)
			hi = mid;
		else if (addr >= pl->ents[mid].hi)
			lo = mid + 1;
		else
			return pl->ents[mid].name;
	}
	return NULL;
}
