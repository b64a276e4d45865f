/* SPDX-License-Identifier: MIT */
/* render/internal.h - declarations shared by the files of render/ only. */
#ifndef SCORCH_RENDER_INTERNAL_H
#define SCORCH_RENDER_INTERNAL_H

#include <stddef.h>

struct strbuf;

/* svg.c */
/*
 * Append s to sb escaped for XML text and attribute values: & < > " ' as
 * entities, control characters dropped, invalid UTF-8 replaced by U+FFFD.
 * At most maxchars characters of s are kept; when s is longer, the kept
 * part is shortened to leave room for "..". maxchars 0 means no limit.
 * Truncation counts characters, never cutting one or an entity in half.
 * Returns the number of characters of s that were kept.
 */
size_t svg_escape(struct strbuf *sb, const char *s, size_t maxchars);
/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t svg_utf8_len(const unsigned char *s, size_t n);

#endif
