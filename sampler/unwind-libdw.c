/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind-libdw.c - CFI unwinding with elfutils, in two tiers.
 *
 * The fast path: for each code address, libdw's CFI (.eh_frame, else
 * .debug_frame) is read once into an unwind rule (where the CFA is, where
 * the return address and the callee-saved registers were saved), cached per
 * module and shared by every process that maps it. Unwinding a frame is
 * then a hash lookup and a few reads from the stack copy: no CFI parsing
 * per sample, and no allocation. This covers all ordinary code; where a
 * module has no CFI at all (JIT code, hand-written assembly), the frame
 * pointer is followed, as libdwfl's own unwinder does.
 *
 * The full path, for what rules cannot express (CFA expressions in PLT
 * entries and signal trampolines, registers saved in other registers):
 * libdwfl's unwinder, over a Dwfl per process whose modules are the files
 * it maps at their load addresses, and whose one "thread" is the sample:
 * its registers come from the sample and its memory is the stack copy. A
 * process's Dwfl is made only when first needed, kept while its maps stay
 * the same (new mappings, a dlopen, are added to it), rebuilt when they
 * change otherwise, and dropped when the process exits or execs.
 */
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"

/* x86-64 DWARF register numbers of perf's user registers, in DWARF order. */
static const int libdw_dwarf_to_perf[17] = {
	0,			       /* rax */
	3,			       /* rdx */
	2,			       /* rcx */
	1,			       /* rbx */
	4,			       /* rsi */
	5,			       /* rdi */
	6,			       /* rbp */
	7,			       /* rsp */
	16,			       /* r8 .. r15 */
	17, 18, 19, 20, 21, 22, 23, 8, /* rip: the return address column */
};

/* The Dwfl of one process, and the maps it was built from. */
struct libdw_proc {
	Dwfl *dwfl;
	uint64_t gen;	       /* map generation reported */
	struct addr_map *seen; /* the maps reported, to tell an add */
	size_t nseen;
	struct intmap reported; /* module id + 1 -> (void *)1 */
	bool attached;
};

/*
 * How to find the caller's registers from a frame's, at one code address.
 * Only the registers that survive a call are tracked: rsp (the CFA), rip
 * (the return address) and the callee-saved rbx, rbp, r12-r15.
 */
enum rule_kind {
	RULE_SAME,   /* unchanged (also: unspecified callee-saved register) */
	RULE_OFFSET, /* saved at CFA + off */
	RULE_UNDEF,  /* unknown; for rip: this is the outermost frame */
};

#define RULE_NREGS 7 /* rbx rbp r12 r13 r14 r15 rip */
static const int rule_dwarf_reg[RULE_NREGS] = { 3, 6, 12, 13, 14, 15, 16 };

struct unwind_rule {
	uint8_t cfa_reg; /* DWARF register number; the CFA = it + cfa_off */
	bool fp;	 /* no CFI here: follow the frame pointer */
	bool entry;	 /* the module's entry point: the outermost frame */
	int32_t cfa_off;
	uint8_t kind[RULE_NREGS];
	int32_t off[RULE_NREGS];
};

/* The CFI of one module, opened once for all processes. */
struct libdw_module {
	bool tried;
	Elf *elf;
	Dwarf *dw; /* for .debug_frame, opened on first need */
	bool dw_tried;
	Dwarf_CFI *eh_cfi; /* .eh_frame, or NULL */
	Dwarf_CFI *dbg_cfi;
	GElf_Addr entry; /* e_entry, 0 if none */
};

struct unwinder {
	const struct map_set *maps;
	const struct module_table *mods;
	struct intmap procs;	    /* pid + 1 -> struct libdw_proc * */
	struct libdw_module *lmods; /* by module id */
	size_t nlmods;
	struct intmap rules; /* module << 44 | ELF address -> rule, or a
				  RULE_NONE marker when the full path is needed */
	struct unwind_rule **rule_blocks; /* rules, allocated in blocks */
	struct intmap roots; /* module << 44 | ELF address -> ROOT_YES/_NO */
	size_t nrules, nblocks;
	bool full_only;	     /* never the fast path ("libdwfl") */
	bool check;	     /* compare every fast unwind with the full path */
	uint64_t mismatches; /* ... and count the differences */
	uint64_t checked;    /* samples compared */

	/* The sample being unwound, for the callbacks. */
	const struct unwind_sample *smp;
	uint64_t *ips;
	uint32_t n, max;
	bool copy_short; /* a read just past the stack copy failed */
	bool at_root;	 /* the full path reached a root by CFI */
};

