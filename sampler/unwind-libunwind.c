/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind-libunwind.c - CFI unwinding with libunwind: each target
 * process is a remote address space whose memory is the sample's stack copy
 * plus the files it maps (read from scorch's own read-only mapping of each
 * file), and whose registers are the sample's. Each frame's CFI is found
 * through the module's .eh_frame_hdr search table; libunwind caches what it
 * decodes per address space (UNW_CACHE_GLOBAL).
 *
 * libunwind's remote interface reads .eh_frame only: code whose CFI is only
 * in .debug_frame falls back to its frame-pointer guess.
 *
 * A stack caught while libgcc installs an exception handler is cut by the
 * rule of unwind-ehret.c, from each module's ELF (opened once, over the
 * same mapping) and the ranges of its installers.
 */
#include <dwarf.h>
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libunwind.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"

/* libunwind exports this without declaring it (perf declares it too). */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as,
					      unw_word_t ip, unw_dyn_info_t *di,
					      unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

/* A module's file, mapped read-only, and where its unwind table is. */
struct lu_module {
	bool tried, ok;
	const unsigned char *data; /* the whole file */
	size_t size;
	struct lu_seg {
		uint64_t vaddr, offset, filesz;
	} * segs;
	size_t nsegs;
	uint64_t lo, hi;      /* ELF address span of the PT_LOAD segments */
	uint64_t hdr_vaddr;   /* .eh_frame_hdr, 0 if none */
	uint64_t table_vaddr; /* its binary search table */
	uint64_t fde_count;
	Elf *elf;	      /* over data, for unwind-ehret.c */
	uint64_t ehret[4][2]; /* libgcc's handler installers */
	size_t nehret;
};

/* A module as placed in one process. */
struct lu_range {
	uint64_t lo, hi; /* runtime addresses */
	uint64_t bias;
	uint32_t module;
};

struct lu_proc {
	unw_addr_space_t as;
	uint64_t gen;
	struct lu_range *ranges; /* sorted by lo */
	size_t nranges;
};

struct unwinder {
	const struct map_set *maps;
	const struct module_table *mods;
	struct lu_module *lmods;
	size_t nlmods;
	struct intmap procs; /* pid + 1 -> struct lu_proc * */
	/* The one test of a stack's root is libdw's (unwind-libdw.c). */
	struct unwinder *roots;
	bool any_ehret; /* a module loaded has libgcc's handler installers */
};

/* What the accessors see: the sample and its process. */
struct lu_ctx {
	struct unwinder *u;
	struct lu_proc *proc;
	const struct unwind_sample *smp;
	const uint64_t *ips; /* the frames unwound, for ehret_cut() */
	bool copy_short;
};

static struct unwinder *
lu_new(const struct map_set *ms, const struct module_table *mt)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));

	u->maps = ms;
	u->mods = mt;
	intmap_init(&u->procs);
	u->roots = unwind_libdw_ops.new(ms, mt);
	return u;
}

static void
lu_proc_reset(struct lu_proc *p)
{
	if (p->as)
		unw_destroy_addr_space(p->as);
	p->as = NULL;
	free(p->ranges);
	p->ranges = NULL;
	p->nranges = 0;
	p->gen = 0;
}

static void
lu_free(struct unwinder *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->procs.nslots; i++) {
		struct lu_proc *p = u->procs.slots[i].value;

		if (p) {
			lu_proc_reset(p);
			free(p);
		}
	}
	for (i = 0; i < u->nlmods; i++) {
		if (u->lmods[i].elf)
			elf_end(u->lmods[i].elf);
		if (u->lmods[i].data)
			munmap((void *)u->lmods[i].data, u->lmods[i].size);
		free(u->lmods[i].segs);
	}
	free(u->lmods);
	intmap_fini(&u->procs);
	unwind_libdw_ops.free(u->roots);
	free(u);
}

static void
lu_forget(struct unwinder *u, pid_t pid)
{
	struct lu_proc *p = intmap_get(&u->procs, (unsigned)pid + 1ULL);

	if (p)
		lu_proc_reset(p);
	unwind_libdw_ops.forget(u->roots, pid);
}

