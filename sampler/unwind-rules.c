/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind-rules.c - the fast path's unwind rules: for each code
 * address, libdw's CFI (.eh_frame, else .debug_frame) read once into a rule
 * (where the CFA is, where the return address and the callee-saved
 * registers were saved), cached per module and shared by every process
 * that maps it. Unwinding a frame is then a hash lookup and a few reads
 * from the stack copy (unwind-libdw.c): no CFI parsing per sample, and no
 * allocation.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

/* The CFI of one module, opened once for all processes. */
struct libdw_module {
	bool tried;
	Elf *elf;
	Dwarf *dw; /* for .debug_frame, opened on first need */
	bool dw_tried;
	Dwarf_CFI *eh_cfi; /* .eh_frame, or NULL */
	Dwarf_CFI *dbg_cfi;
	GElf_Addr entry;      /* e_entry, 0 if none */
	uint64_t ehret[4][2]; /* libgcc's handler installers (unwind-ehret.c) */
	size_t nehret;
	struct plt_section plt[4]; /* its PLT sections (unwind-plt.c) */
	size_t nplt;
};

struct unwind_rules {
	const struct module_table *mods;
	struct libdw_module *lmods; /* by module id */
	size_t nlmods;
	struct intmap rules; /* module << 44 | ELF address -> rule, or
				&rule_none when the full path is needed */
	struct unwind_rule **rule_blocks; /* rules, allocated in blocks */
	size_t nrules, nblocks;
	bool any_ehret; /* a module has libgcc's handler installers */
};

struct unwind_rules *
unwind_rules_new(const struct module_table *mt)
{
	struct unwind_rules *u = xcalloc(1, sizeof(*u));

	u->mods = mt;
	intmap_init(&u->rules);
	return u;
}

void
unwind_rules_free(struct unwind_rules *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->nlmods; i++) {
		if (u->lmods[i].dw)
			dwarf_end(u->lmods[i].dw);
		if (u->lmods[i].eh_cfi)
			dwarf_cfi_end(u->lmods[i].eh_cfi);
		if (u->lmods[i].elf)
			elf_end(u->lmods[i].elf);
	}
	free(u->lmods);
	for (i = 0; i < u->nblocks; i++)
		free(u->rule_blocks[i]);
	free(u->rule_blocks);
	intmap_fini(&u->rules);
	free(u);
}

#define RULE_BLOCK 1024
/* The rules map's value for "no rule: take the full path". */
static struct unwind_rule rule_none;
const struct unwind_rule unwind_rule_fp = { .cfa_reg = 6, .fp = true };
const int rule_dwarf_reg[RULE_NREGS] = { 3, 6, 12, 13, 14, 15, 16 };

static struct libdw_module *
unwind_rules_module(struct unwind_rules *u, uint32_t id)
{
	struct libdw_module *lm;

	if (id >= u->nlmods) {
		size_t n = module_table_len(u->mods);

		u->lmods = xreallocarray(u->lmods, n, sizeof(*u->lmods));
		memset(u->lmods + u->nlmods, 0,
		       (n - u->nlmods) * sizeof(*u->lmods));
		u->nlmods = n;
	}
	lm = &u->lmods[id];
	if (!lm->tried) {
		const struct addr_module *mod = module_table_at(u->mods, id);
		int fd;

		lm->tried = true;
		/* The fd stays open with the module table; libelf maps it. */
		fd = mod ? mod->fd : -1;
		if (fd >= 0)
			lm->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		if (lm->elf) {
			GElf_Ehdr eh;

			lm->eh_cfi = dwarf_getcfi_elf(lm->elf);
			lm->nehret = ehret_ranges(lm->elf, lm->ehret, 4);
			lm->nplt = plt_sections(lm->elf, lm->plt, 4);
			u->any_ehret |= lm->nehret > 0;
			if (gelf_getehdr(lm->elf, &eh))
				lm->entry = eh.e_entry;
		}
	}
	return lm;
}

bool
unwind_rules_any_ehret(const struct unwind_rules *u)
{
	return u->any_ehret;
}

Elf *
unwind_rules_ehret(struct unwind_rules *u, uint32_t id,
		   const uint64_t (**ranges)[2], size_t *n)
{
	struct libdw_module *lm = unwind_rules_module(u, id);

	*ranges = (const uint64_t(*)[2])lm->ehret;
	*n = lm->nehret;
	return lm->elf;
}

/* The frame state of lm's CFI at ELF address pc, or NULL. */
static Dwarf_Frame *
unwind_rules_addrframe(struct libdw_module *lm, uint64_t pc)
{
	Dwarf_Frame *fr = NULL;

	if (lm->eh_cfi && dwarf_cfi_addrframe(lm->eh_cfi, pc, &fr) == 0)
		return fr;
	if (!lm->dw_tried && lm->elf) {
		lm->dw_tried = true;
		lm->dw = dwarf_begin_elf(lm->elf, DWARF_C_READ, NULL);
		if (lm->dw)
			lm->dbg_cfi = dwarf_getcfi(lm->dw);
	}
	if (lm->dbg_cfi && dwarf_cfi_addrframe(lm->dbg_cfi, pc, &fr) == 0)
		return fr;
	return NULL;
}

