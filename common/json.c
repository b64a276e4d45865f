/* SPDX-License-Identifier: MIT */
/* common/json.c - a C string as a JSON string literal. */
#include <stdio.h>
#include <string.h>

#include "common.h"

void
json_put_string(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, len;
	enum escape_class cls;
	unsigned cp;

	putc('"', fp);
	while (i < n) {
		len = escape_next(s + i, n - i, &cp, &cls);
		if (cls == ESCAPE_INVALID)
			fputs(ESCAPE_INVALID_TEXT, fp);
		else if (cls == ESCAPE_CONTROL)
			fprintf(fp, ESCAPE_CONTROL_FMT, cp);
		else if (cp == '"' || cp == '\\')
			fprintf(fp, "\\%c", (char)cp);
		else
			fwrite(s + i, 1, len, fp);
		i += len;
	}
	putc('"', fp);
}