static bool
lu_root(struct unwinder *u, pid_t pid, uint64_t pc, bool ret)
{
	return unwind_libdw_ops.root(u->roots, pid, pc, ret);
}

/* ---- modules ------------------------------------------------------------ */

/* Read n bytes at ELF address vaddr of a module; false if not in the file. */
static bool
lu_read(const struct lu_module *lm, uint64_t vaddr, void *out, size_t n)
{
	size_t i;

	for (i = 0; i < lm->nsegs; i++) {
		const struct lu_seg *sg = &lm->segs[i];
		uint64_t off;

		if (vaddr < sg->vaddr || vaddr - sg->vaddr >= sg->filesz ||
		    sg->filesz - (vaddr - sg->vaddr) < n)
			continue;
		off = sg->offset + (vaddr - sg->vaddr);
		if (off > lm->size || lm->size - off < n)
			return false;
		memcpy(out, lm->data + off, n);
		return true;
	}
	return false;
}

static void
lu_module_load(struct lu_module *lm, int fd)
{
	unsigned char hdr[12];
	struct stat st;
	Elf *elf = NULL;
	size_t i, nph;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0)
		return;
	lm->size = (size_t)st.st_size;
	lm->data = mmap(NULL, lm->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (lm->data == MAP_FAILED) {
		lm->data = NULL;
		return;
	}
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)lm->data, lm->size);
	if (!elf || elf_kind(elf) != ELF_K_ELF ||
	    elf_getphdrnum(elf, &nph) != 0)
		goto out;
	lm->segs = xcalloc(nph ? nph : 1, sizeof(*lm->segs));
	lm->lo = UINT64_MAX;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_GNU_EH_FRAME)
			lm->hdr_vaddr = ph.p_vaddr;
		if (ph.p_type != PT_LOAD)
			continue;
		lm->segs[lm->nsegs].vaddr = ph.p_vaddr;
		lm->segs[lm->nsegs].offset = ph.p_offset;
		lm->segs[lm->nsegs].filesz = ph.p_filesz;
		lm->nsegs++;
		if (ph.p_vaddr < lm->lo)
			lm->lo = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > lm->hi)
			lm->hi = ph.p_vaddr + ph.p_memsz;
	}
	lm->ok = lm->nsegs > 0;
	/*
	 * .eh_frame_hdr: version 1, then the encodings of eh_frame_ptr,
	 * fde_count and the table. libunwind's remote search wants the usual
	 * ones: a 4-byte eh_frame_ptr, a 4-byte count, and a table of
	 * (datarel sdata4, datarel sdata4) pairs.
	 */
	if (lm->hdr_vaddr && lu_read(lm, lm->hdr_vaddr, hdr, sizeof(hdr)) &&
	    hdr[0] == 1 && (hdr[1] & 0x0f) == DW_EH_PE_sdata4 &&
	    hdr[2] == DW_EH_PE_udata4 &&
	    hdr[3] == (DW_EH_PE_datarel | DW_EH_PE_sdata4)) {
		uint32_t count;

		memcpy(&count, hdr + 8, 4);
		lm->fde_count = count;
		lm->table_vaddr = lm->hdr_vaddr + 12;
	} else {
		lm->hdr_vaddr = 0;
	}
	lm->nehret = ehret_ranges(elf, lm->ehret, 4);
	lm->elf = elf;
	return;
out:
	if (elf)
		elf_end(elf);
}

static struct lu_module *
lu_module(struct unwinder *u, uint32_t id)
{
	struct lu_module *lm;

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

		lm->tried = true;
		if (mod)
			lu_module_load(lm, mod->fd);
		u->any_ehret |= lm->nehret > 0;
	}
	return lm;
}