/*
 * Turn libdw's answer for one address into a rule. False for what a rule
 * cannot hold: a CFA or a register given by a DWARF expression, a CFA
 * based on a register that does not survive calls, a register saved in
 * another register.
 */
static bool
unwind_rules_make(Dwarf_Frame *fr, struct unwind_rule *r)
{
	Dwarf_Op *ops, mem[3];
	size_t nops, i;

	memset(r, 0, sizeof(*r));
	if (dwarf_frame_cfa(fr, &ops, &nops) != 0 || nops != 1)
		return false;
	if (ops[0].atom == DW_OP_bregx) {
		r->cfa_reg = (uint8_t)ops[0].number;
		r->cfa_off = (int32_t)ops[0].number2;
		if (ops[0].number > 16)
			return false;
	} else if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg16) {
		r->cfa_reg = (uint8_t)(ops[0].atom - DW_OP_breg0);
		r->cfa_off = (int32_t)ops[0].number;
	} else {
		return false;
	}
	/* rsp, or a callee-saved register (rbx, rbp, r12-r15). */
	if (r->cfa_reg != 7 && r->cfa_reg != 3 && r->cfa_reg != 6 &&
	    (r->cfa_reg < 12 || r->cfa_reg > 15))
		return false;
	for (i = 0; i < RULE_NREGS; i++) {
		if (dwarf_frame_register(fr, rule_dwarf_reg[i], mem, &ops,
					 &nops) != 0)
			return false;
		if (!ops) {
			r->kind[i] = RULE_SAME;
		} else if (nops == 0) {
			/*
			 * Undefined. The psABI says a callee-saved register
			 * survives unless the CFI says where it was saved;
			 * for rip it marks the outermost frame.
			 */
			r->kind[i] = rule_dwarf_reg[i] == 16 ? RULE_UNDEF
							     : RULE_SAME;
		} else if (ops[0].atom == DW_OP_call_frame_cfa &&
			   (nops == 1 ||
			    (nops == 2 && ops[1].atom == DW_OP_plus_uconst))) {
			r->kind[i] = RULE_OFFSET;
			r->off[i] = nops == 2 ? (int32_t)ops[1].number : 0;
		} else {
			return false;
		}
	}
	return true;
}

/*
 * A PLT stub without CFI (unwind-plt.c): the CFA is rsp plus what the stub
 * pushed, the return address just below it, every other register as the
 * caller left it. False when pc is in none of lm's PLT sections.
 */
static bool
unwind_rules_plt(const struct libdw_module *lm, uint64_t pc,
		 struct unwind_rule *r)
{
	size_t i;
	int off = -1;

	for (i = 0; i < lm->nplt && off < 0; i++)
		off = plt_cfa_offset(&lm->plt[i], pc);
	if (off < 0)
		return false;
	memset(r, 0, sizeof(*r));
	r->cfa_reg = 7;
	r->cfa_off = off;
	for (i = 0; i < RULE_NREGS; i++)
		r->kind[i] = RULE_SAME;
	r->kind[RULE_NREGS - 1] = RULE_OFFSET; /* rip */
	r->off[RULE_NREGS - 1] = -8;
	return true;
}

const struct unwind_rule *
unwind_rules_get(struct unwind_rules *u, uint32_t id, uint64_t pc)
{
	unsigned long long key = ((unsigned long long)id << 44) | pc;
	struct unwind_rule *r = intmap_get(&u->rules, key), tmp;
	struct libdw_module *lm;
	Dwarf_Frame *fr;
	bool ok;

	if (r)
		return r == &rule_none ? NULL : r;
	lm = unwind_rules_module(u, id);
	fr = unwind_rules_addrframe(lm, pc);
	if (fr) {
		Dwarf_Addr start, end;

		ok = unwind_rules_make(fr, &tmp);
		/*
		 * The dynamic linker's _start has no end-of-stack marker in
		 * its CFI (the C library's has): the function holding the
		 * module's entry point is the root of the stack.
		 */
		if (ok && lm->entry &&
		    dwarf_frame_info(fr, &start, &end, NULL) >= 0 &&
		    lm->entry >= start && lm->entry < end)
			tmp.entry = true;
		free(fr);
	} else {
		/*
		 * No CFI for this code: a PLT stub's own rule, else frame
		 * pointers, if any. Code just past the module's entry point
		 * (the dynamic linker's _start, which has no CFI) is the
		 * root of the stack.
		 */
		if (!unwind_rules_plt(lm, pc, &tmp)) {
			tmp = unwind_rule_fp;
			tmp.entry = lm->entry && pc >= lm->entry &&
				    pc - lm->entry < 64;
		}
		ok = true;
	}
	if (!ok) {
		intmap_put(&u->rules, key, &rule_none);
		return NULL;
	}
	if (u->nrules % RULE_BLOCK == 0) {
		u->rule_blocks = xreallocarray(u->rule_blocks, u->nblocks + 1,
					       sizeof(*u->rule_blocks));
		u->rule_blocks[u->nblocks++] =
			xmalloc(RULE_BLOCK * sizeof(**u->rule_blocks));
	}
	r = &u->rule_blocks[u->nrules / RULE_BLOCK][u->nrules % RULE_BLOCK];
	u->nrules++;
	*r = tmp;
	intmap_put(&u->rules, key, r);
	return r;
}
