/* SPDX-License-Identifier: MIT */
/*
 * render/svg.c - escaping untrusted text for SVG. Names in a profile come
 * from binaries, JIT maps and files anyone can write, and an SVG is opened
 * in a browser: nothing from the data may become markup.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

size_t
svg_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, past U+10FFFF; and U+FFFE/F. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp == 0xfffe ||
	    cp == 0xffff)
		return 0;
	return len;
}

/* Characters (after repair) in s. */
static size_t
svg_count_chars(const unsigned char *s, size_t n)
{
	size_t i = 0, chars = 0, len;

	while (i < n) {
		if (s[i] < 0x20 && s[i] != '\t') {
			i++;
			continue; /* dropped */
		}
		len = svg_utf8_len(s + i, n - i);
		i += len ? len : 1;
		chars++;
	}
	return chars;
}

size_t
svg_escape(struct strbuf *sb, const char *str, size_t maxchars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, chars = 0, keep;
	bool cut = false;

	keep = svg_count_chars(s, n);
	if (maxchars && keep > maxchars) {
		keep = maxchars > 2 ? maxchars - 2 : 0;
		cut = true;
	}
	while (i < n && chars < keep) {
		unsigned char c = s[i];
		size_t len;

		if (c < 0x20 && c != '\t') {
			i++;
			continue;
		}
		switch (c) {
		case '&':
			strbuf_addstr(sb, "&amp;");
			break;
		case '<':
			strbuf_addstr(sb, "&lt;");
			break;
		case '>':
			strbuf_addstr(sb, "&gt;");
			break;
		case '"':
			strbuf_addstr(sb, "&quot;");
			break;
		case '\'':
			strbuf_addstr(sb, "&#39;");
			break;
		default:
			len = svg_utf8_len(s + i, n - i);
			if (len) {
				strbuf_add(sb, s + i, len);
				i += len;
			} else {
				strbuf_addstr(sb, "\xef\xbf\xbd"); /* U+FFFD */
				i++;
			}
			chars++;
			continue;
		}
		i++;
		chars++;
	}
	if (cut)
		strbuf_addstr(sb, "..");
	return chars;
}