static int
lu_range_cmp(const void *a, const void *b)
{
	const struct lu_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The process's address space, with its module ranges up to date. */
static struct lu_proc *
lu_proc(struct unwinder *u, pid_t pid, unw_accessors_t *acc)
{
	struct lu_proc *p = intmap_get(&u->procs, (unsigned)pid + 1ULL);
	const struct addr_map *maps;
	size_t n, i;
	uint64_t gen;

	if (!p) {
		p = xcalloc(1, sizeof(*p));
		intmap_put(&u->procs, (unsigned)pid + 1ULL, p);
	}
	maps = map_set_maps(u->maps, pid, &n, &gen);
	if (p->as && gen == p->gen)
		return p;
	if (!p->as) {
		p->as = unw_create_addr_space(acc, 0);
		if (!p->as)
			return NULL;
		unw_set_caching_policy(p->as, UNW_CACHE_GLOBAL);
	} else {
		unw_flush_cache(p->as, 0, 0);
	}
	p->gen = gen;
	free(p->ranges);
	p->ranges = xcalloc(n ? n : 1, sizeof(*p->ranges));
	p->nranges = 0;
	for (i = 0; i < n; i++) {
		struct lu_module *lm;
		uint64_t bias;
		size_t k;

		if (maps[i].module == MODULE_NONE ||
		    !module_table_bias(u->mods, &maps[i], &bias))
			continue;
		lm = lu_module(u, maps[i].module);
		if (!lm->ok)
			continue;
		for (k = 0; k < p->nranges; k++)
			if (p->ranges[k].module == maps[i].module)
				break;
		if (k < p->nranges)
			continue; /* one module mapped twice */
		p->ranges[p->nranges].lo = lm->lo + bias;
		p->ranges[p->nranges].hi = lm->hi + bias;
		p->ranges[p->nranges].bias = bias;
		p->ranges[p->nranges].module = maps[i].module;
		p->nranges++;
	}
	qsort(p->ranges, p->nranges, sizeof(*p->ranges), lu_range_cmp);
	return p;
}

static const struct lu_range *
lu_find_range(const struct lu_proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < p->ranges[mid].lo)
			hi = mid;
		else if (addr >= p->ranges[mid].hi)
			lo = mid + 1;
		else
			return &p->ranges[mid];
	}
	return NULL;
}

/* ---- accessors ---------------------------------------------------------- */

static int
lu_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
		  int need_unwind_info, void *arg)
{
	struct lu_ctx *c = arg;
	const struct lu_range *r = lu_find_range(c->proc, ip);
	struct lu_module *lm;
	unw_dyn_info_t di;

	if (!r)
		return -UNW_ENOINFO;
	lm = lu_module(c->u, r->module);
	if (!lm->hdr_vaddr || !lm->fde_count)
		return -UNW_ENOINFO;
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = r->lo;
	di.end_ip = r->hi;
	di.u.rti.segbase = lm->hdr_vaddr + r->bias;
	di.u.rti.table_data = lm->table_vaddr + r->bias;
	di.u.rti.table_len = lm->fde_count * 8 / sizeof(unw_word_t);
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, &di, pi,
						  need_unwind_info, arg);
}

static void
lu_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as;
	(void)pi;
	(void)arg;
}

static int
lu_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	(void)as;
	(void)addr;
	(void)arg;
	return -UNW_ENOINFO;
}

static int
lu_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *valp, int write,
	      void *arg)
{
	struct lu_ctx *c = arg;
	const struct lu_range *r;
	bool short_copy = false;
	uint64_t v;

	(void)as;
	if (write)
		return -UNW_EINVAL;
	if (unwind_stack_read(c->smp, addr, &v, &short_copy)) {
		*valp = v;
		return 0;
	}
	/* libunwind reads the modules' unwind tables through here too. */
	r = lu_find_range(c->proc, addr);
	if (r && lu_read(lu_module(c->u, r->module), addr - r->bias, valp,
			 sizeof(*valp)))
		return 0;
	if (short_copy)
		c->copy_short = true;
	return -UNW_EINVAL;
}

static int
lu_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *valp,
	      int write, void *arg)
{
	/* libunwind's x86-64 numbering is DWARF's: rax rdx rcx rbx ... */
	static const int to_perf[17] = { 0,  3,	 2,  1,	 4,  5,	 6,  7, 16,
					 17, 18, 19, 20, 21, 22, 23, 8 };
	struct lu_ctx *c = arg;

	(void)as;
	if (write || reg < 0 || reg > 16 ||
	    !(c->smp->regs_mask & (1ULL << to_perf[reg])))
		return -UNW_EBADREG;
	*valp = c->smp->regs[to_perf[reg]];
	return 0;
}

