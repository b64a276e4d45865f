/* SPDX-License-Identifier: MIT */
/* sampler/stacks.c - the address profile: unique raw stacks with counts. */
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

/*
 * Open addressing over indexes into entries[]; the ips of all stacks live in
 * one growing array, and their user frames' modules in another, so an
 * entry's pointers are fixed up on access.
 */
struct stack_entry {
	struct addr_stack st; /* st.ips, st.modules resolved on get */
	size_t ips_off;	      /* offset into t->ips */
	size_t mods_off;      /* offset into t->mods */
	unsigned long long hash;
};

struct stack_table {
	struct stack_entry *entries;
	size_t len, cap;
	uint32_t *slots; /* index + 1, 0 = empty */
	size_t nslots;	 /* power of two */
	uint64_t *ips;
	size_t nips, ips_cap;
	uint32_t *mods;
	size_t nmods, mods_cap;
};

struct stack_table *
stack_table_new(void)
{
	struct stack_table *t = xcalloc(1, sizeof(*t));

	t->nslots = 1024;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	return t;
}

void
stack_table_free(struct stack_table *t)
{
	if (!t)
		return;
	free(t->entries);
	free(t->slots);
	free(t->ips);
	free(t->mods);
	free(t);
}

static unsigned long long
stack_table_hash(pid_t pid, pid_t tid, uint32_t image, const uint64_t *ips,
		 const uint32_t *modules, uint32_t nkernel, uint32_t nuser,
		 uint32_t flags)
{
	uint32_t head[6] = { (uint32_t)pid, (uint32_t)tid, image,
			     nkernel,	    nuser,	   flags };
	unsigned long long h = hash_bytes(head, sizeof(head), 0);

	h = hash_bytes(ips, (size_t)(nkernel + nuser) * sizeof(*ips), h);
	return hash_bytes(modules, (size_t)nuser * sizeof(*modules), h);
}

static void
stack_table_grow(struct stack_table *t)
{
	size_t i, nslots = t->nslots * 2;
	uint32_t *slots = xcalloc(nslots, sizeof(*slots));

	for (i = 0; i < t->len; i++) {
		size_t j = t->entries[i].hash & (nslots - 1);

		while (slots[j])
			j = (j + 1) & (nslots - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
}

size_t
stack_table_add(struct stack_table *t, pid_t pid, pid_t tid, uint32_t image,
		const uint64_t *ips, const uint32_t *modules, uint32_t nkernel,
		uint32_t nuser, uint32_t flags, uint64_t count)
{
	unsigned long long h = stack_table_hash(pid, tid, image, ips, modules,
						nkernel, nuser, flags);
	size_t n = (size_t)nkernel + nuser;
	size_t j = h & (t->nslots - 1);
	struct stack_entry *e;

	while (t->slots[j]) {
		e = &t->entries[t->slots[j] - 1];
		if (e->hash == h && e->st.pid == pid && e->st.tid == tid &&
		    e->st.image == image && e->st.nkernel == nkernel &&
		    e->st.nuser == nuser && e->st.flags == flags &&
		    (!n ||
		     !memcmp(t->ips + e->ips_off, ips, n * sizeof(*ips))) &&
		    (!nuser || !memcmp(t->mods + e->mods_off, modules,
				       nuser * sizeof(*modules)))) {
			e->st.count += count;
			return t->slots[j] - 1;
		}
		j = (j + 1) & (t->nslots - 1);
	}
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->entries = xreallocarray(t->entries, t->cap, sizeof(*e));
	}
	if (t->nips + n > t->ips_cap) {
		while (t->nips + n > t->ips_cap)
			t->ips_cap = t->ips_cap ? t->ips_cap * 2 : 4096;
		t->ips = xreallocarray(t->ips, t->ips_cap, sizeof(*t->ips));
	}
	if (t->nmods + nuser > t->mods_cap) {
		while (t->nmods + nuser > t->mods_cap)
			t->mods_cap = t->mods_cap ? t->mods_cap * 2 : 4096;
		t->mods = xreallocarray(t->mods, t->mods_cap, sizeof(*t->mods));
	}
	if (n)
		memcpy(t->ips + t->nips, ips, n * sizeof(*ips));
	if (nuser)
		memcpy(t->mods + t->nmods, modules, nuser * sizeof(*modules));
	e = &t->entries[t->len];
	memset(e, 0, sizeof(*e));
	e->st.pid = pid;
	e->st.tid = tid;
	e->st.image = image;
	e->st.nkernel = nkernel;
	e->st.nuser = nuser;
	e->st.flags = flags;
	e->st.count = count;
	e->ips_off = t->nips;
	e->mods_off = t->nmods;
	e->hash = h;
	t->nips += n;
	t->nmods += nuser;
	t->slots[j] = (uint32_t)++t->len;
	if (t->len * 2 > t->nslots)
		stack_table_grow(t);
	return t->len - 1;
}

void
stack_table_add_off_cpu(struct stack_table *t, size_t idx, uint64_t ns)
{
	t->entries[idx].st.off_cpu_ns += ns;
}

size_t
stack_table_len(const struct stack_table *t)
{
	return t->len;
}

const struct addr_stack *
stack_table_get(const struct stack_table *t, size_t idx)
{
	struct stack_entry *e = &t->entries[idx];

	e->st.ips = t->ips + e->ips_off;
	e->st.modules = t->mods + e->mods_off;
	return &e->st;
}
