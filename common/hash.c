/* SPDX-License-Identifier: MIT */
/* common/hash.c - byte hashing for the rooms' hash tables. */
#include <stddef.h>

#include "common.h"

unsigned long long
hash_bytes(const void *data, size_t len, unsigned long long seed)
{
	const unsigned char *p = data;
	unsigned long long h = 1469598103934665603ULL ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	/* Final avalanche so low bits are usable as a table index. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}
