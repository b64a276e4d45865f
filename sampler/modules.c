/* SPDX-License-Identifier: MIT */
/*
 * sampler/modules.c - the files targets map as code, each opened once,
 * while it is mapped, so that unwinding (now) and naming (after recording)
 * read the very file the process ran: not a rebuild that replaced it on
 * disk, not a file of the same name in another mount namespace.
 *
 * A module is opened, in order of preference, through
 *  1. /proc/PID/map_files/START-END: the mapped inode itself, even when it
 *     was deleted or replaced (needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE);
 *  2. /proc/PID/root/PATH: the path in the process's own mount namespace
 *     (containers), accepted only if its inode is the mapped one;
 *  3. PATH as scorch sees it, with the same check.
 * A file whose path now names another inode is flagged as replaced and not
 * opened: naming its addresses from the new file would name the wrong code.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include "../common/common.h"
#include "internal.h"

#define DELETED_SUFFIX " (deleted)"

/* A module's PT_LOAD segments, for file offset -> ELF address. */
struct module_loads {
	struct module_load {
		uint64_t offset, vaddr, filesz;
		bool exec; /* PF_X */
	} * seg;
	size_t n;
};

struct module_table {
	struct intmap index; /* hash(dev, ino, path) -> id + 1 */
	struct addr_module *mods;
	struct module_loads *loads; /* parallel to mods */
	size_t len, cap;
	struct strpool paths;
};

struct module_table *
module_table_new(void)
{
	struct module_table *mt = xcalloc(1, sizeof(*mt));

	intmap_init(&mt->index);
	strpool_init(&mt->paths);
	return mt;
}

void
module_table_free(struct module_table *mt)
{
	size_t i;

	if (!mt)
		return;
	for (i = 0; i < mt->len; i++) {
		if (mt->mods[i].fd >= 0)
			close(mt->mods[i].fd);
		if (mt->mods[i].root_fd >= 0)
			close(mt->mods[i].root_fd);
		free(mt->loads[i].seg);
	}
	free(mt->mods);
	free(mt->loads);
	intmap_fini(&mt->index);
	strpool_fini(&mt->paths);
	free(mt);
}

/* True for a mapping's path that names a file (not [vdso], [heap], anon). */
static bool
module_is_file(const char *path)
{
	return path[0] == '/';
}

/*
 * Open path and accept it only if it is the mapped inode (when known). Only
 * the inode number is compared: overlay and btrfs file systems report a
 * different device through stat() than through the process's maps.
 */
static int
module_open_checked(const char *path, uint64_t ino, bool *mismatch)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ino && (fstat(fd, &st) < 0 || st.st_ino != ino)) {
		*mismatch = true;
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The kernel maps the vDSO into every process from one image, so scorch's
 * own copy stands for the target's. ELF readers want a file: copy the image
 * into a memfd.
 */
static int
module_vdso_fd(void)
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

/* Read the PT_LOAD segments of an open ELF file. */
static void
module_read_loads(int fd, struct module_loads *ml)
{
	Elf *elf;
	size_t i, nph;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return;
	if (elf_kind(elf) == ELF_K_ELF && elf_getphdrnum(elf, &nph) == 0 &&
	    nph) {
		ml->seg = xcalloc(nph, sizeof(*ml->seg));
		for (i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) ||
			    ph.p_type != PT_LOAD)
				continue;
			ml->seg[ml->n].offset = ph.p_offset;
			ml->seg[ml->n].vaddr = ph.p_vaddr;
			ml->seg[ml->n].filesz = ph.p_filesz;
			ml->seg[ml->n].exec = (ph.p_flags & PF_X) != 0;
			ml->n++;
		}
	}
	elf_end(elf);
}

/*
 * The root directory of pid when it is not ours (a container's mount
 * namespace or a chroot), kept open so that its debug files can be looked
 * up after the process exits; -1 when it is ours or cannot be opened.
 */
static int
module_root_fd(pid_t pid)
{
	struct stat ours, theirs, our_ns, their_ns;
	char buf[64], ns[64];

	if (pid <= 0)
		return -1;
	snprintf(buf, sizeof(buf), "/proc/%d/root", (int)pid);
	snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)pid);
	if (stat("/", &ours) < 0 || stat(buf, &theirs) < 0)
		return -1;
	/* The same root in the same mount namespace: ours. (One root seen
	 * through another namespace can have other mounts on it.) */
	if (ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino &&
	    (stat("/proc/self/ns/mnt", &our_ns) < 0 ||
	     stat(ns, &their_ns) < 0 || our_ns.st_ino == their_ns.st_ino))
		return -1;
	return open(buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void
module_open(struct addr_module *mod, pid_t pid, const struct addr_map *m,
	    const char *path)
{
	char buf[4096 + 64];
	bool mismatch = false;
	int fd;

	snprintf(buf, sizeof(buf), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		 (int)pid, m->start, m->end);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && pid > 0 &&
	    (size_t)snprintf(buf, sizeof(buf), "/proc/%d/root%s", (int)pid,
			     path) < sizeof(buf))
		fd = module_open_checked(buf, m->ino, &mismatch);
	if (fd < 0)
		fd = module_open_checked(path, m->ino, &mismatch);
	mod->fd = fd;
	mod->replaced = fd < 0 && mismatch;
	mod->root_fd = module_root_fd(pid);
}

