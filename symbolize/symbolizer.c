/* SPDX-License-Identifier: MIT */
/*
 * symbolize/symbolizer.c - naming user and kernel addresses, with each
 * module opened once and each (module, offset) resolved once.
 */
#include <dwarf.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"
#include "symbolize.h"

/* A module file, opened on first use. */
struct module {
	char *path;
	const char *base; /* basename of path, for frames and fallbacks */
	Dwfl *dwfl;	  /* NULL when the file could not be read */
	Dwfl_Module *mod;
	GElf_Addr bias;
	GElf_Phdr *loads; /* PT_LOAD headers: file offset -> vaddr */
	size_t nloads;
	char *why; /* why the file could not be read, or NULL */
	int fd;	   /* the file as the caller opened it, or -1 */
	/* The target's root directory when it is not ours (a container):
	 * its debug files are looked up there first. */
	int root_fd;
	char *debuginfo_path;
	Dwfl_Callbacks callbacks;
	struct dwarfidx *ix;   /* NULL until the first lookup */
	struct symtab *symtab; /* NULL until the first lookup, or if none */
	struct plt *plt;       /* PLT entry names; NULL as symtab */
	struct intmap addrs;   /* file_off + 1 -> struct user_entry * */
	struct intmap vaddrs;  /* vaddr + 1 -> struct user_entry * */
};

struct sym_entry {
	struct sym sym;
};

/* What one user address resolved to: its function and inlined calls. */
struct user_entry {
	size_t n;
	struct sym chain[]; /* n frames, outermost first */
};

/* One process's perf map, loaded on first use. */
struct jit_map {
	struct perfmap *pm;  /* NULL when the process wrote none */
	struct intmap addrs; /* addr + 1 -> struct sym_entry * */
};

struct symbolizer {
	struct intmap modules;	     /* hash(path) -> struct module * */
	struct intmap modules_by_id; /* caller's id + 1 -> struct module * */
	struct module *last;	     /* the module asked for last */
	struct module **mods;	     /* every module, for freeing */
	size_t nmods;
	struct kallsyms *ks; /* NULL until the first kernel address */
	bool ks_tried;
	bool demangle;
	bool inline_frames;
	bool dwarf_names;	   /* functions by DWARF name, as binutils */
	char *debuginfo_path;	   /* NULL: libdwfl's default */
	Dwfl_Callbacks callbacks;  /* points at debuginfo_path */
	struct strpool names;	   /* symbol-table and fallback names */
	struct user_entry **users; /* every user entry, for freeing */
	size_t nusers, users_cap;
	char *kallsyms_path;
	struct intmap kaddrs;	    /* kernel addr + 1 -> struct sym_entry * */
	struct intmap jits;	    /* pid + 1 -> struct jit_map * */
	struct sym_entry **entries; /* every entry, for freeing */
	size_t nentries, entries_cap;
	char **warnings;
	size_t nwarnings;
};

/* libdwfl's search path for separate debug files when none is given. */
#define SYMBOLIZER_DEBUGINFO_PATH ":.debug:/usr/lib/debug"

struct symbolizer *
symbolizer_new(const struct symbolizer_opts *opts)
{
	struct symbolizer *sy = xcalloc(1, sizeof(*sy));

	intmap_init(&sy->modules);
	intmap_init(&sy->modules_by_id);
	intmap_init(&sy->kaddrs);
	intmap_init(&sy->jits);
	sy->demangle = !(opts && opts->no_demangle);
	sy->inline_frames = !(opts && opts->no_inline);
	sy->dwarf_names = opts && opts->dwarf_names;
	sy->kallsyms_path =
		xstrdup(opts && opts->kallsyms_path ? opts->kallsyms_path
						    : "/proc/kallsyms");
	sy->debuginfo_path = xstrdup(opts && opts->debuginfo_path
					     ? opts->debuginfo_path
					     : SYMBOLIZER_DEBUGINFO_PATH);
	sy->callbacks.find_elf = dwfl_build_id_find_elf;
	sy->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	sy->callbacks.section_address = dwfl_offline_section_address;
	sy->callbacks.debuginfo_path = &sy->debuginfo_path;
	strpool_init(&sy->names);
	return sy;
}