static const Dwfl_Callbacks libdw_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

static struct unwinder *
libdw_new(const struct map_set *ms, const struct module_table *mt)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));

	u->maps = ms;
	u->mods = mt;
	intmap_init(&u->procs);
	intmap_init(&u->rules);
	intmap_init(&u->roots);
	return u;
}

static void
libdw_proc_reset(struct libdw_proc *p)
{
	if (p->dwfl)
		dwfl_end(p->dwfl);
	p->dwfl = NULL;
	p->attached = false;
	p->gen = 0;
	p->nseen = 0;
	intmap_fini(&p->reported);
	intmap_init(&p->reported);
}

static void
libdw_proc_free(struct libdw_proc *p)
{
	libdw_proc_reset(p);
	intmap_fini(&p->reported);
	free(p->seen);
	free(p);
}

static void
libdw_free(struct unwinder *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->procs.nslots; i++)
		if (u->procs.slots[i].value)
			libdw_proc_free(u->procs.slots[i].value);
	intmap_fini(&u->procs);
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
	intmap_fini(&u->roots);
	free(u);
}

static void
libdw_forget(struct unwinder *u, pid_t pid)
{
	struct libdw_proc *p = intmap_get(&u->procs, (unsigned)pid + 1ULL);

	/* intmap has no delete: keep the slot, drop what it holds. */
	if (p)
		libdw_proc_reset(p);
}

/* ---- thread callbacks: the sample as the process's only thread ---------- */

static pid_t
libdw_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)arg;
	(void)thread_argp;
	return 0; /* threads are only reached through get_thread */
}

static bool
libdw_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct unwinder *u = arg;

	(void)dwfl;
	*thread_argp = u;
	return u->smp && u->smp->tid == tid;
}

static bool
libdw_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unwinder *u = arg;
	uint64_t v;

	(void)dwfl;
	if (!unwind_stack_read(u->smp, addr, &v, &u->copy_short))
		return false;
	*result = v;
	return true;
}

static bool
libdw_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct unwinder *u = arg;
	const struct unwind_sample *smp = u->smp;
	Dwarf_Word regs[17];
	int i;

	if ((smp->regs_mask & UNWIND_REGS_ALL) == UNWIND_REGS_ALL) {
		for (i = 0; i < 17; i++)
			regs[i] = smp->regs[libdw_dwarf_to_perf[i]];
		if (!dwfl_thread_state_registers(thread, 0, 17, regs))
			return false;
	} else {
		/* A leaf-only unwind: rbp and rsp (DWARF 6 and 7). */
		regs[0] = smp->regs[6];
		regs[1] = smp->regs[UNWIND_REG_SP];
		if (!dwfl_thread_state_registers(thread, 6, 2, regs))
			return false;
	}
	dwfl_thread_state_register_pc(thread, smp->regs[UNWIND_REG_IP]);
	return true;
}

static const Dwfl_Thread_Callbacks libdw_thread_callbacks = {
	.next_thread = libdw_next_thread,
	.get_thread = libdw_get_thread,
	.memory_read = libdw_memory_read,
	.set_initial_registers = libdw_set_initial_registers,
};

/* ---- the process's modules --------------------------------------------- */

/*
 * Report the modules of maps[] not reported yet. A module is reported once
 * per Dwfl even if mapped twice (a text segment split by mprotect): libdwfl
 * takes a second report of a module with another fd as an overlap and
 * drops the module.
 */
static void
libdw_report(struct unwinder *u, struct libdw_proc *p,
	     const struct addr_map *maps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct addr_map *m = &maps[i];
		const struct addr_module *mod;
		const char *base;
		uint64_t bias;
		int fd;

		if (m->module == MODULE_NONE ||
		    intmap_get(&p->reported, m->module + 1ULL))
			continue;
		mod = module_table_at(u->mods, m->module);
		if (!mod || mod->fd < 0 ||
		    !module_table_bias(u->mods, m, &bias))
			continue;
		fd = dup(mod->fd);
		if (fd < 0)
			continue;
		intmap_put(&p->reported, m->module + 1ULL, (void *)1);
		base = strrchr(mod->path, '/');
		base = base ? base + 1 : mod->path;
		/* libdwfl owns fd from here, and closes it on failure. */
		dwfl_report_elf(p->dwfl, base, mod->path, fd, bias, true);
	}
	free(p->seen);
	p->seen = xcalloc(n ? n : 1, sizeof(*p->seen));
	if (n)
		memcpy(p->seen, maps, n * sizeof(*maps));
	p->nseen = n;
}

