/* SPDX-License-Identifier: MIT */
/*
 * diff/align.c - lining frames up across two builds. Addresses move with
 * every build, so frames are matched by name, module and kind. Two things
 * change between builds of the same code and are not a change of the code:
 * the name of the program's own executable (app-base vs app-pr), and the
 * copies a compiler makes of a function (foo.constprop.0, foo.isra.0,
 * foo.part.0, foo.cold), which come and go with inlining decisions.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

/* A compiler's suffix at s (".constprop.3"), its length, or 0. */
static size_t
align_suffix(const char *s)
{
	static const char *const words[] = { ".constprop", ".isra", ".part",
					     ".lto_priv",  ".cold", ".clone" };
	size_t i, n, k;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		n = strlen(words[i]);
		if (strncmp(s, words[i], n))
			continue;
		k = n;
		/* ".cold" may stand alone; the others take ".N". */
		if (s[k] == '.' && isdigit((unsigned char)s[k + 1])) {
			k++;
			while (isdigit((unsigned char)s[k]))
				k++;
		} else if (strcmp(words[i], ".cold")) {
			continue;
		}
		if (s[k] == '\0' || s[k] == '.')
			return k;
	}
	return 0;
}

char *
align_name(const char *name)
{
	const char *dot = strchr(name, '.');
	struct strbuf sb;

	/*
	 * C++ names hold dots only in odd places; a suffix starts at a dot
	 * and runs to the end as a chain of known suffixes.
	 */
	while (dot) {
		const char *p = dot;
		size_t k;

		while ((k = align_suffix(p)))
			p += k;
		if (*p == '\0' && p != dot)
			break;
		dot = strchr(dot + 1, '.');
	}
	if (!dot || dot == name)
		return xstrdup(name);
	strbuf_init(&sb);
	strbuf_add(&sb, name, (size_t)(dot - name));
	return strbuf_detach(&sb);
}

char *
align_key(const char *name, const char *module, int kind, const char *exe)
{
	char *n = align_name(name), *key;

	if (exe && *exe && module && !strcmp(module, exe))
		module = "<exe>";
	key = xasprintf("%s\x1f%s\x1f%d", n, module ? module : "", kind);
	free(n);
	return key;
}

/* A module that is a shared object (libc.so.6, ld-linux-x86-64.so.2). */
static bool
align_is_shared(const char *module)
{
	const char *base = strrchr(module, '/');

	return strstr(base ? base + 1 : module, ".so") != NULL;
}

const char *
align_exe(const struct profile *p)
{
	size_t i, n = profile_nframes(p);
	const char *first = "";

	for (i = 0; i < n; i++) {
		const struct frame *f = profile_frame(p, (uint32_t)i);

		if (f->kind != FRAME_USER || !f->module[0])
			continue;
		if (!strcmp(f->name, "main"))
			return f->module;
		/* A threaded program's main may never run on a CPU (it
		 * waits in pthread_join): the first module that is not a
		 * shared object is then the program. */
		if (!first[0] && f->module[0] != '[' &&
		    !align_is_shared(f->module))
			first = f->module;
	}
	return first;
}