static void
module_free(struct module *m)
{
	dwarfidx_free(m->ix);
	symtab_free(m->symtab);
	plt_free(m->plt);
	if (m->dwfl)
		dwfl_end(m->dwfl);
	intmap_fini(&m->addrs);
	intmap_fini(&m->vaddrs);
	free(m->loads);
	free(m->why);
	free(m->debuginfo_path);
	if (m->root_fd >= 0)
		close(m->root_fd);
	free(m->path);
	free(m);
}

void
symbolizer_free(struct symbolizer *sy)
{
	size_t i;

	if (!sy)
		return;
	for (i = 0; i < sy->nmods; i++)
		module_free(sy->mods[i]);
	for (i = 0; i < sy->nentries; i++) {
		free((char *)sy->entries[i]->sym.name);
		free(sy->entries[i]);
	}
	for (i = 0; i < sy->jits.nslots; i++) {
		struct jit_map *jm = sy->jits.slots[i].value;

		if (jm) {
			perfmap_free(jm->pm);
			intmap_fini(&jm->addrs);
			free(jm);
		}
	}
	intmap_fini(&sy->jits);
	for (i = 0; i < sy->nusers; i++)
		free(sy->users[i]);
	free(sy->users);
	for (i = 0; i < sy->nwarnings; i++)
		free(sy->warnings[i]);
	free(sy->warnings);
	free(sy->entries);
	free(sy->mods);
	intmap_fini(&sy->modules);
	intmap_fini(&sy->modules_by_id);
	intmap_fini(&sy->kaddrs);
	kallsyms_free(sy->ks);
	free(sy->kallsyms_path);
	free(sy->debuginfo_path);
	strpool_fini(&sy->names);
	free(sy);
}

static void
symbolizer_warn(struct symbolizer *sy, char *msg)
{
	sy->warnings = xreallocarray(sy->warnings, sy->nwarnings + 1,
				     sizeof(*sy->warnings));
	sy->warnings[sy->nwarnings++] = msg;
}

size_t
symbolizer_nwarnings(const struct symbolizer *sy)
{
	return sy->nwarnings;
}

const char *
symbolizer_warning(const struct symbolizer *sy, size_t idx)
{
	return sy->warnings[idx];
}

/*
 * A file cut short (a copy that did not finish, a full disk) or with
 * garbage section headers still opens: libelf reads lazily. Names read
 * from it could be garbage, so it is refused, once, when its headers,
 * loaded segments or sections reach past its end.
 */
static int
module_check(Elf *elf, size_t nph, char **why)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t size = 0, i;
	uint64_t need = 0;

	if (!elf_rawfile(elf, &size) || !gelf_getehdr(elf, &eh))
		return 0; /* the vDSO's memfd and the like: nothing to check */
	if (eh.e_shoff)
		need = eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    ph.p_offset + ph.p_filesz > need)
			need = ph.p_offset + ph.p_filesz;
	}
	if (need > size) {
		*why = xasprintf("truncated ELF file (%zu of %" PRIu64
				 " bytes)",
				 size, need);
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);

		if (!sh || (sh->sh_type != SHT_NOBITS &&
			    (sh->sh_offset > size ||
			     sh->sh_size > size - sh->sh_offset))) {
			*why = xasprintf("corrupt ELF section header %zu",
					 elf_ndxscn(scn));
			return -1;
		}
	}
	return 0;
}

static int
module_open(struct symbolizer *sy, struct module *m, char **why)
{
	Elf *elf;
	size_t i, nph;
	int fd = -1;

	if (m->fd >= 0) {
		/* The caller's file; libdwfl takes its own descriptor. */
		fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			*why = xstrdup(strerror(errno));
			return -1;
		}
	} else if (m->path[0] != '/') {
		*why = xstrdup("not a file");
		return -1;
	} else {
		fd = open(m->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			*why = xstrdup(strerror(errno));
			return -1;
		}
	}
	m->dwfl =
		dwfl_begin(m->debuginfo_path ? &m->callbacks : &sy->callbacks);
	if (!m->dwfl) {
		close(fd);
		*why = xstrdup(dwfl_errmsg(-1));
		return -1;
	}
	dwfl_report_begin(m->dwfl);
	/* Placed at its own p_vaddr: module addresses are ELF addresses. */
	m->mod = dwfl_report_elf(m->dwfl, m->base, m->path, fd, 0, true);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (!m->mod) {
		close(fd);
		*why = xasprintf("not a usable ELF file (%s)", dwfl_errmsg(-1));
		return -1;
	}
	elf = dwfl_module_getelf(m->mod, &m->bias);
	if (!elf || elf_getphdrnum(elf, &nph) != 0) {
		*why = xstrdup("cannot read ELF program headers");
		return -1;
	}
	if (module_check(elf, nph, why) < 0)
		return -1;
	m->loads = xcalloc(nph ? nph : 1, sizeof(*m->loads));
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			m->loads[m->nloads++] = ph;
	}
	return 0;
}

