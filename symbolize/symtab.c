/* SPDX-License-Identifier: MIT */
/*
 * symbolize/symtab.c - a module's ELF symbol table, sorted once, answering
 * "which symbol names this address" by binary search with the same choice
 * libdwfl's dwfl_module_addrinfo() makes by walking every symbol each time
 * (a cost that grows with the table: ~9000 symbols in libc).
 */
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

/* Sized symbols examined for one address; more only in hostile input. */
#define SYMTAB_MAX_CANDIDATES 64

struct symtab_sym {
	GElf_Addr value; /* module address (as libdwfl resolves st_value) */
	GElf_Xword size;
	const char *name;
	uint32_t idx; /* index in libdwfl's numbering: its tie-break order */
	GElf_Word shndx;
	int bind; /* 3 global, 2 weak, 1 local, 0 other: higher is better */
};

/* The global symbols, or the local ones: libdwfl looks at locals only when
 * no global fits. */
struct symtab_group {
	struct symtab_sym *syms; /* sorted by value, then idx */
	GElf_Addr *max_end;	 /* max of value + size over syms[0..i] */
	size_t n, cap;
	GElf_Xword max_size;
};

/* An allocated section of the module's main file (module addresses). */
struct symtab_scn {
	GElf_Addr lo, hi;
	GElf_Word ndx;
};

struct symtab {
	struct symtab_group groups[2]; /* [0] globals, [1] locals */
	struct symtab_scn *scns;
	size_t nscns;
};

static int
symtab_bind(const GElf_Sym *sym)
{
	switch (GELF_ST_BIND(sym->st_info)) {
	case STB_GLOBAL:
		return 3;
	case STB_WEAK:
		return 2;
	case STB_LOCAL:
		return 1;
	default:
		return 0;
	}
}

static int
symtab_sym_cmp(const void *a, const void *b)
{
	const struct symtab_sym *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
symtab_scn_cmp(const void *a, const void *b)
{
	const struct symtab_scn *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The allocated sections of the module's main file, sorted by address. */
static void
symtab_read_scns(struct symtab *st, Dwfl_Module *mod)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	Elf_Scn *scn = NULL;
	size_t cap = 0;

	while (elf && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);

		if (!sh || !(sh->sh_flags & SHF_ALLOC))
			continue;
		if (st->nscns == cap) {
			cap = cap ? cap * 2 : 32;
			st->scns =
				xreallocarray(st->scns, cap, sizeof(*st->scns));
		}
		st->scns[st->nscns].lo = sh->sh_addr + bias;
		st->scns[st->nscns].hi = sh->sh_addr + bias + sh->sh_size;
		st->scns[st->nscns].ndx = (GElf_Word)elf_ndxscn(scn);
		st->nscns++;
	}
	if (st->nscns)
		qsort(st->scns, st->nscns, sizeof(*st->scns), symtab_scn_cmp);
}

struct symtab *
symtab_new(Dwfl_Module *mod)
{
	int n = dwfl_module_getsymtab(mod), first_global, i;
	struct symtab *st;
	size_t g, j;

	if (n <= 1)
		return NULL;
	first_global = dwfl_module_getsymtab_first_global(mod);
	if (first_global < 0)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	symtab_read_scns(st, mod);
	for (i = 1; i < n; i++) {
		struct symtab_group *grp;
		struct symtab_sym *s;
		GElf_Addr value;
		GElf_Word shndx;
		Dwarf_Addr bias;
		const char *name;
		GElf_Sym sym;
		Elf *elf;
		int type;

		name = dwfl_module_getsym_info(mod, i, &sym, &value, &shndx,
					       &elf, &bias);
		type = GELF_ST_TYPE(sym.st_info);
		if (!name || !*name || sym.st_shndx == SHN_UNDEF ||
		    type == STT_SECTION || type == STT_FILE || type == STT_TLS)
			continue;
		grp = &st->groups[first_global == 0 || i >= first_global ? 0
									 : 1];
		if (grp->n == grp->cap) {
			grp->cap = grp->cap ? grp->cap * 2 : 256;
			grp->syms = xreallocarray(grp->syms, grp->cap,
						  sizeof(*grp->syms));
		}
		s = &grp->syms[grp->n++];
		s->value = value;
		s->size = sym.st_size;
		s->name = name;
		s->idx = (uint32_t)i;
		s->shndx = shndx;
		s->bind = symtab_bind(&sym);
		if (s->size > grp->max_size)
			grp->max_size = s->size;
	}
	for (g = 0; g < 2; g++) {
		struct symtab_group *grp = &st->groups[g];
		GElf_Addr end = 0;

		if (!grp->n)
			continue;
		qsort(grp->syms, grp->n, sizeof(*grp->syms), symtab_sym_cmp);
		grp->max_end = xreallocarray(NULL, grp->n, sizeof(GElf_Addr));
		for (j = 0; j < grp->n; j++) {
			GElf_Addr e = grp->syms[j].value + grp->syms[j].size;

			if (e > end)
				end = e;
			grp->max_end[j] = end;
		}
	}
	return st;
}

