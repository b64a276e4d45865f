/* SPDX-License-Identifier: MIT */
/* sampler/maps.c - executable memory maps of target processes over time. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "../common/common.h"
#include "internal.h"

struct pid_maps {
	struct addr_map *maps; /* sorted by start, non-overlapping */
	size_t len, cap;
	uint64_t gen; /* changes whenever the maps do */
};

struct map_set {
	struct intmap pids;   /* pid -> struct pid_maps * */
	struct strpool paths; /* interned paths, shared by all maps */
};

int
maps_parse_line(char *line, struct addr_map *m)
{
	unsigned long long start, end, pgoff, inode;
	unsigned major, minor;
	char perms[8];
	int n = 0;
	char *path, *nl;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu%n", &start, &end, perms,
		   &pgoff, &major, &minor, &inode, &n) != 7 ||
	    n == 0 || end <= start || strlen(perms) != 4)
		return -1;
	if (perms[2] != 'x')
		return 0;
	path = line + n;
	while (*path == ' ' || *path == '\t')
		path++;
	nl = strchr(path, '\n');
	if (nl)
		*nl = '\0';
	m->start = start;
	m->end = end;
	m->pgoff = pgoff;
	m->dev = makedev(major, minor);
	m->ino = inode;
	m->path = path;
	m->module = MODULE_NONE;
	return 1;
}

struct map_set *
map_set_new(void)
{
	struct map_set *ms = xcalloc(1, sizeof(*ms));

	intmap_init(&ms->pids);
	strpool_init(&ms->paths);
	return ms;
}

void
map_set_free(struct map_set *ms)
{
	size_t i;

	if (!ms)
		return;
	for (i = 0; i < ms->pids.nslots; i++) {
		struct pid_maps *pm = ms->pids.slots[i].value;

		if (pm) {
			free(pm->maps);
			free(pm);
		}
	}
	intmap_fini(&ms->pids);
	strpool_fini(&ms->paths);
	free(ms);
}

static struct pid_maps *
map_set_pid(struct map_set *ms, pid_t pid)
{
	struct pid_maps *pm = intmap_get(&ms->pids, (unsigned)pid);

	if (!pm) {
		pm = xcalloc(1, sizeof(*pm));
		intmap_put(&ms->pids, (unsigned)pid, pm);
	}
	return pm;
}

static void
pid_maps_push(struct pid_maps *pm, const struct addr_map *m)
{
	if (pm->len == pm->cap) {
		pm->cap = pm->cap ? pm->cap * 2 : 32;
		pm->maps = xreallocarray(pm->maps, pm->cap, sizeof(*pm->maps));
	}
	pm->maps[pm->len++] = *m;
}

static int
addr_map_cmp(const void *a, const void *b)
{
	const struct addr_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void
map_set_add(struct map_set *ms, pid_t pid, const struct addr_map *add)
{
	struct pid_maps *pm = map_set_pid(ms, pid);
	struct addr_map *old = pm->maps, m;
	uint64_t start = add->start, end = add->end;
	size_t i, n = pm->len;

	if (end <= start)
		return;
	/* Rebuild the list without the parts the new mapping covers. */
	pm->maps = NULL;
	pm->len = pm->cap = 0;
	for (i = 0; i < n; i++) {
		struct addr_map o = old[i];

		if (o.end <= start || o.start >= end) {
			pid_maps_push(pm, &o);
			continue;
		}
		if (o.start < start) {
			m = o;
			m.end = start;
			pid_maps_push(pm, &m);
		}
		if (o.end > end) {
			m = o;
			m.pgoff += end - o.start;
			m.start = end;
			pid_maps_push(pm, &m);
		}
	}
	free(old);
	m = *add;
	m.path = strpool_intern(&ms->paths, add->path);
	pid_maps_push(pm, &m);
	qsort(pm->maps, pm->len, sizeof(*pm->maps), addr_map_cmp);
	pm->gen++;
}

void
map_set_fork(struct map_set *ms, pid_t parent, pid_t child)
{
	struct pid_maps *pp = intmap_get(&ms->pids, (unsigned)parent);
	struct pid_maps *pc = map_set_pid(ms, child);
	size_t i;

	pc->len = 0;
	pc->gen++;
	if (!pp)
		return;
	for (i = 0; i < pp->len; i++)
		pid_maps_push(pc, &pp->maps[i]);
}

void
map_set_exec(struct map_set *ms, pid_t pid)
{
	struct pid_maps *pm = intmap_get(&ms->pids, (unsigned)pid);

	if (pm) {
		pm->len = 0;
		pm->gen++;
	}
}

int
map_set_load_proc(struct map_set *ms, struct module_table *mt, pid_t pid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	struct addr_map m;
	FILE *fp;
	int saved;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return -errno;
	map_set_exec(ms, pid);
	while (getline(&line, &cap, fp) > 0)
		if (maps_parse_line(line, &m) == 1) {
			m.module = module_table_get(mt, pid, &m);
			map_set_add(ms, pid, &m);
		}
	saved = ferror(fp) ? -EIO : 0;
	free(line);
	fclose(fp);
	return saved;
}

const struct addr_map *
map_set_find(const struct map_set *ms, pid_t pid, uint64_t addr)
{
	const struct pid_maps *pm = intmap_get(&ms->pids, (unsigned)pid);
	size_t lo = 0, hi;

	if (!pm)
		return NULL;
	hi = pm->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct addr_map *m = &pm->maps[mid];

		if (addr < m->start)
			hi = mid;
		else if (addr >= m->end)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
}

const struct addr_map *
map_set_maps(const struct map_set *ms, pid_t pid, size_t *n, uint64_t *gen)
{
	const struct pid_maps *pm = intmap_get(&ms->pids, (unsigned)pid);

	*n = pm ? pm->len : 0;
	*gen = pm ? pm->gen : 0;
	return pm ? pm->maps : NULL;
}