/*
 * A module read from fd if it is not -1 (else from path), or never read
 * because of unreadable (then its frames keep the [module+0xOFF] names).
 */
static struct module *
symbolizer_new_module(struct symbolizer *sy, const char *path, int fd,
		      int root_fd, const char *unreadable)
{
	struct module *m = xcalloc(1, sizeof(*m));
	const char *slash;
	char *why = NULL;

	m->path = xstrdup(path);
	m->fd = fd;
	m->root_fd = root_fd >= 0 ? fcntl(root_fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (m->root_fd >= 0) {
		/* The target's namespace first: its debug directory, and
		 * its root for the .gnu_debuglink beside the binary (libdwfl
		 * joins an absolute directory, the binary's and the link);
		 * then ours. */
		m->debuginfo_path = xasprintf(
			"/proc/self/fd/%d/usr/lib/debug:/proc/self/fd/%d:%s",
			m->root_fd, m->root_fd, sy->debuginfo_path);
		m->callbacks = sy->callbacks;
		m->callbacks.debuginfo_path = &m->debuginfo_path;
	}
	slash = strrchr(m->path, '/');
	m->base = slash && slash[1] ? slash + 1 : m->path;
	intmap_init(&m->addrs);
	intmap_init(&m->vaddrs);
	if (unreadable)
		why = xstrdup(unreadable);
	if (why || module_open(sy, m, &why) < 0) {
		symbolizer_warn(sy, xasprintf("%s: %s; its frames stay "
					      "unnamed",
					      path, why));
		m->why = why;
		if (m->dwfl)
			dwfl_end(m->dwfl);
		m->dwfl = NULL;
		m->mod = NULL;
	}
	m->fd = -1; /* borrowed: not kept past opening */
	sy->mods = xreallocarray(sy->mods, sy->nmods + 1, sizeof(*sy->mods));
	sy->mods[sy->nmods++] = m;
	return m;
}

static struct module *
symbolizer_module(struct symbolizer *sy, const char *path)
{
	unsigned long long key;
	struct module *m;

	/* Addresses come in runs of one module: skip the hashing. */
	if (sy->last && !strcmp(sy->last->path, path))
		return sy->last;
	key = hash_bytes(path, strlen(path), 0);
	while ((m = intmap_get(&sy->modules, key)) && strcmp(m->path, path))
		key++;
	if (m)
		return sy->last = m;
	m = symbolizer_new_module(sy, path, -1, -1, NULL);
	intmap_put(&sy->modules, key, m);
	return sy->last = m;
}

static struct sym_entry *
symbolizer_entry(struct symbolizer *sy, char *name, const char *module,
		 bool named)
{
	struct sym_entry *e = xmalloc(sizeof(*e));

	e->sym.name = name;
	e->sym.module = module;
	e->sym.file = "";
	e->sym.line = 0;
	e->sym.named = named;
	e->sym.inlined = false;
	if (sy->nentries == sy->entries_cap) {
		sy->entries_cap = sy->entries_cap ? sy->entries_cap * 2 : 256;
		sy->entries = xreallocarray(sy->entries, sy->entries_cap,
					    sizeof(*sy->entries));
	}
	sy->entries[sy->nentries++] = e;
	return e;
}

/* ELF virtual address of a file offset, through the PT_LOAD headers. */
static bool
module_vaddr(const struct module *m, uint64_t file_off, GElf_Addr *vaddr)
{
	size_t i;

	for (i = 0; i < m->nloads; i++) {
		const GElf_Phdr *ph = &m->loads[i];

		if (file_off >= ph->p_offset &&
		    file_off < ph->p_offset + ph->p_filesz) {
			*vaddr = file_off - ph->p_offset + ph->p_vaddr;
			return true;
		}
	}
	return false;
}

static bool
symbolizer_other_file(const char *path, const struct stat *self)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       !(st.st_dev == self->st_dev && st.st_ino == self->st_ino);
}

