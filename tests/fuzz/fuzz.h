/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz.h - what the libFuzzer harnesses share: the input as a
 * file (the loaders take paths), a NUL-terminated copy, and the folded
 * text of a profile, which is how two profiles are compared.
 */
#ifndef SCORCH_FUZZ_H
#define SCORCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct profile;

/* Write data to this process's scratch file (created on first use in
 * $TMPDIR, removed at exit) and return its path. Aborts on an I/O error:
 * that is the harness failing, not the code under test. */
const char *fuzz_file(const uint8_t *data, size_t size);

/* A malloc'd copy of data with a NUL after it. */
char *fuzz_strdup(const uint8_t *data, size_t size);

/* The profile written by write (profile_write_folded or _json) into a
 * malloc'd string; *len its length. Aborts if the writer fails. */
char *fuzz_written(int (*write)(const struct profile *p, FILE *fp),
		   const struct profile *p, size_t *len);

#endif
