/* SPDX-License-Identifier: MIT */
/*
 * symbolize/dwarfidx.c - which function, and which inlined calls, cover an
 * address: each compile unit's DIE tree is walked once into sorted,
 * disjoint address ranges, so every later lookup in that unit is a binary
 * search (libdw's dwarf_getscopes() walks the unit again for each address,
 * which is what makes eu-addr2line -i slow on big binaries).
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"
#include "symbolize.h"

#define DWARFIDX_NONE UINT32_MAX
/* DIE nesting followed; anything deeper is broken or hostile input. */
#define DWARFIDX_MAX_DEPTH 256

/* A function (DW_TAG_subprogram) or an inlined call that has code. */
struct dwarfidx_fn {
	Dwarf_Die die;
	uint32_t parent; /* the enclosing function or call, or DWARFIDX_NONE */
	bool inlined;
	bool resolved; /* name, file and line filled */
	char *name;    /* NULL until resolved */
	const char *file;
	uint32_t line;
	uint32_t call_line; /* an inlined call's DW_AT_call_line, 0 unknown */
};

/* Addresses [lo, hi) (DWARF addresses) and the innermost fn there. */
struct dwarfidx_seg {
	Dwarf_Addr lo, hi;
	uint32_t fn;
};

struct dwarfidx_cu {
	struct dwarfidx_seg *segs; /* sorted by lo, disjoint */
	size_t nsegs;
};

/* A range as the DWARF gives it, before a unit's ranges are made disjoint. */
struct dwarfidx_range {
	Dwarf_Addr lo, hi;
	uint32_t fn;
	uint32_t depth; /* nesting of the fn: deeper is further inside */
};

/* One .debug_aranges entry: the unit holding addresses [lo, hi). */
struct dwarfidx_arange {
	Dwarf_Addr lo, hi;
	Dwarf_Off cu_off;	/* the unit's DIE */
	struct dwarfidx_cu *cu; /* NULL until looked up */
};

struct dwarfidx {
	Dwfl_Module *mod;
	bool demangle;
	bool aranges_read;
	Dwarf *dw; /* NULL when the module has no DWARF */
	Dwarf_Addr bias;
	struct dwarfidx_arange *aranges; /* sorted by lo */
	size_t naranges;
	struct dwarfidx_fn *fns; /* every fn of every unit read so far */
	size_t nfns, fns_cap;
	struct intmap cus; /* unit DIE offset + 1 -> struct dwarfidx_cu * */
	struct dwarfidx_cu **all_cus;
	size_t ncus;
	struct dwarfidx_range *ranges; /* scratch while a unit is read */
	size_t nranges, ranges_cap;
};

struct dwarfidx *
dwarfidx_new(Dwfl_Module *mod, bool demangle)
{
	struct dwarfidx *ix = xcalloc(1, sizeof(*ix));

	ix->mod = mod;
	ix->demangle = demangle;
	intmap_init(&ix->cus);
	return ix;
}

void
dwarfidx_free(struct dwarfidx *ix)
{
	size_t i;

	if (!ix)
		return;
	for (i = 0; i < ix->nfns; i++)
		free(ix->fns[i].name);
	for (i = 0; i < ix->ncus; i++) {
		free(ix->all_cus[i]->segs);
		free(ix->all_cus[i]);
	}
	free(ix->all_cus);
	free(ix->aranges);
	free(ix->fns);
	free(ix->ranges);
	intmap_fini(&ix->cus);
	free(ix);
}

/* Record die's address ranges; returns its fn, or DWARFIDX_NONE if it
 * has no code (a declaration, an abstract instance). */
