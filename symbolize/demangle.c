/* SPDX-License-Identifier: MIT */
/*
 * symbolize/demangle.c - readable names: C++ (Itanium ABI) and Rust (legacy
 * and v0) through libiberty, and symbol versions ("@@GLIBC_2.34") dropped so
 * the same function has the same name in every build.
 */
#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "symbolize.h"

/* Length of name without a trailing "@VERSION" or "@@VERSION". */
static size_t
demangle_unversioned_len(const char *name)
{
	const char *at = strchr(name, '@');
	const char *p;

	if (!at || at == name)
		return strlen(name);
	p = at + (at[1] == '@' ? 2 : 1);
	if (!*p)
		return strlen(name);
	for (; *p; p++)
		if (!(*p == '_' || *p == '.' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			return strlen(name);
	return (size_t)(at - name);
}

char *
demangle_name(const char *name, bool demangle)
{
	size_t len = demangle_unversioned_len(name);
	char *base = xstrndup(name, len), *d;

	/* Mangled names start with _Z (C++, Rust legacy) or _R (Rust v0). */
	if (!demangle || base[0] != '_' || (base[1] != 'Z' && base[1] != 'R'))
		return base;
	d = cplus_demangle(base, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
	if (!d)
		return base;
	free(base);
	/* libiberty allocates with malloc(): ours to free() as usual. */
	return d;
}
