/* SPDX-License-Identifier: MIT */
/* common/intmap.c - an integer-keyed hash map with linear probing. */
#include <stdlib.h>

#include "common.h"

void
intmap_init(struct intmap *m)
{
	m->slots = NULL;
	m->nslots = 0;
	m->len = 0;
}

void
intmap_fini(struct intmap *m)
{
	free(m->slots);
	intmap_init(m);
}

static size_t
intmap_index(unsigned long long key, size_t nslots)
{
	key ^= key >> 31;
	key *= 0x9e3779b97f4a7c15ULL;
	key ^= key >> 29;
	return (size_t)key & (nslots - 1);
}

void *
intmap_get(const struct intmap *m, unsigned long long key)
{
	size_t i;

	if (!m->nslots)
		return NULL;
	for (i = intmap_index(key, m->nslots); m->slots[i].value;
	     i = (i + 1) & (m->nslots - 1))
		if (m->slots[i].key == key)
			return m->slots[i].value;
	return NULL;
}

static void
intmap_grow(struct intmap *m)
{
	struct intmap_slot *old = m->slots;
	size_t i, j, n = m->nslots;

	m->nslots = n ? n * 2 : 64;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	for (i = 0; i < n; i++) {
		if (!old[i].value)
			continue;
		for (j = intmap_index(old[i].key, m->nslots); m->slots[j].value;
		     j = (j + 1) & (m->nslots - 1))
			;
		m->slots[j] = old[i];
	}
	free(old);
}

void
intmap_put(struct intmap *m, unsigned long long key, void *value)
{
	size_t i;

	if ((m->len + 1) * 2 > m->nslots)
		intmap_grow(m);
	for (i = intmap_index(key, m->nslots); m->slots[i].value;
	     i = (i + 1) & (m->nslots - 1)) {
		if (m->slots[i].key == key) {
			m->slots[i].value = value;
			return;
		}
	}
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->len++;
}
