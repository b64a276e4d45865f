/* SPDX-License-Identifier: MIT */
/*
 * symbolize/perfmap.c - names for JIT code from perf map files
 * (/tmp/perf-PID.map: "START SIZE name" in hex, one line per code object),
 * as written by node --perf-basic-prof, python -X perf and JVM agents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/common.h"
#include "symbolize.h"

struct jit_sym {
	uint64_t start, end;
	const char *name; /* interned in the pool */
	size_t line;	  /* later lines win where code was reused */
};

struct perfmap {
	struct jit_sym *syms; /* sorted by start, then line */
	size_t len, cap;
	struct strpool names;
};

int
perfmap_parse_line(char *line, uint64_t *start, uint64_t *size,
		   const char **name)
{
	char *p = line, *end;
	unsigned long long a, s;

	line[strcspn(line, "\n")] = '\0';
	errno = 0;
	a = strtoull(p, &end, 16);
	if (end == p || *end != ' ' || errno)
		return -1;
	p = end + 1;
	s = strtoull(p, &end, 16);
	if (end == p || *end != ' ' || errno || !s || a + s < a)
		return -1;
	p = end + 1;
	if (!*p)
		return -1;
	*start = a;
	*size = s;
	*name = p;
	return 0;
}

static int
jit_sym_cmp(const void *a, const void *b)
{
	const struct jit_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

struct perfmap *
perfmap_load(const char *path, struct scorch_err *err)
{
	struct perfmap *pm;
	struct stat st;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	FILE *fp;
	int fd;

	/* Not through a symlink: /tmp is shared with every user. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(err, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	fp = fdopen(fd, "r");
	if (!fp) {
		err_set(err, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	pm = xcalloc(1, sizeof(*pm));
	strpool_init(&pm->names);
	while (getline(&line, &cap, fp) > 0) {
		uint64_t start, size;
		const char *name;

		lineno++;
		if (perfmap_parse_line(line, &start, &size, &name) < 0)
			continue; /* a line being written, or junk: skip */
		if (pm->len == pm->cap) {
			pm->cap = pm->cap ? pm->cap * 2 : 1024;
			pm->syms = xreallocarray(pm->syms, pm->cap,
						 sizeof(*pm->syms));
		}
		pm->syms[pm->len].start = start;
		pm->syms[pm->len].end = start + size;
		pm->syms[pm->len].name = strpool_intern(&pm->names, name);
		pm->syms[pm->len].line = lineno;
		pm->len++;
	}
	free(line);
	fclose(fp);
	if (pm->len)
		qsort(pm->syms, pm->len, sizeof(*pm->syms), jit_sym_cmp);
	return pm;
}

void
perfmap_free(struct perfmap *pm)
{
	if (!pm)
		return;
	free(pm->syms);
	strpool_fini(&pm->names);
	free(pm);
}

/* How far back to look for an older, longer object covering addr. */
#define PERFMAP_OVERLAP_SCAN 64

const char *
perfmap_find(const struct perfmap *pm, uint64_t addr)
{
	const struct jit_sym *best = NULL;
	size_t lo = 0, hi = pm->len, i, n;

	/* The last object starting at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* JIT code is freed and reused: of the objects covering addr, the
	 * one written last is the live one. */
	for (i = lo, n = 0; i > 0 && n < PERFMAP_OVERLAP_SCAN; i--, n++) {
		const struct jit_sym *s = &pm->syms[i - 1];

		if (addr < s->end && (!best || s->line > best->line))
			best = s;
	}
	return best ? best->name : NULL;
}