/* True if every map reported before is still there, unchanged. */
static bool
libdw_only_added(const struct libdw_proc *p, const struct addr_map *maps,
		 size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n && j < p->nseen; i++)
		if (maps[i].start == p->seen[j].start &&
		    maps[i].end == p->seen[j].end &&
		    maps[i].module == p->seen[j].module)
			j++;
	return j == p->nseen;
}

/* The process's Dwfl, brought up to date with its maps; NULL if none. */
static struct libdw_proc *
libdw_proc(struct unwinder *u, pid_t pid)
{
	struct libdw_proc *p = intmap_get(&u->procs, (unsigned)pid + 1ULL);
	const struct addr_map *maps;
	size_t n;
	uint64_t gen;

	if (!p) {
		p = xcalloc(1, sizeof(*p));
		intmap_init(&p->reported);
		intmap_put(&u->procs, (unsigned)pid + 1ULL, p);
	}
	maps = map_set_maps(u->maps, pid, &n, &gen);
	if (p->dwfl && gen == p->gen)
		return p->attached ? p : NULL;
	/*
	 * Maps only added (a dlopen) leave the old modules in place: report
	 * the new ones on top. Any other change starts over, and so does one
	 * after an attach that failed (at exec, with few maps yet), or that
	 * failure would last for the process's life.
	 */
	if (p->dwfl && p->attached && libdw_only_added(p, maps, n)) {
		dwfl_report_begin_add(p->dwfl);
		libdw_report(u, p, maps, n);
		dwfl_report_end(p->dwfl, NULL, NULL);
		p->gen = gen;
		return p->attached ? p : NULL;
	}
	libdw_proc_reset(p);
	p->dwfl = dwfl_begin(&libdw_callbacks);
	p->gen = gen;
	if (!p->dwfl)
		return NULL;
	dwfl_report_begin(p->dwfl);
	libdw_report(u, p, maps, n);
	dwfl_report_end(p->dwfl, NULL, NULL);
	p->attached = dwfl_attach_state(p->dwfl, NULL, pid,
					&libdw_thread_callbacks, u);
	return p->attached ? p : NULL;
}

/* ---- the fast path: cached rules ---------------------------------------- */

#define RULE_BLOCK 1024
/* The rules map's value for "no rule: take the full path". */
static struct unwind_rule rule_none;
/* The rule for code without CFI: rbp holds the frame. */
static const struct unwind_rule rule_fp = { .cfa_reg = 6, .fp = true };

static struct libdw_module *
libdw_module(struct unwinder *u, uint32_t id)
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
			if (gelf_getehdr(lm->elf, &eh))
				lm->entry = eh.e_entry;
		}
	}
	return lm;
}

/* The frame state of lm's CFI at ELF address pc, or NULL. */
static Dwarf_Frame *
libdw_addrframe(struct libdw_module *lm, uint64_t pc)
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
libdw_make_rule(Dwarf_Frame *fr, struct unwind_rule *r)
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