static int
lu_access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
		int write, void *arg)
{
	(void)as;
	(void)reg;
	(void)val;
	(void)write;
	(void)arg;
	return -UNW_EINVAL;
}

static int
lu_resume(unw_addr_space_t as, unw_cursor_t *cu, void *arg)
{
	(void)as;
	(void)cu;
	(void)arg;
	return -UNW_EINVAL;
}

static int
lu_get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
		 unw_word_t *offp, void *arg)
{
	(void)as;
	(void)addr;
	(void)buf;
	(void)len;
	(void)offp;
	(void)arg;
	return -UNW_EINVAL;
}

static unw_accessors_t lu_accessors = {
	.find_proc_info = lu_find_proc_info,
	.put_unwind_info = lu_put_unwind_info,
	.get_dyn_info_list_addr = lu_get_dyn_info_list_addr,
	.access_mem = lu_access_mem,
	.access_reg = lu_access_reg,
	.access_fpreg = lu_access_fpreg,
	.resume = lu_resume,
	.get_proc_name = lu_get_proc_name,
};

/* ---- unwinding ---------------------------------------------------------- */

/* Frame k of the stack in c->ips: its module's file and installers. */
static bool
lu_ehret_frame(void *arg, uint32_t k, struct ehret_frame *f)
{
	struct lu_ctx *c = arg;
	const struct lu_range *r =
		lu_find_range(c->proc, c->ips[k] - (k ? 1 : 0));
	const struct lu_module *lm;

	if (!r)
		return false;
	lm = lu_module(c->u, r->module);
	f->elf = lm->elf;
	f->addr = c->ips[k] - r->bias;
	f->ranges = (const uint64_t(*)[2])lm->ehret;
	f->n = lm->nehret;
	return true;
}

/*
 * Caught while an exception lands, the callers named are wrong: cut the
 * stack c->ips[0..*n-1] (unwind-ehret.c), broken then; else res.
 */
static enum unwind_result
lu_ehret_cut(struct lu_ctx *c, uint32_t *n, enum unwind_result res)
{
	uint32_t keep;

	if (!c->u->any_ehret)
		return res;
	keep = ehret_cut(c->ips, *n, lu_ehret_frame, c);
	if (keep >= *n)
		return res;
	*n = keep;
	return UNWIND_BROKEN;
}

/* Step c's cursor out, frame after frame, into c->ips (from *n on). */
static enum unwind_result
lu_walk(struct lu_ctx *c, unw_cursor_t *cursor, uint64_t *ips, uint32_t max,
	uint32_t *n)
{
	int ret;

	for (;;) {
		unw_word_t ip;

		ret = unw_step(cursor);
		if (ret <= 0)
			break;
		if (unw_get_reg(cursor, UNW_REG_IP, &ip) < 0 || !ip) {
			ret = 0;
			break;
		}
		if (*n >= max)
			return UNWIND_MAX;
		ips[(*n)++] = ip;
	}
	if (ret == 0)
		return UNWIND_DONE;
	if (c->copy_short)
		return UNWIND_COPY_SHORT;
	/* Stopped at a root without an end-of-stack mark: whole. */
	return lu_root(c->u, c->smp->pid, ips[*n - 1], *n > 1) ? UNWIND_DONE
							       : UNWIND_BROKEN;
}

static enum unwind_result
lu_user(struct unwinder *u, const struct unwind_sample *smp, uint64_t *ips,
	uint32_t max, uint32_t *n)
{
	struct lu_ctx c = { .u = u, .smp = smp, .ips = ips };
	unw_cursor_t cursor;

	*n = 0;
	if (!max)
		return UNWIND_MAX;
	ips[0] = smp->regs[UNWIND_REG_IP];
	*n = 1;
	c.proc = lu_proc(u, smp->pid, &lu_accessors);
	if (!c.proc || unw_init_remote(&cursor, c.proc->as, &c) < 0)
		return UNWIND_BROKEN;
	return lu_ehret_cut(&c, n, lu_walk(&c, &cursor, ips, max, n));
}

const struct unwinder_ops unwind_libunwind_ops = {
	.name = "libunwind",
	.new = lu_new,
	.free = lu_free,
	.user = lu_user,
	.root = lu_root,
	.forget = lu_forget,
};