static uint32_t
dwarfidx_add_fn(struct dwarfidx *ix, Dwarf_Die *die, uint32_t parent,
		uint32_t depth, bool inlined)
{
	Dwarf_Addr base, start, end;
	uint32_t fn = DWARFIDX_NONE;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(die, off, &base, &start, &end)) > 0) {
		struct dwarfidx_range *r;

		if (start >= end)
			continue;
		if (fn == DWARFIDX_NONE) {
			if (ix->nfns == ix->fns_cap) {
				ix->fns_cap =
					ix->fns_cap ? ix->fns_cap * 2 : 1024;
				ix->fns = xreallocarray(ix->fns, ix->fns_cap,
							sizeof(*ix->fns));
			}
			fn = (uint32_t)ix->nfns++;
			memset(&ix->fns[fn], 0, sizeof(ix->fns[fn]));
			ix->fns[fn].die = *die;
			ix->fns[fn].parent = parent;
			ix->fns[fn].inlined = inlined;
		}
		if (ix->nranges == ix->ranges_cap) {
			ix->ranges_cap =
				ix->ranges_cap ? ix->ranges_cap * 2 : 1024;
			ix->ranges = xreallocarray(ix->ranges, ix->ranges_cap,
						   sizeof(*ix->ranges));
		}
		r = &ix->ranges[ix->nranges++];
		r->lo = start;
		r->hi = end;
		r->fn = fn;
		r->depth = depth;
	}
	return fn;
}

/*
 * Read the functions and inlined calls below die. Lexical blocks and
 * namespaces are looked into; types and data are not (GCC and clang place
 * member function definitions at namespace level, not inside the class).
 */