/* The rule at ELF address pc of module id (cached), or &rule_none. */
static const struct unwind_rule *
libdw_rule(struct unwinder *u, uint32_t id, uint64_t pc)
{
	unsigned long long key = ((unsigned long long)id << 44) | pc;
	struct unwind_rule *r = intmap_get(&u->rules, key), tmp;
	struct libdw_module *lm;
	Dwarf_Frame *fr;
	bool ok;

	if (r)
		return r;
	lm = libdw_module(u, id);
	fr = libdw_addrframe(lm, pc);
	if (fr) {
		Dwarf_Addr start, end;

		ok = libdw_make_rule(fr, &tmp);
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
		 * No CFI for this code: frame pointers, if any. Code just
		 * past the module's entry point (the dynamic linker's
		 * _start, which has no CFI) is the root of the stack.
		 */
		tmp = rule_fp;
		tmp.entry = lm->entry && pc >= lm->entry && pc - lm->entry < 64;
		ok = true;
	}
	if (!ok) {
		intmap_put(&u->rules, key, &rule_none);
		return &rule_none;
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

/* ---- the roots of a stack ----------------------------------------------- */

/*
 * Is the rule's code the outermost frame by its CFI: the function holding
 * its module's entry point (the program's _start, the dynamic linker's),
 * or code whose CFI leaves the return address undefined (the C library's
 * _start, the child side of clone and clone3)?
 */
static bool
libdw_rule_root(const struct unwind_rule *r)
{
	return r != &rule_none &&
	       (r->entry || r->kind[RULE_NREGS - 1] == RULE_UNDEF);
}

/*
 * The C library's functions that run a program's main or a thread's start
 * routine. A frame-pointer chain ends there, not at _start or clone3: the
 * C library keeps no frame pointers, and _start and clone clear rbp, so the
 * walk from a whole frame-pointer chain stops one or two frames short of
 * the CFI root. glibc's names, then musl's.
 */
static const char *const libdw_root_names[] = {
	"__libc_start_call_main",
	"__libc_start_main_impl",
	"__libc_start_main",
	"start_thread",
	"__clone",
	"clone",
	"__clone3",
	"clone3",
	"__clone_internal",
	"libc_start_main_stage2",
	"start_c11",
	NULL,
};

/* The name of the function at address addr of pid's Dwfl, or NULL. */
static const char *
libdw_func_name(struct unwinder *u, pid_t pid, uint64_t addr)
{
	struct libdw_proc *p = libdw_proc(u, pid);
	Dwfl_Module *mod;

	if (!p)
		return NULL;
	mod = dwfl_addrmodule(p->dwfl, addr);
	return mod ? dwfl_module_addrname(mod, addr) : NULL;
}

/* The rule at address addr of pid's maps, or NULL outside any file. */
static const struct unwind_rule *
libdw_rule_at(struct unwinder *u, pid_t pid, uint64_t addr)
{
	const struct addr_map *m = map_set_find(u->maps, pid, addr);
	uint64_t bias;

	if (!m || m->module == MODULE_NONE ||
	    !module_table_bias(u->mods, m, &bias))
		return NULL;
	return libdw_rule(u, m->module, addr - bias);
}

#define ROOT_YES ((void *)1)
#define ROOT_NO ((void *)2)

/*
 * Does a stack whose outermost frame is pc (a return address unless it is
 * the only frame) end at its root? Yes when the frame's code is a root by
 * its CFI (libdw_rule_root) or is one of libdw_root_names. The one test of
 * a whole stack, for both call graphs: CFI unwinding (an unwind that stops
 * elsewhere is broken) and the kernel's frame-pointer chains. Cached per
 * code address; the names need the C library's symbols (libc6-dbg).
 */
static bool
libdw_root(struct unwinder *u, pid_t pid, uint64_t pc, bool ret)
{
	uint64_t addr = ret ? pc - 1 : pc, bias;
	const struct addr_map *m = map_set_find(u->maps, pid, addr);
	unsigned long long key;
	const char *name;
	void *v;
	size_t i;

	if (!m || m->module == MODULE_NONE ||
	    !module_table_bias(u->mods, m, &bias))
		return false;
	key = ((unsigned long long)m->module << 44) | (addr - bias);
	v = intmap_get(&u->roots, key);
	if (v)
		return v == ROOT_YES;
	v = ROOT_NO;
	if (libdw_rule_root(libdw_rule(u, m->module, addr - bias)))
		v = ROOT_YES;
	name = v == ROOT_NO ? libdw_func_name(u, pid, addr) : NULL;
	for (i = 0; name && libdw_root_names[i]; i++)
		if (!strcmp(name, libdw_root_names[i]))
			v = ROOT_YES;
	intmap_put(&u->roots, key, v);
	return v == ROOT_YES;
}

/*
 * Code without CFI is unwound by its frame pointer, a guess: in code built
 * without frame pointers rbp holds data. When the frame it points to lies
 * past the stack copy, it is a frame the copy was too small for (a cut:
 * raise the copy) only if it can be one: above sp and, in a file (built to
 * the psABI: a frame pointer is CFA - 16, 16-byte aligned), aligned. Else
 * the guess was wrong, and a bigger copy would only show it: broken.
 */
static bool
libdw_fp_plausible(const struct addr_map *m, const uint64_t *regs)
{
	if (regs[6] <= regs[7])
		return false;
	return m->module == MODULE_NONE || !(regs[6] & 15);
}

/*
 * Unwind with cached rules. Returns UNWIND_DONE, _COPY_SHORT, _BROKEN or
 * _MAX as the full path would, or -1 when some frame needs the full path.
 */
static int
libdw_fast(struct unwinder *u, const struct unwind_sample *smp, uint64_t *ips,
	   uint32_t max, uint32_t *n)
{
	/* DWARF registers 0..16; known[] says which hold a real value. */
	uint64_t regs[17];
	bool known[17];
	int i;

	for (i = 0; i < 17; i++) {
		int pr = libdw_dwarf_to_perf[i];

		regs[i] = smp->regs[pr];
		known[i] = (smp->regs_mask >> pr) & 1;
	}
	*n = 0;
	for (;;) {
		uint64_t pc = regs[16], cfa, bias, save[RULE_NREGS];
		unsigned r_unread = 0;
		const struct addr_map *m;
		const struct unwind_rule *r;
		bool short_copy = false;

		if (*n >= max)
			return UNWIND_MAX;
		ips[(*n)++] = pc;
		/* A return address is looked up at its call instruction. */
		m = map_set_find(u->maps, smp->pid, *n > 1 ? pc - 1 : pc);
		if (m && m->module != MODULE_NONE &&
		    module_table_bias(u->mods, m, &bias))
			r = libdw_rule(u, m->module,
				       pc - bias - (*n > 1 ? 1 : 0));
		else if (m)
			r = &rule_fp; /* JIT code: no CFI, frame pointers */
		else
			return *n > 1 ? UNWIND_BROKEN : -1;
		if (r == &rule_none)
			return -1;
		if (libdw_rule_root(r))
			return UNWIND_DONE; /* the process's first frame */
		if (!known[r->cfa_reg])
			return UNWIND_BROKEN;
		if (r->fp) {
			/* rbp -> [saved rbp][return address] */
			cfa = regs[6] + 16;
			if (!unwind_stack_read(smp, regs[6], &save[1],
					       &short_copy) ||
			    !unwind_stack_read(smp, regs[6] + 8, &save[6],
					       &short_copy))
				return short_copy && libdw_fp_plausible(m, regs)
					       ? UNWIND_COPY_SHORT
					       : UNWIND_BROKEN;
			if (cfa <= regs[7])
				return UNWIND_BROKEN; /* not outwards */
			regs[6] = save[1];
			regs[16] = save[6];
			regs[7] = cfa;
		} else {
			cfa = regs[r->cfa_reg] + (int64_t)r->cfa_off;
			for (i = 0; i < RULE_NREGS; i++) {
				int d = rule_dwarf_reg[i];
				uint64_t at = cfa + (int64_t)r->off[i];

				if (r->kind[i] != RULE_OFFSET)
					continue;
				/*
				 * A slot below sp is one an epilogue already
				 * popped (GCC emits no DW_CFA_restore there):
				 * the register holds the caller's value.
				 */
				if (at < regs[7] && d != 16)
					continue;
				if (unwind_stack_read(smp, at, &save[i],
						      &short_copy))
					continue;
				if (d == 16)
					return short_copy ? UNWIND_COPY_SHORT
							  : UNWIND_BROKEN;
				known[d] = false; /* as libdwfl: unknown */
				r_unread |= 1u << i;
			}
			for (i = 0; i < RULE_NREGS; i++) {
				int d = rule_dwarf_reg[i];

				if (r->kind[i] == RULE_OFFSET &&
				    !(r_unread & (1u << i)) &&
				    (d == 16 ||
				     cfa + (int64_t)r->off[i] >= regs[7])) {
					regs[d] = save[i];
					known[d] = true;
				} else if (r->kind[i] == RULE_UNDEF) {
					known[d] = false;
				}
			}
			regs[7] = cfa;
			/* Call-clobbered registers are gone in the caller. */
			for (i = 0; i < 17; i++)
				if (i != 3 && i != 6 && i != 7 &&
				    (i < 12 || i > 16))
					known[i] = false;
		}
		known[7] = true;
		if (!regs[16])
			return UNWIND_DONE;
	}
}

/* ---- unwinding ---------------------------------------------------------- */

static int
libdw_frame(Dwfl_Frame *state, void *arg)
{
	struct unwinder *u = arg;
	const struct unwind_rule *r;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation) || !pc)
		return DWARF_CB_ABORT;
	u->ips[u->n++] = pc;
	/*
	 * Stop at a root as the cached rules do: libdwfl would go on past
	 * the dynamic linker's _start (no end-of-stack mark) into whatever
	 * lies above it on the stack.
	 */
	r = libdw_rule_at(u, u->smp->pid, u->n > 1 ? pc - 1 : pc);
	if (r && libdw_rule_root(r)) {
		u->at_root = true;
		return DWARF_CB_ABORT;
	}
	return u->n >= u->max ? DWARF_CB_ABORT : DWARF_CB_OK;
}

