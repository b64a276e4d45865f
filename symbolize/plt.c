/* SPDX-License-Identifier: MIT */
/*
 * symbolize/plt.c - names for a module's PLT entries (.plt, .plt.sec,
 * .plt.got), "memcpy@plt" as objdump -d and perf give them. No symbol
 * covers a PLT stub, so each entry's GOT load is decoded instead: the GOT
 * slot it jumps through is the r_offset of a dynamic relocation
 * (R_X86_64_JUMP_SLOT in .rela.plt, R_X86_64_GLOB_DAT in .rela.dyn for
 * .plt.got), whose symbol in .dynsym names the entry; an IRELATIVE slot
 * is named by the IFUNC its addend points to. The PLT header is ".plt".
 */
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "symbolize.h"

#ifndef R_X86_64_IRELATIVE
#define R_X86_64_IRELATIVE 37
#endif

/* One dynamic relocation of a GOT slot: its address and symbol. */
struct plt_slot {
	GElf_Addr got;	 /* r_offset (file address) */
	const char *sym; /* in .dynstr; IRELATIVE: its IFUNC's, or NULL */
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

/* An IFUNC symbol: where its resolver is, and its name. */
struct plt_ifunc {
	GElf_Addr value;
	const char *name;
	int bind; /* 3 global, 2 weak, 1 local */
};

/* The IFUNC symbols of the module's symbol tables, sorted by value and,
 * among aliases, the name a program calls it by first. */
struct plt_ifuncs {
	struct plt_ifunc *v;
	size_t n, cap;
};

/*
 * By resolver, then of aliases (memcpy, __new_memcpy) the one with the
 * fewest leading underscores, then a global before a weak before a local.
 */
static int
plt_ifunc_cmp(const void *a, const void *b)
{
	const struct plt_ifunc *x = a, *y = b;
	size_t ux = strspn(x->name, "_"), uy = strspn(y->name, "_");

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (ux != uy)
		return ux < uy ? -1 : 1;
	return y->bind - x->bind;
}

/* Append the IFUNC symbols of symbol table scn to *fs. */
static void
plt_read_ifuncs(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
		struct plt_ifuncs *fs)
{
	Elf_Data *syms = elf_getdata(scn, NULL);
	size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (i = 1; syms && i < n; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(syms, (int)i, &sym))
			break;
		if (GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (fs->n == fs->cap) {
			fs->cap = fs->cap ? fs->cap * 2 : 64;
			fs->v = xreallocarray(fs->v, fs->cap, sizeof(*fs->v));
		}
		fs->v[fs->n].value = sym.st_value;
		fs->v[fs->n].name = name;
		fs->v[fs->n].bind = GELF_ST_BIND(sym.st_info) == STB_GLOBAL ? 3
				    : GELF_ST_BIND(sym.st_info) == STB_WEAK ? 2
									    : 1;
		fs->n++;
	}
}

/* The name of the IFUNC whose resolver is at value, or NULL. */
static const char *
plt_ifunc_find(const struct plt_ifuncs *fs, GElf_Addr value)
{
	size_t lo = 0, hi = fs->n;

	while (lo < hi) { /* the first at or above value */
		size_t mid = lo + (hi - lo) / 2;

		if (fs->v[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < fs->n && fs->v[lo].value == value ? fs->v[lo].name : NULL;
}

/* Append the GOT-slot relocations of one SHT_RELA section to *slots; an
 * IRELATIVE one named by its IFUNC in fs. */
static void
plt_read_relocs(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
		const struct plt_ifuncs *fs, struct plt_slot **slots, size_t *n,
		size_t *cap)
{
	Elf_Scn *symscn = elf_getscn(elf, sh->sh_link);
	GElf_Shdr symmem,
		*symsh = symscn ? gelf_getshdr(symscn, &symmem) : NULL;
	Elf_Data *data = elf_getdata(scn, NULL), *syms;
	size_t i, nrel;

	if (!data || !sh->sh_entsize)
		return;
	/* A static program's IRELATIVE slots need no symbol table. */
	syms = symsh ? elf_getdata(symscn, NULL) : NULL;
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
		if (type == R_X86_64_IRELATIVE) {
			name = plt_ifunc_find(fs, (GElf_Addr)rela.r_addend);
		} else {
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
 * A GOT-relative load at p[i], its length and in *slot the address it
 * reads: "jmp *disp(%rip)" (ff 25 disp32) in GNU ld's, gold's and LLD's
 * entries, "mov disp(%rip),%r11" (4c 8b 1d disp32) in LLD's retpoline
 * ones (-z retpolineplt). 0 when p[i] starts neither.
 */
static size_t
plt_got_ref(const unsigned char *p, size_t len, size_t i, GElf_Addr addr,
	    GElf_Addr *slot)
{
	size_t op;
	int32_t disp;

	if (i + 6 <= len && p[i] == 0xff && p[i + 1] == 0x25)
		op = 2;
	else if (i + 7 <= len && p[i] == 0x4c && p[i + 1] == 0x8b &&
		 p[i + 2] == 0x1d)
		op = 3;
	else
		return 0;
	memcpy(&disp, p + i + op, sizeof(disp));
	*slot = addr + i + op + 4 + (GElf_Addr)(int64_t)disp;
	return op + 4;
}

/*
 * Where the entry whose GOT load is at p[i] starts: before a bnd prefix
 * (f2, GNU ld's IBT entries) and an endbr64 (f3 0f 1e fa), never below
 * floor (the end of the entry before).
 */
static size_t
plt_entry_start(const unsigned char *p, size_t i, size_t floor)
{
	static const unsigned char endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };

	if (i > floor && p[i - 1] == 0xf2)
		i--;
	if (i >= floor + sizeof(endbr64) &&
	    !memcmp(p + i - sizeof(endbr64), endbr64, sizeof(endbr64)))
		i -= sizeof(endbr64);
	return i;
}

static void
plt_add(struct plt *pl, GElf_Addr lo, GElf_Addr hi, char *name)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 64;
		pl->ents = xreallocarray(pl->ents, pl->cap, sizeof(*pl->ents));
	}
	pl->ents[pl->n].lo = lo;
	pl->ents[pl->n].hi = hi;
	pl->ents[pl->n].name = name;
	pl->n++;
}

/*
 * The name of the entry of slot s: its dynamic symbol's; for an IRELATIVE
 * slot (an IFUNC called in its own module: static programs, libc) the
 * IFUNC whose resolver the addend holds, else the symbol there in st,
 * else objdump's "*ABS*+0xADDEND@plt".
 */
static char *
plt_slot_name(const struct plt_slot *s, const struct symtab *st, GElf_Addr bias)
{
	const char *sym = s->sym;

	if (!sym)
		sym = symtab_find(st, (GElf_Addr)s->addend + bias);
	if (sym && *sym)
		return xasprintf("%s@plt", sym);
	return xasprintf("*ABS*+0x%" PRIx64 "@plt", (uint64_t)s->addend);
}

/*
 * Entries [first, pl->n) of one section end where the next starts; the
 * last one after the smallest distance between two (one alone: at the
 * section's end, hi), so that a stub after the entries (gold's TLSDESC
 * one) is no entry's.
 */
static void
plt_close_entries(struct plt *pl, size_t first, GElf_Addr hi)
{
	GElf_Addr gap = 0;
	size_t k;

	for (k = first; k + 1 < pl->n; k++) {
		pl->ents[k].hi = pl->ents[k + 1].lo;
		if (!gap || pl->ents[k].hi - pl->ents[k].lo < gap)
			gap = pl->ents[k].hi - pl->ents[k].lo;
	}
	if (pl->n > first) {
		struct plt_entry *e = &pl->ents[pl->n - 1];

		e->hi = gap && e->lo + gap < hi ? e->lo + gap : hi;
	}
}

/*
 * Name the entries of one PLT section: each GOT load of a relocated slot
 * starts an entry (found by scanning, not by a stride: entries are 8, 16
 * or 32 bytes and LLD's retpoline header is 48). In .plt, the bytes before
 * the first entry are the header (PLT0: the lazy binder's trampoline, and
 * LLD's retpoline thunk), named ".plt" as perf names it; so is the whole
 * .plt of an IBT program, whose lazy entries load no slot (their callers
 * go through .plt.sec).
 */
static void
plt_read_entries(struct plt *pl, Elf_Scn *scn, const GElf_Shdr *sh, bool is_plt,
		 GElf_Addr bias, const struct plt_slot *slots, size_t nslots,
		 const struct symtab *st)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	const unsigned char *p;
	size_t i = 0, floor = 0, first = pl->n, len;
	GElf_Addr base = sh->sh_addr + bias, head;

	if (!data || !data->d_buf || data->d_size < sh->sh_size)
		return;
	p = data->d_buf;
	while (i < sh->sh_size) {
		const struct plt_slot *s;
		GElf_Addr slot = 0;

		len = plt_got_ref(p, sh->sh_size, i, sh->sh_addr, &slot);
		s = len ? plt_slot_find(slots, nslots, slot) : NULL;
		if (!s) {
			i++;
			continue;
		}
		plt_add(pl, base + plt_entry_start(p, i, floor), 0,
			plt_slot_name(s, st, bias));
		floor = i += len;
	}
	plt_close_entries(pl, first, base + sh->sh_size);
	head = pl->n > first ? pl->ents[first].lo : base + sh->sh_size;
	if (is_plt && head > base)
		plt_add(pl, base, head, xstrdup(".plt"));
}

struct plt *
plt_new(Dwfl_Module *mod, const struct symtab *st)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	struct plt_slot *slots = NULL;
	size_t nslots = 0, cap = 0, shstrndx;
	struct plt_ifuncs fs = { 0 };
	Elf_Scn *scn = NULL;
	GElf_Ehdr ehmem, *eh;
	struct plt *pl;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0 ||
	    !(eh = gelf_getehdr(elf, &ehmem)) || eh->e_machine != EM_X86_64)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);

		if (sh &&
		    (sh->sh_type == SHT_SYMTAB || sh->sh_type == SHT_DYNSYM))
			plt_read_ifuncs(elf, scn, sh, &fs);
	}
	if (fs.n)
		qsort(fs.v, fs.n, sizeof(*fs.v), plt_ifunc_cmp);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);

		if (sh && sh->sh_type == SHT_RELA && (sh->sh_flags & SHF_ALLOC))
			plt_read_relocs(elf, scn, sh, &fs, &slots, &nslots,
					&cap);
	}
	free(fs.v);
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
		plt_read_entries(pl, scn, sh, !strcmp(name, ".plt"), bias,
				 slots, nslots, st);
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

char *
plt_demangle(const char *plt, bool demangle)
{
	size_t len = strlen(plt);
	char *sym, *d, *name;

	if (len <= strlen("@plt") || strcmp(plt + len - 4, "@plt"))
		return xstrdup(plt);
	sym = xasprintf("%.*s", (int)(len - 4), plt);
	d = demangle_name(sym, demangle);
	name = xasprintf("%s@plt", d);
	free(d);
	free(sym);
	return name;
}