static void
dwarfidx_walk(struct dwarfidx *ix, Dwarf_Die *die, uint32_t parent,
	      uint32_t depth)
{
	Dwarf_Die child;

	if (depth > DWARFIDX_MAX_DEPTH || dwarf_child(die, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);
		uint32_t fn;

		switch (tag) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
			fn = dwarfidx_add_fn(ix, &child, parent, depth,
					     tag == DW_TAG_inlined_subroutine);
			/* Code inside code: a function without any has none. */
			if (fn != DWARFIDX_NONE)
				dwarfidx_walk(ix, &child, fn, depth + 1);
			break;
		case DW_TAG_lexical_block:
		case DW_TAG_namespace:
		case DW_TAG_module:
			dwarfidx_walk(ix, &child, parent, depth + 1);
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

static int
dwarfidx_range_cmp(const void *a, const void *b)
{
	const struct dwarfidx_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->fn < y->fn ? -1 : x->fn > y->fn;
}

static void
dwarfidx_emit(struct dwarfidx_cu *cu, size_t *cap, Dwarf_Addr lo, Dwarf_Addr hi,
	      uint32_t fn)
{
	struct dwarfidx_seg *last = cu->nsegs ? &cu->segs[cu->nsegs - 1] : NULL;

	if (lo >= hi)
		return;
	if (last && last->hi == lo && last->fn == fn) {
		last->hi = hi;
		return;
	}
	if (cu->nsegs == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		cu->segs = xreallocarray(cu->segs, *cap, sizeof(*cu->segs));
	}
	cu->segs[cu->nsegs].lo = lo;
	cu->segs[cu->nsegs].hi = hi;
	cu->segs[cu->nsegs].fn = fn;
	cu->nsegs++;
}

/*
 * Read one unit into disjoint segments. Ranges nest (an inlined call lies
 * inside its caller), so a sweep in address order with a stack of the open
 * ranges gives each stretch of addresses to the innermost range there:
 *
 *   caller   [-----------------------)
 *   inlined        [------)
 *   segments [caller)[inl.)[caller---)
 *
 * Ranges that overlap without nesting (broken DWARF) give odd names, never
 * a crash or a lost address.
 */
static struct dwarfidx_cu *
dwarfidx_read_cu(struct dwarfidx *ix, Dwarf_Die *cudie)
{
	struct dwarfidx_cu *cu = xcalloc(1, sizeof(*cu));
	struct dwarfidx_range *r;
	size_t i, sp = 0, cap = 0;
	uint32_t *stack;
	Dwarf_Addr cur = 0;

	ix->nranges = 0;
	dwarfidx_walk(ix, cudie, DWARFIDX_NONE, 0);
	r = ix->ranges;
	if (ix->nranges)
		qsort(r, ix->nranges, sizeof(*r), dwarfidx_range_cmp);
	stack = xcalloc(ix->nranges ? ix->nranges : 1, sizeof(*stack));
	for (i = 0; i < ix->nranges; i++) {
		while (sp && r[stack[sp - 1]].hi <= r[i].lo) {
			const struct dwarfidx_range *top = &r[stack[--sp]];

			if (top->hi > cur) {
				dwarfidx_emit(cu, &cap, cur, top->hi, top->fn);
				cur = top->hi;
			}
		}
		if (sp && r[i].lo > cur)
			dwarfidx_emit(cu, &cap, cur, r[i].lo,
				      r[stack[sp - 1]].fn);
		stack[sp++] = (uint32_t)i;
		cur = r[i].lo;
	}
	while (sp) {
		const struct dwarfidx_range *top = &r[stack[--sp]];

		if (top->hi > cur) {
			dwarfidx_emit(cu, &cap, cur, top->hi, top->fn);
			cur = top->hi;
		}
	}
	free(stack);
	ix->all_cus =
		xreallocarray(ix->all_cus, ix->ncus + 1, sizeof(*ix->all_cus));
	ix->all_cus[ix->ncus++] = cu;
	return cu;
}

static const struct dwarfidx_seg *
dwarfidx_find_seg(const struct dwarfidx_cu *cu, Dwarf_Addr addr)
{
	size_t lo = 0, hi = cu->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cu->segs[mid].hi <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cu->nsegs && cu->segs[lo].lo <= addr)
		return &cu->segs[lo];
	return NULL;
}

/* Fill fn's name and definition site, once. */
static void
dwarfidx_resolve(struct dwarfidx *ix, struct dwarfidx_fn *f)
{
	Dwarf_Attribute attr;
	const char *name = NULL, *file;
	int line = 0;

	if (f->resolved)
		return;
	f->resolved = true;
	if (dwarf_attr_integrate(&f->die, DW_AT_linkage_name, &attr) ||
	    dwarf_attr_integrate(&f->die, DW_AT_MIPS_linkage_name, &attr))
		name = dwarf_formstring(&attr);
	if (!name && dwarf_attr_integrate(&f->die, DW_AT_name, &attr))
		name = dwarf_formstring(&attr);
	f->name = demangle_name(name ? name : "", ix->demangle);
	/* Both follow DW_AT_abstract_origin and DW_AT_specification. */
	file = dwarf_decl_file(&f->die);
	f->file = file ? file : "";
	if (dwarf_decl_line(&f->die, &line) == 0 && line > 0)
		f->line = (uint32_t)line;
	if (f->inlined && dwarf_attr(&f->die, DW_AT_call_line, &attr)) {
		Dwarf_Word w;

		if (dwarf_formudata(&attr, &w) == 0 && w <= UINT32_MAX)
			f->call_line = (uint32_t)w;
	}
}

static void
dwarfidx_hit(struct dwarfidx *ix, uint32_t fn, struct dwarfidx_hit *out)
{
	struct dwarfidx_fn *f = &ix->fns[fn];

	dwarfidx_resolve(ix, f);
	out->name = f->name;
	out->file = f->file;
	out->line = f->line;
	out->call_line = f->call_line;
	out->inlined = f->inlined;
}

static int
dwarfidx_arange_cmp(const void *a, const void *b)
{
	const struct dwarfidx_arange *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * Read .debug_aranges once into a sorted table, so finding an address's
 * unit is one binary search. Without the section every lookup goes through
 * dwfl_module_addrdie(), which finds units without it too.
 */
static void
dwarfidx_read_aranges(struct dwarfidx *ix)
{
	Dwarf_Aranges *ar;
	size_t n, i;

	ix->aranges_read = true;
	ix->dw = dwfl_module_getdwarf(ix->mod, &ix->bias);
	if (!ix->dw || dwarf_getaranges(ix->dw, &ar, &n) != 0 || !n)
		return;
	ix->aranges = xcalloc(n, sizeof(*ix->aranges));
	for (i = 0; i < n; i++) {
		struct dwarfidx_arange *a = &ix->aranges[ix->naranges];
		Dwarf_Word len;

		if (dwarf_getarangeinfo(dwarf_onearange(ar, i), &a->lo, &len,
					&a->cu_off) != 0 ||
		    !len || a->lo + len < a->lo)
			continue;
		a->hi = a->lo + len;
		ix->naranges++;
	}
	qsort(ix->aranges, ix->naranges, sizeof(*ix->aranges),
	      dwarfidx_arange_cmp);
}

/* The unit at cu_off, read on first use. */
static struct dwarfidx_cu *
dwarfidx_cu(struct dwarfidx *ix, Dwarf_Die *cudie)
{
	Dwarf_Off off = dwarf_dieoffset(cudie);
	struct dwarfidx_cu *cu = intmap_get(&ix->cus, off + 1);

	if (!cu) {
		cu = dwarfidx_read_cu(ix, cudie);
		intmap_put(&ix->cus, off + 1, cu);
	}
	return cu;
}

/* The unit holding module address addr, and the DWARF address of addr. */
static struct dwarfidx_cu *
dwarfidx_find_cu(struct dwarfidx *ix, Dwarf_Addr addr, Dwarf_Addr *dw_addr)
{
	size_t lo = 0, hi;
	Dwarf_Die *cudie, die;
	Dwarf_Addr bias;

	if (!ix->aranges_read)
		dwarfidx_read_aranges(ix);
	if (!ix->dw)
		return NULL;
	*dw_addr = addr - ix->bias;
	hi = ix->naranges;
	while (lo < hi) { /* the first range starting above the address */
		size_t mid = lo + (hi - lo) / 2;

		if (ix->aranges[mid].lo <= *dw_addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && *dw_addr < ix->aranges[lo - 1].hi) {
		struct dwarfidx_arange *a = &ix->aranges[lo - 1];

		if (!a->cu && dwarf_offdie(ix->dw, a->cu_off, &die))
			a->cu = dwarfidx_cu(ix, &die);
		if (a->cu)
			return a->cu;
	}
	cudie = dwfl_module_addrdie(ix->mod, addr, &bias);
	if (!cudie)
		return NULL;
	*dw_addr = addr - bias;
	return dwarfidx_cu(ix, cudie);
}

size_t
dwarfidx_lookup(struct dwarfidx *ix, Dwarf_Addr addr, struct dwarfidx_hit *out,
		size_t max)
{
	uint32_t inner[SYM_MAX_CHAIN], fn, outer;
	const struct dwarfidx_seg *seg;
	struct dwarfidx_cu *cu;
	Dwarf_Addr dw_addr;
	size_t n = 0, k, j;

	if (!max)
		return 0;
	cu = dwarfidx_find_cu(ix, addr, &dw_addr);
	if (!cu)
		return 0;
	seg = dwarfidx_find_seg(cu, dw_addr);
	if (!seg)
		return 0;
	/* Parents are always read before their children: this ends. */
	outer = seg->fn;
	for (fn = seg->fn; fn != DWARFIDX_NONE; fn = ix->fns[fn].parent) {
		outer = fn;
		if (ix->fns[fn].parent != DWARFIDX_NONE &&
		    n < ARRAY_SIZE(inner))
			inner[n++] = fn;
	}
	/* inner[] holds the calls innermost first, outer the function. */
	dwarfidx_hit(ix, outer, &out[0]);
	k = n < max - 1 ? n : max - 1;
	for (j = 0; j < k; j++)
		dwarfidx_hit(ix, inner[k - 1 - j], &out[1 + j]);
	return 1 + k;
}