/*
 * The full path: libdwfl's unwinder over the process's Dwfl. libdwfl ends
 * an unwind quietly when the return address cannot be read, so a read past
 * the end of a full stack copy is what tells a truncated stack.
 */
static enum unwind_result
libdw_full(struct unwinder *u, const struct unwind_sample *smp, uint64_t *ips,
	   uint32_t max, uint32_t *n)
{
	struct libdw_proc *p = libdw_proc(u, smp->pid);
	int ret;

	if (!p) {
		/* No module to unwind with: the interrupted ip alone. */
		ips[0] = smp->regs[UNWIND_REG_IP];
		*n = 1;
		return UNWIND_BROKEN;
	}
	u->smp = smp;
	u->ips = ips;
	u->n = 0;
	u->max = max;
	u->copy_short = false;
	u->at_root = false;
	ret = dwfl_getthread_frames(p->dwfl, smp->tid, libdw_frame, u);
	u->smp = NULL;
	*n = u->n;
	if (!u->n) {
		ips[0] = smp->regs[UNWIND_REG_IP];
		*n = 1;
	}
	if (u->at_root)
		return UNWIND_DONE;
	if (u->copy_short)
		return UNWIND_COPY_SHORT;
	if (ret == 0)
		return UNWIND_DONE;
	if (u->n >= max)
		return UNWIND_MAX;
	/* libdwfl does not know the roots that have no end-of-stack mark. */
	return libdw_root(u, smp->pid, ips[*n - 1], *n > 1) ? UNWIND_DONE
							    : UNWIND_BROKEN;
}