/*
 * A separate debug file that libdwfl would have tried exists, yet m has no
 * DWARF: libdwfl skips a debug file it cannot read (truncated, corrupt, or
 * of another build) without a word, so find it to say so. Returns its path
 * (caller frees) or NULL. The candidates follow libdwfl's search path: by
 * build-id under each absolute directory (DIR/.build-id/xx/rest.debug), and
 * by the .gnu_debuglink name beside the binary, in its .debug/ and under
 * each absolute directory by the binary's directory.
 */
static char *
symbolizer_bad_debug_file(struct symbolizer *sy, struct module *m)
{
	char *dirs, *rest, *dir, *bindir, *found = NULL, *cand, hex[128];
	const unsigned char *id;
	const char *link = NULL;
	GElf_Addr id_vaddr, bias;
	struct stat self;
	GElf_Word crc;
	Elf *elf;
	int idlen, i;

	if (m->path[0] != '/' || stat(m->path, &self) != 0)
		return NULL;
	elf = dwfl_module_getelf(m->mod, &bias);
	if (elf)
		link = dwelf_elf_gnu_debuglink(elf, &crc);
	idlen = dwfl_module_build_id(m->mod, &id, &id_vaddr);
	if (idlen < 2 || idlen > 60)
		idlen = 0;
	for (i = 0; i < idlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	bindir = xstrndup(m->path, (size_t)(strrchr(m->path, '/') - m->path));
	rest = dirs = xstrdup(sy->debuginfo_path);
	while (!found && (dir = strsep(&rest, ":"))) {
		if (*dir == '+' || *dir == '-')
			dir++; /* libdwfl's CRC-checking modifiers */
		if (*dir == '/' && idlen) {
			cand = xasprintf("%s/.build-id/%.2s/%s.debug", dir, hex,
					 hex + 2);
			if (symbolizer_other_file(cand, &self))
				found = cand;
			else
				free(cand);
		}
		if (found || !link)
			continue;
		if (*dir == '/')
			cand = xasprintf("%s%s/%s", dir, bindir, link);
		else if (*dir)
			cand = xasprintf("%s/%s/%s", bindir, dir, link);
		else
			cand = xasprintf("%s/%s", bindir, link);
		if (symbolizer_other_file(cand, &self))
			found = cand;
		else
			free(cand);
	}
	free(dirs);
	free(bindir);
	return found;
}

/* Make m's DWARF index, saying once if a debug file is there but unusable. */
static void
symbolizer_index(struct symbolizer *sy, struct module *m)
{
	Dwarf_Addr bias;
	char *bad;

	m->ix = dwarfidx_new(m->mod, sy->demangle);
	m->symtab = symtab_new(m->mod);
	m->plt = plt_new(m->mod, m->symtab);
	if (dwfl_module_getdwarf(m->mod, &bias))
		return;
	bad = symbolizer_bad_debug_file(sy, m);
	if (bad)
		symbolizer_warn(sy, xasprintf("%s: debug file %s is unusable "
					      "(truncated, corrupt or of "
					      "another build); only the "
					      "symbol table names its frames",
					      m->path, bad));
	free(bad);
}

/* The line table's line for module address addr, 0 when not known. */
static uint32_t
symbolizer_src_line(struct module *m, GElf_Addr addr)
{
	Dwfl_Line *l = dwfl_module_getsrc(m->mod, addr);
	int line = 0;

	if (!l || !dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL) || line <= 0)
		return 0;
	return (uint32_t)line;
}

/*
 * The named DWARF hits into chain (outermost first), each with the line
 * it is at: the line table's for the innermost, the call's for the others.
 * Without inline frames (!whole) the line table's line may be in a call
 * inlined there, another function's: left unknown.
 */
static size_t
symbolizer_dwarf_chain(struct module *m, GElf_Addr addr,
		       const struct dwarfidx_hit *hits, size_t nh,
		       struct sym *chain, bool whole)
{
	size_t i, n = 0;

	for (i = 0; i < nh; i++) {
		if (!hits[i].name[0])
			continue;
		chain[n].name = hits[i].name;
		chain[n].file = hits[i].file;
		chain[n].line = hits[i].line;
		chain[n].inlined = i > 0;
		if (n)
			chain[n - 1].src_line = hits[i].call_line;
		n++;
	}
	if (n && whole)
		chain[n - 1].src_line = symbolizer_src_line(m, addr);
	return n;
}

