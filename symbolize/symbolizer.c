/* SPDX-License-Identifier: MIT */
/*
 * symbolize/symbolizer.c - naming user and kernel addresses, with each
 * module opened once and each (module, offset) resolved once.
 */
#include <dwarf.h>
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
#include <unistd.h>

#include "../common/common.h"
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
	struct intmap addrs; /* file_off + 1 -> struct user_entry * */
};

struct sym_entry {
	struct sym sym;
};

/* What one user address resolved to: its function and inlined calls. */
struct user_entry {
	size_t n;
	struct sym_entry *chain[SYM_MAX_CHAIN]; /* outermost first */
};

/* One process's perf map, loaded on first use. */
struct jit_map {
	struct perfmap *pm;  /* NULL when the process wrote none */
	struct intmap addrs; /* addr + 1 -> struct sym_entry * */
};

struct symbolizer {
	struct intmap modules; /* hash(path) -> struct module * */
	struct module **mods;  /* every module, for freeing */
	size_t nmods;
	struct kallsyms *ks; /* NULL until the first kernel address */
	bool ks_tried;
	bool demangle;
	bool inline_frames;
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

static const Dwfl_Callbacks symbolizer_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct symbolizer *
symbolizer_new(const struct symbolizer_opts *opts)
{
	struct symbolizer *sy = xcalloc(1, sizeof(*sy));

	intmap_init(&sy->modules);
	intmap_init(&sy->kaddrs);
	intmap_init(&sy->jits);
	sy->demangle = !(opts && opts->no_demangle);
	sy->inline_frames = !(opts && opts->no_inline);
	sy->kallsyms_path =
		xstrdup(opts && opts->kallsyms_path ? opts->kallsyms_path
						    : "/proc/kallsyms");
	return sy;
}

static void
module_free(struct module *m)
{
	if (m->dwfl)
		dwfl_end(m->dwfl);
	intmap_fini(&m->addrs);
	free(m->loads);
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
	intmap_fini(&sy->kaddrs);
	kallsyms_free(sy->ks);
	free(sy->kallsyms_path);
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
 * The kernel maps the vDSO into every process from one image, so scorch's
 * own copy names the target's vDSO frames. libdwfl wants a file: copy the
 * image into a memfd.
 */
static int
symbolizer_vdso_fd(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	unsigned long long start, end;
	char line[256];
	FILE *fp;
	int fd = -1;

	if (!base)
		return -1;
	fp = fopen("/proc/self/maps", "re");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		if (!strstr(line, "[vdso]"))
			continue;
		if (sscanf(line, "%llx-%llx", &start, &end) != 2 ||
		    start != base)
			break;
		fd = memfd_create("vdso", MFD_CLOEXEC);
		if (fd >= 0 && write(fd, (void *)base, end - start) !=
				       (ssize_t)(end - start)) {
			close(fd);
			fd = -1;
		}
		break;
	}
	fclose(fp);
	return fd;
}

static int
module_open(struct module *m, char **why)
{
	Elf *elf;
	size_t i, nph;
	int fd = -1;

	if (!strcmp(m->path, "[vdso]")) {
		fd = symbolizer_vdso_fd();
		if (fd < 0) {
			*why = xstrdup("cannot read the vDSO image");
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
	m->dwfl = dwfl_begin(&symbolizer_callbacks);
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
	m->loads = xcalloc(nph ? nph : 1, sizeof(*m->loads));
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			m->loads[m->nloads++] = ph;
	}
	return 0;
}

static struct module *
symbolizer_module(struct symbolizer *sy, const char *path)
{
	unsigned long long key = hash_bytes(path, strlen(path), 0);
	struct module *m;
	const char *slash;
	char *why = NULL;

	while ((m = intmap_get(&sy->modules, key)) && strcmp(m->path, path))
		key++;
	if (m)
		return m;
	m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(path);
	slash = strrchr(m->path, '/');
	m->base = slash && slash[1] ? slash + 1 : m->path;
	intmap_init(&m->addrs);
	if (module_open(m, &why) < 0) {
		symbolizer_warn(sy, xasprintf("%s: %s; its frames stay "
					      "unnamed",
					      path, why));
		free(why);
		if (m->dwfl)
			dwfl_end(m->dwfl);
		m->dwfl = NULL;
		m->mod = NULL;
	}
	intmap_put(&sy->modules, key, m);
	sy->mods = xreallocarray(sy->mods, sy->nmods + 1, sizeof(*sy->mods));
	sy->mods[sy->nmods++] = m;
	return m;
}

static struct sym_entry *
symbolizer_entry(struct symbolizer *sy, char *name, const char *module,
		 bool named)
{
	struct sym_entry *e = xmalloc(sizeof(*e));

	e->sym.name = name;
	e->sym.module = module;
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

/* The name of a DWARF function or inlined call, demangled (caller frees). */
static char *
symbolizer_die_name(struct symbolizer *sy, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name = NULL;

	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr))
		name = dwarf_formstring(&attr);
	if (!name && dwarf_attr_integrate(die, DW_AT_name, &attr))
		name = dwarf_formstring(&attr);
	return name ? demangle_name(name, sy->demangle) : NULL;
}

/*
 * The calls inlined at addr, innermost first, into names[] (caller frees
 * each). dwarf_getscopes() finds the innermost inlined instance but goes on
 * through its abstract origin; the concrete callers come from
 * dwarf_getscopes_die() on each instance in turn, as eu-addr2line -i does.
 */
static size_t
symbolizer_inlines(struct symbolizer *sy, struct module *m, GElf_Addr addr,
		   char **names, size_t max)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = dwfl_module_addrdie(m->mod, addr, &bias);
	Dwarf_Die *scopes = NULL, die;
	bool found = false;
	size_t n = 0;
	int i, nscopes;