void
symtab_free(struct symtab *st)
{
	size_t g;

	if (!st)
		return;
	for (g = 0; g < 2; g++) {
		free(st->groups[g].syms);
		free(st->groups[g].max_end);
	}
	free(st->scns);
	free(st);
}

/*
 * The allocated section of the main file holding addr, as libdwfl finds
 * it: a section's end address counts as inside it unless the next section
 * starts there. SHN_UNDEF when none does.
 */
static GElf_Word
symtab_section_of(const struct symtab *st, GElf_Addr addr)
{
	size_t lo = 0, hi = st->nscns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < st->scns[mid].lo) {
			hi = mid;
		} else if (addr > st->scns[mid].hi) {
			lo = mid + 1;
		} else {
			if (addr == st->scns[mid].hi && mid + 1 < st->nscns &&
			    addr == st->scns[mid + 1].lo)
				mid++;
			return st->scns[mid].ndx;
		}
	}
	return SHN_UNDEF;
}

/* May a sizeless label name addr? Only within its own section. */
static bool
symtab_same_section(const struct symtab *st, const struct symtab_sym *s,
		    GElf_Addr addr)
{
	if (s->shndx >= SHN_LORESERVE) /* absolute: only an exact match */
		return s->value == addr;
	return symtab_section_of(st, addr) == symtab_section_of(st, s->value);
}

static int
symtab_idx_cmp(const void *a, const void *b)
{
	const struct symtab_sym *const *x = a, *const *y = b;

	return (*x)->idx < (*y)->idx ? -1 : (*x)->idx > (*y)->idx;
}

/* Is c a better sized symbol than the current pick, in libdwfl's terms:
 * starting closer to addr, else binding, else the smaller? */
static bool
symtab_better(const struct symtab_sym *cur, const struct symtab_sym *c)
{
	if (!cur || cur->value < c->value || cur->bind < c->bind)
		return true;
	return cur->value == c->value &&
	       ((cur->size > c->size && cur->bind <= c->bind) ||
		(cur->size >= c->size && cur->bind < c->bind));
}

/*
 * Look through one group, as libdwfl does in table order: every sized
 * symbol containing addr competes for *closest; a sizeless label is a
 * fallback only where no symbol below addr reaches past it (*min_label).
 */
static void
symtab_search(const struct symtab *st, const struct symtab_group *grp,
	      GElf_Addr addr, const struct symtab_sym **closest,
	      const struct symtab_sym **sizeless, GElf_Addr *min_label)
{
	const struct symtab_sym *cand[SYMTAB_MAX_CANDIDATES];
	size_t lo = 0, hi = grp->n, last, i, n = 0;

	while (lo < hi) { /* the first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;

		if (grp->syms[mid].value <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return;
	last = lo - 1;
	if (grp->max_end[last] > *min_label)
		*min_label = grp->max_end[last];
	for (i = last + 1; i-- > 0 && n < ARRAY_SIZE(cand);) {
		const struct symtab_sym *s = &grp->syms[i];

		if (addr - s->value >= grp->max_size)
			break; /* no symbol this far below reaches addr */
		if (s->size && addr - s->value < s->size)
			cand[n++] = s;
	}
	qsort(cand, n, sizeof(cand[0]), symtab_idx_cmp);
	for (i = 0; i < n; i++)
		if (symtab_better(*closest, cand[i]))
			*closest = cand[i];
	if (*closest)
		return;
	/*
	 * Labels at the highest address: the last in table order wins, and
	 * this group is looked at after the ones before it.
	 */
	for (i = last + 1; i-- > 0;) {
		const struct symtab_sym *s = &grp->syms[i];

		if (s->value != grp->syms[last].value)
			break;
		if (!s->size && s->value >= *min_label &&
		    symtab_same_section(st, s, addr)) {
			*sizeless = s;
			break;
		}
	}
}

const char *
symtab_find(const struct symtab *st, GElf_Addr addr)
{
	const struct symtab_sym *closest = NULL, *sizeless = NULL;
	GElf_Addr min_label = 0;

	if (!st)
		return NULL;
	symtab_search(st, &st->groups[0], addr, &closest, &sizeless,
		      &min_label);
	if (!closest && (!sizeless || sizeless->value != addr))
		symtab_search(st, &st->groups[1], addr, &closest, &sizeless,
			      &min_label);
	if (closest)
		return closest->name;
	if (sizeless && sizeless->value >= min_label)
		return sizeless->name;
	return NULL;
}