/*
 * Resolve the ELF virtual address vaddr of m (mapped: vaddr is known and m
 * readable). The function and its inlined calls come from the DWARF when a
 * DWARF function covers the address, so that name and definition site
 * belong to one DIE; else the name comes from the symbol table, and else it
 * is "[module+0xOFF]" with fallback_off.
 */
static struct user_entry *
symbolizer_resolve(struct symbolizer *sy, struct module *m, bool mapped,
		   GElf_Addr vaddr, uint64_t fallback_off)
{
	struct dwarfidx_hit hits[SYM_MAX_CHAIN];
	struct sym chain[SYM_MAX_CHAIN];
	struct user_entry *u;
	const char *plt;
	size_t n = 0, nh, i;

	memset(chain, 0, sizeof(chain));
	if (mapped) {
		GElf_Addr addr = vaddr + m->bias;

		if (!m->ix)
			symbolizer_index(sy, m);
		nh = dwarfidx_lookup(m->ix, addr, hits,
				     sy->inline_frames ? SYM_MAX_CHAIN : 1);
		if (nh && !hits[0].inlined && hits[0].name[0]) {
			const char *sym =
				sy->dwarf_names ? NULL
						: symtab_find(m->symtab, addr);

			n = symbolizer_dwarf_chain(m, addr, hits, nh, chain,
						   sy->inline_frames);
			/*
			 * The function itself goes by its symbol, as perf
			 * and eu-addr2line name it: the exported qsort_r,
			 * not the DWARF name of glibc's internal alias
			 * (__GI___qsort_r), and a compiler's clone by what
			 * it is (foo.constprop.0). Inlined calls have no
			 * symbol: their DWARF names stay.
			 */
			if (sym && *sym) {
				char *d = demangle_name(sym, sy->demangle);

				chain[0].name = strpool_intern(&sy->names, d);
				free(d);
			}
		} else if ((plt = plt_find(m->plt, addr)) != NULL) {
			char *d = plt_demangle(plt, sy->demangle);

			chain[n].name = strpool_intern(&sy->names, d);
			free(d);
			chain[n].file = "";
			n++;
		} else {
			const char *name = symtab_find(m->symtab, addr);

			if (name && *name) {
				char *d = demangle_name(name, sy->demangle);

				chain[n].name = strpool_intern(&sy->names, d);
				chain[n].file = "";
				n++;
				free(d);
			}
		}
		for (i = 0; i < n; i++) {
			chain[i].module = m->base;
			chain[i].named = true;
		}
	}
	if (!n) {
		char *name =
			xasprintf("[%s+0x%" PRIx64 "]", m->base, fallback_off);

		chain[0].name = strpool_intern(&sy->names, name);
		chain[0].module = m->base;
		chain[0].file = "";
		n = 1;
		free(name);
	}
	u = xmalloc(sizeof(*u) + n * sizeof(u->chain[0]));
	u->n = n;
	memcpy(u->chain, chain, n * sizeof(u->chain[0]));
	if (sy->nusers == sy->users_cap) {
		sy->users_cap = sy->users_cap ? sy->users_cap * 2 : 256;
		sy->users = xreallocarray(sy->users, sy->users_cap,
					  sizeof(*sy->users));
	}
	sy->users[sy->nusers++] = u;
	return u;
}

static size_t
symbolizer_copy(const struct user_entry *u, struct sym *out, size_t max)
{
	size_t i;

	for (i = 0; i < u->n && i < max; i++)
		out[i] = u->chain[i];
	return i;
}

static size_t
symbolizer_user_in(struct symbolizer *sy, struct module *m, uint64_t file_off,
		   struct sym *out, size_t max)
{
	struct user_entry *u = intmap_get(&m->addrs, file_off + 1);

	if (!u) {
		GElf_Addr vaddr = 0;
		bool mapped = m->mod && module_vaddr(m, file_off, &vaddr);

		u = symbolizer_resolve(sy, m, mapped, vaddr, file_off);
		intmap_put(&m->addrs, file_off + 1, u);
	}
	return symbolizer_copy(u, out, max);
}