	if (!cu)
		return 0;
	nscopes = dwarf_getscopes(cu, addr - bias, &scopes);
	for (i = 0; i < nscopes; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram)
			break; /* nothing inlined at addr */
		if (tag == DW_TAG_inlined_subroutine) {
			die = scopes[i];
			found = true;
			break;
		}
	}
	free(scopes);
	while (found && n < max) {
		Dwarf_Die *outer = NULL;
		int nouter;

		names[n] = symbolizer_die_name(sy, &die);
		if (names[n])
			n++;
		found = false;
		nouter = dwarf_getscopes_die(&die, &outer);
		for (i = 1; i < nouter; i++) {
			int tag = dwarf_tag(&outer[i]);

			if (tag == DW_TAG_subprogram)
				break; /* the function itself */
			if (tag == DW_TAG_inlined_subroutine) {
				die = outer[i];
				found = true;
				break;
			}
		}
		free(outer);
	}
	return n;
}

static struct user_entry *
symbolizer_user_entry(struct symbolizer *sy, struct module *m,
		      uint64_t file_off)
{
	struct user_entry *u = xcalloc(1, sizeof(*u));
	const char *name = NULL;
	char *inl[SYM_MAX_CHAIN - 1];
	size_t ninl = 0, i;
	GElf_Addr vaddr;

	if (m->mod && module_vaddr(m, file_off, &vaddr)) {
		GElf_Off off;
		GElf_Sym sym;

		name = dwfl_module_addrinfo(m->mod, vaddr + m->bias, &off, &sym,
					    NULL, NULL, NULL);
		if (name && *name && sy->inline_frames)
			ninl = symbolizer_inlines(sy, m, vaddr + m->bias, inl,
						  SYM_MAX_CHAIN - 1);
	}
	if (name && *name)
		u->chain[u->n++] = symbolizer_entry(
			sy, demangle_name(name, sy->demangle), m->base, true);
	else
		u->chain[u->n++] = symbolizer_entry(
			sy, xasprintf("[%s+0x%" PRIx64 "]", m->base, file_off),
			m->base, false);
	/* libdw gives the innermost first; profiles want outermost first. */
	for (i = ninl; i-- > 0;) {
		u->chain[u->n] = symbolizer_entry(sy, inl[i], m->base, true);
		u->chain[u->n]->sym.inlined = true;
		u->n++;
	}
	if (sy->nusers == sy->users_cap) {
		sy->users_cap = sy->users_cap ? sy->users_cap * 2 : 256;
		sy->users = xreallocarray(sy->users, sy->users_cap,
					  sizeof(*sy->users));
	}
	sy->users[sy->nusers++] = u;
	return u;
}

size_t
symbolizer_user(struct symbolizer *sy, const char *path, uint64_t file_off,
		struct sym *out, size_t max)
{
	struct module *m = symbolizer_module(sy, path);
	struct user_entry *u = intmap_get(&m->addrs, file_off + 1);
	size_t i;

	if (!u) {
		u = symbolizer_user_entry(sy, m, file_off);
		intmap_put(&m->addrs, file_off + 1, u);
	}
	for (i = 0; i < u->n && i < max; i++)
		out[i] = u->chain[i]->sym;
	return i;
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