uint32_t
module_table_get(struct module_table *mt, pid_t pid, const struct addr_map *m)
{
	size_t plen = strlen(m->path), slen = strlen(DELETED_SUFFIX);
	struct addr_module *mod;
	char *path;
	unsigned long long key;
	uintptr_t parts[3];
	void *v;

	/* Anonymous memory ("//anon" in MMAP2 records), [heap], JIT code. */
	if ((m->path[0] != '/' && strcmp(m->path, "[vdso]")) ||
	    !strncmp(m->path, "//anon", 6))
		return MODULE_NONE;
	/* A deleted file's maps line says "PATH (deleted)". */
	path = xstrdup(m->path);
	if (plen > slen && !strcmp(path + plen - slen, DELETED_SUFFIX))
		path[plen - slen] = '\0';
	parts[0] = (uintptr_t)strpool_intern(&mt->paths, path);
	free(path);
	parts[1] = (uintptr_t)m->dev;
	parts[2] = (uintptr_t)m->ino;
	key = hash_bytes(parts, sizeof(parts), 7);
	while ((v = intmap_get(&mt->index, key))) {
		mod = &mt->mods[(uintptr_t)v - 1];
		if ((uintptr_t)mod->path == parts[0] && mod->dev == m->dev &&
		    mod->ino == m->ino)
			return (uint32_t)((uintptr_t)v - 1);
		key++;
	}
	if (mt->len == mt->cap) {
		mt->cap = mt->cap ? mt->cap * 2 : 64;
		mt->mods = xreallocarray(mt->mods, mt->cap, sizeof(*mt->mods));
		mt->loads =
			xreallocarray(mt->loads, mt->cap, sizeof(*mt->loads));
	}
	mod = &mt->mods[mt->len];
	memset(mod, 0, sizeof(*mod));
	memset(&mt->loads[mt->len], 0, sizeof(mt->loads[mt->len]));
	mod->path = (const char *)parts[0];
	mod->dev = m->dev;
	mod->ino = m->ino;
	mod->fd = -1;
	mod->root_fd = -1;
	if (module_is_file(mod->path))
		module_open(mod, pid, m, mod->path);
	else
		mod->fd = module_vdso_fd();
	if (mod->fd >= 0)
		module_read_loads(mod->fd, &mt->loads[mt->len]);
	intmap_put(&mt->index, key, (void *)(uintptr_t)(mt->len + 1));
	return (uint32_t)mt->len++;
}

size_t
module_table_len(const struct module_table *mt)
{
	return mt->len;
}

const struct addr_module *
module_table_at(const struct module_table *mt, uint32_t id)
{
	return id < mt->len ? &mt->mods[id] : NULL;
}

/*
 * The segment mapping m maps, as the loader maps segments: each PT_LOAD
 * from the page holding p_offset, at the page holding p_vaddr, through
 * p_offset + p_filesz. Pages of two segments can hold the same file bytes
 * (LLD puts the end of the read-only segment and the start of the
 * executable one in one file page, at addresses 0x1000 apart), so the
 * offset alone does not name the segment: the map set holds executable
 * mappings only, and an executable mapping maps an executable PT_LOAD.
 * A file whose segments carry no PF_X where m maps (a vDSO copy, odd
 * linkers) falls back to the first segment holding the offset.
 */
static const struct module_load *
module_load_of(const struct module_loads *ml, const struct addr_map *m,
	       uint64_t page)
{
	const struct module_load *any = NULL;
	size_t i;

	for (i = 0; i < ml->n; i++) {
		const struct module_load *sg = &ml->seg[i];
		uint64_t lo = sg->offset & ~(page - 1);

		if (m->pgoff < lo || m->pgoff >= sg->offset + sg->filesz)
			continue;
		if (sg->exec)
			return sg;
		if (!any)
			any = sg;
	}
	return any;
}

bool
module_table_bias(const struct module_table *mt, const struct addr_map *m,
		  uint64_t *bias)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	const struct module_load *sg;

	if (m->module >= mt->len)
		return false;
	sg = module_load_of(&mt->loads[m->module], m, page);
	if (!sg)
		return false;
	/*
	 * File offset pgoff of the segment is at ELF address
	 * pgoff - p_offset + p_vaddr (the two agree modulo the page size,
	 * so page-aligning both does not change the difference); m->start
	 * is that address plus the bias.
	 */
	*bias = m->start - (m->pgoff - sg->offset + sg->vaddr);
	return true;
}
