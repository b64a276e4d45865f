/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind-libdw.c - CFI unwinding with elfutils: each target process
 * is a Dwfl whose modules are the files it maps, reported at their load
 * addresses, and whose one "thread" is the sample being unwound: its
 * registers come from the sample and its memory is the stack copy.
 * libdwfl finds each frame's CFI in .eh_frame or .debug_frame (parsed once
 * per module of a process and cached by libdw), and falls back to the
 * frame pointer where a module has no CFI.
 *
 * A process's Dwfl is kept while its maps stay the same; new mappings
 * (dlopen) are added to it, and any other change of the maps rebuilds it.
 * It is dropped when the process exits or execs, so memory stays bounded by
 * the live processes, whatever the length of the recording.
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
	0,  /* rax */
	3,  /* rdx */
	2,  /* rcx */
	1,  /* rbx */
	4,  /* rsi */
	5,  /* rdi */
	6,  /* rbp */
	7,  /* rsp */
	16, /* r8 .. r15 */
	17, 18, 19, 20, 21, 22, 23,
	8, /* rip: the return address column */
};

#define PERF_SP 7
#define PERF_IP 8

/* The Dwfl of one process, and the maps it was built from. */
struct libdw_proc {
	Dwfl *dwfl;
	uint64_t gen;		  /* map generation reported */
	struct addr_map *seen;	  /* the maps reported, to tell an add */
	size_t nseen;
	struct intmap reported;	  /* module id + 1 -> (void *)1 */
	bool attached;
};

struct unwinder {
	const struct map_set *maps;
	const struct module_table *mods;
	struct intmap procs; /* pid + 1 -> struct libdw_proc * */

	/* The sample being unwound, for the callbacks. */
	const struct unwind_sample *smp;
	uint64_t *ips;
	uint32_t n, max;
	bool copy_short; /* a read just past the stack copy failed */
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
	const struct unwind_sample *smp = u->smp;
	uint64_t sp = smp->regs[PERF_SP];

	(void)dwfl;
	if (addr >= sp && addr - sp <= smp->stack_len &&
	    smp->stack_len - (addr - sp) >= sizeof(*result)) {
		memcpy(result, smp->stack + (addr - sp), sizeof(*result));
		return true;
	}
	/*
	 * Only the stack was copied. A read a little above the copy is a
	 * frame the copy was too small to hold (a thread's stack is at most
	 * a few MiB above its sp); anything else is a wrong turn.
	 */
	if (addr >= sp + smp->stack_len && addr - sp < (64ULL << 20))
		u->copy_short = true;
	return false;
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
		regs[1] = smp->regs[PERF_SP];
		if (!dwfl_thread_state_registers(thread, 6, 2, regs))
			return false;
	}
	dwfl_thread_state_register_pc(thread, smp->regs[PERF_IP]);
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
	 * the new ones on top. Any other change starts over.
	 */
	if (p->dwfl && libdw_only_added(p, maps, n)) {
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
	p->attached =
		dwfl_attach_state(p->dwfl, NULL, pid, &libdw_thread_callbacks,
				  u);
	return p->attached ? p : NULL;
}

/* ---- unwinding ---------------------------------------------------------- */

static int
libdw_frame(Dwfl_Frame *state, void *arg)
{
	struct unwinder *u = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation) || !pc)
		return DWARF_CB_ABORT;
	u->ips[u->n++] = pc;
	return u->n >= u->max ? DWARF_CB_ABORT : DWARF_CB_OK;
}

static enum unwind_result
libdw_user(struct unwinder *u, const struct unwind_sample *smp, uint64_t *ips,
	   uint32_t max, uint32_t *n)
{
	struct libdw_proc *p;
	int ret;

	*n = 0;
	if (!max)
		return UNWIND_MAX;
	p = libdw_proc(u, smp->pid);
	if (!p) {
		/* No module to unwind with: the interrupted ip alone. */
		ips[0] = smp->regs[PERF_IP];
		*n = 1;
		return UNWIND_BROKEN;
	}
	u->smp = smp;
	u->ips = ips;
	u->n = 0;
	u->max = max;
	u->copy_short = false;
	ret = dwfl_getthread_frames(p->dwfl, smp->tid, libdw_frame, u);
	u->smp = NULL;
	*n = u->n;
	if (!u->n) {
		ips[0] = smp->regs[PERF_IP];
		*n = 1;
	}
	if (ret == 0)
		return UNWIND_DONE;
	if (u->n >= max)
		return UNWIND_MAX;
	return u->copy_short ? UNWIND_COPY_SHORT : UNWIND_BROKEN;
}

const struct unwinder_ops unwind_libdw_ops = {
	.name = "libdw",
	.new = libdw_new,
	.free = libdw_free,
	.user = libdw_user,
	.forget = libdw_forget,
};
