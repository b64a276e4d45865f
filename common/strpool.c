/* SPDX-License-Identifier: MIT */
/* common/strpool.c - a pool of interned strings. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

void
strpool_init(struct strpool *sp)
{
	intmap_init(&sp->map);
	sp->all = NULL;
	sp->len = sp->cap = 0;
}

void
strpool_fini(struct strpool *sp)
{
	size_t i;

	for (i = 0; i < sp->len; i++)
		free(sp->all[i]);
	free(sp->all);
	intmap_fini(&sp->map);
	sp->all = NULL;
	sp->len = sp->cap = 0;
}

const char *
strpool_intern(struct strpool *sp, const char *s)
{
	unsigned long long key = hash_bytes(s, strlen(s), 7);
	char *v;

	/* Probe past a different string with the same 64-bit hash. */
	while ((v = intmap_get(&sp->map, key)) && strcmp(v, s))
		key++;
	if (v)
		return v;
	v = xstrdup(s);
	intmap_put(&sp->map, key, v);
	if (sp->len == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 64;
		sp->all = xreallocarray(sp->all, sp->cap, sizeof(*sp->all));
	}
	sp->all[sp->len++] = v;
	return v;
}