/*
 * The self-check (record --unwind-check): unwind the sample again with
 * libdwfl's full unwinder and count a mismatch when the frames or the
 * outcome differ. The tests run it on the examples, where both must agree.
 */
static void
libdw_check(struct unwinder *u, const struct unwind_sample *smp,
	    const uint64_t *ips, uint32_t max, uint32_t n,
	    enum unwind_result res)
{
	uint64_t *full = xcalloc(max, sizeof(*full));
	uint32_t nfull = 0;

	u->checked++;
	if (libdw_full(u, smp, full, max, &nfull) != res || nfull != n ||
	    memcmp(full, ips, n * sizeof(*ips)))
		u->mismatches++;
	free(full);
}

static void
libdw_set_check(struct unwinder *u, bool on)
{
	u->check = on;
}

static uint64_t
libdw_mismatches(const struct unwinder *u, uint64_t *checked)
{
	*checked = u->checked;
	return u->mismatches;
}

static enum unwind_result
libdw_user(struct unwinder *u, const struct unwind_sample *smp, uint64_t *ips,
	   uint32_t max, uint32_t *n)
{
	int ret;

	*n = 0;
	if (!max)
		return UNWIND_MAX;
	ret = u->full_only ? -1 : libdw_fast(u, smp, ips, max, n);
	/* Stopped where a frame-pointer chain would: a root all the same. */
	if (ret == UNWIND_BROKEN &&
	    libdw_root(u, smp->pid, ips[*n - 1], *n > 1))
		ret = UNWIND_DONE;
	if (u->check && ret >= 0)
		libdw_check(u, smp, ips, max, *n, (enum unwind_result)ret);
	if (ret >= 0)
		return (enum unwind_result)ret;
	return libdw_full(u, smp, ips, max, n);
}

static struct unwinder *
libdwfl_new(const struct map_set *ms, const struct module_table *mt)
{
	struct unwinder *u = libdw_new(ms, mt);

	u->full_only = true;
	return u;
}

/* libdwfl's unwinder for every sample: the measured comparison. */
const struct unwinder_ops unwind_libdwfl_ops = {
	.name = "libdwfl",
	.new = libdwfl_new,
	.free = libdw_free,
	.user = libdw_user,
	.root = libdw_root,
	.forget = libdw_forget,
};

const struct unwinder_ops unwind_libdw_ops = {
	.name = "libdw",
	.new = libdw_new,
	.free = libdw_free,
	.user = libdw_user,
	.root = libdw_root,
	.forget = libdw_forget,
	.set_check = libdw_set_check,
	.mismatches = libdw_mismatches,
};
