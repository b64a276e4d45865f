/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind-libdw.c - CFI unwinding with elfutils, in two tiers.
 *
 * The fast path: the cached unwind rules of unwind-rules.c, one per code
 * address; unwinding a frame is a hash lookup and a few reads from the
 * stack copy: no CFI parsing per sample, and no allocation. This covers
 * all ordinary code; where a module has no CFI at all (JIT code,
 * hand-written assembly), the frame pointer is followed, as libdwfl's own
 * unwinder does.
 *
 * The roots: one test of whether a stack ends where stacks begin, for the
 * rules, for libdwfl, and for the kernel's frame-pointer chains (-g fp).
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

struct unwinder {
	const struct map_set *maps;
	const struct module_table *mods;
	struct intmap procs;	    /* pid + 1 -> struct libdw_proc * */
	struct unwind_rules *rules; /* the CFI of every module, as rules */
	struct intmap roots; /* module << 44 | ELF address -> ROOT_YES/_NO */
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
	u->rules = unwind_rules_new(mt);
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
	unwind_rules_free(u->rules);
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
	return r && (r->entry || r->kind[RULE_NREGS - 1] == RULE_UNDEF);
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
	return unwind_rules_get(u->rules, m->module, addr - bias);
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
	if (libdw_rule_root(unwind_rules_get(u->rules, m->module, addr - bias)))
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
			r = unwind_rules_get(u->rules, m->module,
					     pc - bias - (*n > 1 ? 1 : 0));
		else if (m)
			r = &unwind_rule_fp; /* JIT code: no CFI, frame pointers */
		else
			return *n > 1 ? UNWIND_BROKEN : -1;
		if (!r)
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

/* Frame k of the stack in u->ips: its module's file and installers. */
static bool
libdw_ehret_frame(void *arg, uint32_t k, struct ehret_frame *f)
{
	struct unwinder *u = arg;
	uint64_t pc = u->ips[k], bias;
	const struct addr_map *m =
		map_set_find(u->maps, u->smp->pid, pc - (k ? 1 : 0));

	if (!m || m->module == MODULE_NONE ||
	    !module_table_bias(u->mods, m, &bias))
		return false;
	f->elf = unwind_rules_ehret(u->rules, m->module, &f->ranges, &f->n);
	f->addr = pc - bias;
	return true;
}

static enum unwind_result
libdw_user(struct unwinder *u, const struct unwind_sample *smp, uint64_t *ips,
	   uint32_t max, uint32_t *n)
{
	uint32_t keep;
	bool full;
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
	full = ret < 0;
	if (full)
		ret = (int)libdw_full(u, smp, ips, max, n);
	/* The fast path opened every frame's module: any installer is known. */
	if (!unwind_rules_any_ehret(u->rules) && !full)
		return (enum unwind_result)ret;
	/* Caught while an exception lands: the callers named are wrong. */
	u->smp = smp;
	u->ips = ips;
	keep = ehret_cut(ips, *n, libdw_ehret_frame, u);
	u->smp = NULL;
	if (keep < *n)
		*n = keep, ret = UNWIND_BROKEN;
	return (enum unwind_result)ret;
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
