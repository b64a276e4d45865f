/* SPDX-License-Identifier: MIT */
/* common/err.c - error context that rooms fill and cli/ prints. */
#include <stdarg.h>
#include <stdio.h>

#include "common.h"

void
err_set(struct scorch_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}
