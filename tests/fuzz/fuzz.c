/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz.c - helpers shared by the libFuzzer harnesses. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../profile/profile.h"
#include "fuzz.h"

static char fuzz_path[4096];
static int fuzz_fd = -1;

static void
fuzz_cleanup(void)
{
	if (fuzz_fd >= 0)
		unlink(fuzz_path);
}

const char *
fuzz_file(const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (fuzz_fd < 0) {
		const char *tmp = getenv("TMPDIR");

		snprintf(fuzz_path, sizeof(fuzz_path), "%s/scorch-fuzz.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		fuzz_fd = mkstemp(fuzz_path);
		if (fuzz_fd < 0) {
			perror(fuzz_path);
			abort();
		}
		atexit(fuzz_cleanup);
	}
	if (ftruncate(fuzz_fd, 0) < 0) {
		perror(fuzz_path);
		abort();
	}
	while (off < size) {
		ssize_t r = pwrite(fuzz_fd, data + off, size - off, (off_t)off);

		if (r <= 0) {
			perror(fuzz_path);
			abort();
		}
		off += (size_t)r;
	}
	return fuzz_path;
}

char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

char *
fuzz_written(int (*write)(const struct profile *p, FILE *fp),
	     const struct profile *p, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	if (!fp || write(p, fp) < 0 || fclose(fp)) {
		fprintf(stderr, "fuzz: writing a profile to memory failed\n");
		abort();
	}
	return buf;
}