size_t
symbolizer_user(struct symbolizer *sy, const char *path, uint64_t file_off,
		struct sym *out, size_t max)
{
	return symbolizer_user_in(sy, symbolizer_module(sy, path), file_off,
				  out, max);
}

size_t
symbolizer_module_user(struct symbolizer *sy, const struct sym_module *sm,
		       uint64_t file_off, struct sym *out, size_t max)
{
	struct module *m = intmap_get(&sy->modules_by_id, sm->id + 1);

	if (!m) {
		m = symbolizer_new_module(sy, sm->path, sm->fd, sm->root_fd,
					  sm->unreadable);
		intmap_put(&sy->modules_by_id, sm->id + 1, m);
	}
	return symbolizer_user_in(sy, m, file_off, out, max);
}

void
symbolizer_module_build_id(struct symbolizer *sy, const struct sym_module *sm,
			   char *hex)
{
	struct module *m = intmap_get(&sy->modules_by_id, sm->id + 1);
	const unsigned char *id;
	GElf_Addr id_vaddr;
	int len, i;

	hex[0] = 0;
	if (!m || !m->mod)
		return;
	len = dwfl_module_build_id(m->mod, &id, &id_vaddr);
	for (i = 0; i < len && i < 64; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
}

int
symbolizer_open(struct symbolizer *sy, const char *path, struct scorch_err *err)
{
	struct module *m = symbolizer_module(sy, path);

	if (m->mod)
		return 0;
	err_set(err, "%s: %s", path, m->why ? m->why : "cannot be read");
	return -1;
}

size_t
symbolizer_elf(struct symbolizer *sy, const char *path, uint64_t vaddr,
	       struct sym *out, size_t max)
{
	struct module *m = symbolizer_module(sy, path);
	struct user_entry *u = intmap_get(&m->vaddrs, vaddr + 1);

	if (!u) {
		u = symbolizer_resolve(sy, m, m->mod != NULL, vaddr, vaddr);
		intmap_put(&m->vaddrs, vaddr + 1, u);
	}
	return symbolizer_copy(u, out, max);
}

void
symbolizer_kernel(struct symbolizer *sy, uint64_t addr, struct sym *out)
{
	struct sym_entry *e = intmap_get(&sy->kaddrs, addr + 1);
	const char *name = NULL, *module = "";

	if (!e) {
		if (!sy->ks_tried) {
			struct scorch_err err;

			sy->ks_tried = true;
			sy->ks = kallsyms_load(sy->kallsyms_path, &err);
			if (!sy->ks)
				symbolizer_warn(sy, xasprintf("%s; kernel "
							      "frames stay "
							      "unnamed",
							      err.msg));
			else if (kallsyms_hidden(sy->ks))
				symbolizer_warn(
					sy, xasprintf("%s: kernel addresses "
						      "are hidden "
						      "(kernel.kptr_restrict); "
						      "kernel frames are "
						      "shown as [kernel]",
						      sy->kallsyms_path));
		}
		if (sy->ks)
			name = kallsyms_find(sy->ks, addr, &module, NULL);
		if (name)
			e = symbolizer_entry(sy, xstrdup(name),
					     *module ? module : "[kernel]",
					     true);
		else
			e = symbolizer_entry(sy, xstrdup("[kernel]"),
					     "[kernel]", false);
		intmap_put(&sy->kaddrs, addr + 1, e);
	}
	*out = e->sym;
}

bool
symbolizer_jit(struct symbolizer *sy, int pid, uint64_t addr, struct sym *out)
{
	struct jit_map *jm = intmap_get(&sy->jits, (unsigned)pid + 1ULL);
	struct sym_entry *e;
	const char *name;

	if (!jm) {
		struct scorch_err err;
		char path[64];

		jm = xcalloc(1, sizeof(*jm));
		intmap_init(&jm->addrs);
		snprintf(path, sizeof(path), "/tmp/perf-%d.map", pid);
		jm->pm = perfmap_load(path, &err);
		intmap_put(&sy->jits, (unsigned)pid + 1ULL, jm);
	}
	if (!jm->pm)
		return false;
	e = intmap_get(&jm->addrs, addr + 1);
	if (!e) {
		name = perfmap_find(jm->pm, addr);
		if (!name)
			return false;
		e = symbolizer_entry(sy, xstrdup(name), "[jit]", true);
		intmap_put(&jm->addrs, addr + 1, e);
	}
	*out = e->sym;
	return true;
}
