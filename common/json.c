/* SPDX-License-Identifier: MIT */
/* common/json.c - a C string as a JSON string literal. */
#include <stdio.h>
#include <string.h>

#include "common.h"

void
json_put_string(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0;

	putc('"', fp);
	while (i < n) {
		unsigned char c = s[i];
		unsigned cp;
		size_t len;

		if (c == '"' || c == '\\') {
			putc('\\', fp);
			putc(c, fp);
			i++;
		} else if (c < 0x20) {
			fprintf(fp, "\\u%04x", c);
			i++;
		} else if ((len = utf8_decode(s + i, n - i, &cp))) {
			fwrite(s + i, 1, len, fp);
			i += len;
		} else {
			fputs("\xef\xbf\xbd", fp); /* U+FFFD */
			i++;
		}
	}
	putc('"', fp);
}
