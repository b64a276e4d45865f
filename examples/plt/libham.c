/* SPDX-License-Identifier: MIT */
/*
 * examples/plt/libham.c - a shared library whose hot loop calls memcpy and
 * strlen through its own PLT (libham.so's memcpy@plt); libmain.c calls it.
 */
#include <string.h>

unsigned long ham_work(unsigned long n);

unsigned long
ham_work(unsigned long n)
{
	static char a[16], b[16] = "abc";
	unsigned long i, s = 0;

	for (i = 0; i < n; i++) {
		memcpy(a, b + (i & 3), 1);
		s += strlen(b + (i & 1)) + (unsigned char)a[0];
	}
	return s;
}
