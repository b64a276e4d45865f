/* SPDX-License-Identifier: MIT */
/* symbolize/kallsyms.c - kernel symbols from /proc/kallsyms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "symbolize.h"

/*
 * kallsyms has no sizes: an address further than this past the symbol
 * below it lies in code with no symbol (BPF, a module's data, a gap) and
 * stays unnamed rather than take the name of whatever precedes it.
 */
#define KALLSYMS_MAX_FUNC_SIZE (1u << 20)

struct ksym {
	uint64_t addr;
	const char *name;   /* into the string pool */
	const char *module; /* "" for the core kernel */
};

struct kallsyms {
	struct ksym *syms; /* sorted by addr */
	size_t len, cap;
	struct strpool modules; /* interned module names */
	char **blocks;		/* the names, packed into big blocks */
	size_t nblocks;
	char *block_at; /* free space in the last block */
	size_t block_left;
	bool hidden;
};

#define KALLSYMS_BLOCK (1u << 20)

/* A copy of name in the packed blocks: 120k names, no malloc each. */
static const char *
kallsyms_keep(struct kallsyms *ks, const char *name)
{
	size_t n = strlen(name) + 1;
	char *p;

	if (n > ks->block_left) {
		size_t size = n > KALLSYMS_BLOCK ? n : KALLSYMS_BLOCK;

		ks->blocks = xreallocarray(ks->blocks, ks->nblocks + 1,
					   sizeof(*ks->blocks));
		ks->blocks[ks->nblocks++] = ks->block_at = xmalloc(size);
		ks->block_left = size;
	}
	p = ks->block_at;
	memcpy(p, name, n);
	ks->block_at += n;
	ks->block_left -= n;
	return p;
}

int
kallsyms_parse_line(char *line, uint64_t *addr, const char **name,
		    const char **module)
{
	char *p = line, *end, *n, *m;
	unsigned long long a;
	char type;

	errno = 0;
	a = strtoull(p, &end, 16);
	if (end == p || *end != ' ' || errno)
		return -1;
	p = end + 1;
	type = *p;
	if (!type || p[1] != ' ')
		return -1;
	n = p + 2;
	n[strcspn(n, "\n")] = '\0';
	if (!*n)
		return -1;
	m = strchr(n, '\t');
	if (!m)
		m = strchr(n, ' ');
	if (m) {
		*m++ = '\0';
		while (*m == ' ' || *m == '\t')
			m++;
		if (*m == '[') {
			m++;
			m[strcspn(m, "]")] = '\0';
		}
	} else {
		m = n + strlen(n); /* "" */
	}
	/* Only code: t/T text, w/W weak (functions too on x86). */
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;
	*addr = a;
	*name = n;
	*module = m;
	return 1;
}

static int
ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Equal addresses: a global name before a local one, then by name. */
	return strcmp(x->name, y->name);
}

struct kallsyms *
kallsyms_load(const char *path, struct scorch_err *err)
{
	struct kallsyms *ks;
	char *line = NULL;
	size_t cap = 0;
	FILE *fp;
	bool nonzero = false, unsorted = false;

	fp = fopen(path, "re");
	if (!fp) {
		err_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	ks = xcalloc(1, sizeof(*ks));
	strpool_init(&ks->modules);
	/* Few, big reads: the kernel writes the file as it is read. */
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	while (getline(&line, &cap, fp) > 0) {
		const char *name, *module;
		uint64_t addr;

		if (kallsyms_parse_line(line, &addr, &name, &module) != 1)
			continue;
		if (addr)
			nonzero = true;
		if (ks->len == ks->cap) {
			ks->cap = ks->cap ? ks->cap * 2 : 65536;
			ks->syms = xreallocarray(ks->syms, ks->cap,
						 sizeof(*ks->syms));
		}
		ks->syms[ks->len].addr = addr;
		ks->syms[ks->len].name = kallsyms_keep(ks, name);
		ks->syms[ks->len].module =
			*module ? strpool_intern(&ks->modules, module) : "";
		if (ks->len && addr < ks->syms[ks->len - 1].addr)
			unsorted = true;
		ks->len++;
	}
	free(line);
	fclose(fp);
	ks->hidden = ks->len == 0 || !nonzero;
	/* The core kernel comes in address order; modules may not. */
	if (ks->len && unsorted)
		qsort(ks->syms, ks->len, sizeof(*ks->syms), ksym_cmp);
	return ks;
}

void
kallsyms_free(struct kallsyms *ks)
{
	size_t i;

	if (!ks)
		return;
	for (i = 0; i < ks->nblocks; i++)
		free(ks->blocks[i]);
	free(ks->blocks);
	free(ks->syms);
	strpool_fini(&ks->modules);
	free(ks);
}

bool
kallsyms_hidden(const struct kallsyms *ks)
{
	return ks->hidden;
}

const char *
kallsyms_find(const struct kallsyms *ks, uint64_t addr, const char **module,
	      uint64_t *sym_off)
{
	size_t lo = 0, hi = ks->len;

	if (ks->hidden || !ks->len || addr < ks->syms[0].addr)
		return NULL;
	/* The last symbol starting at or below addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (addr - ks->syms[lo].addr >= KALLSYMS_MAX_FUNC_SIZE)
		return NULL;
	/* Of several names at one address, report the first in order. */
	while (lo > 0 && ks->syms[lo - 1].addr == ks->syms[lo].addr)
		lo--;
	if (module)
		*module = ks->syms[lo].module;
	if (sym_off)
		*sym_off = addr - ks->syms[lo].addr;
	return ks->syms[lo].name;
}
