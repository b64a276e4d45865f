/* SPDX-License-Identifier: MIT */
/* diff/internal.h - declarations shared by the files of diff/ only. */
#ifndef SCORCH_DIFF_INTERNAL_H
#define SCORCH_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "diff.h"

struct profile;

/* stats.c */
/* P(Z > z) for a standard normal Z. */
double stat_norm_sf(double z);
/* The standard normal quantile: P(Z < x) = p. */
double stat_norm_quantile(double p);
/*
 * Two-sided Mann-Whitney U test of y against x: the p-value, and in *u the
 * U statistic of y over x (pairs where y is larger, ties counting half).
 * Exact (all splits of the pooled values enumerated, ties included) when
 * there are at most 200000 splits, else the normal approximation with the
 * tie correction. 1 when either side is empty.
 */
double stat_mann_whitney(const double *x, size_t n, const double *y, size_t m,
			 double *u);
/*
 * The Hodges-Lehmann shift of y over x (median of all y - x) and Moses'
 * distribution-free interval at confidence conf. Returns 0; 1 when there
 * are too few values for an interval (then lo, hi are -inf, +inf); -1 when
 * either side is empty.
 */
int stat_hodges_lehmann(const double *x, size_t n, const double *y, size_t m,
			double conf, double *shift, double *lo, double *hi);
/* Benjamini-Hochberg q-values of p[0..n) into q[0..n). */
void stat_bh_qvalues(const double *p, size_t n, double *q);
/* The median of v[0..n) (v is sorted in place); 0 when empty. */
double stat_median(double *v, size_t n);

/* align.c */
/*
 * The key that lines a frame up across builds: its name without the
 * suffixes compilers add to copies of a function (.constprop.N, .isra.N,
 * .part.N, .cold, .lto_priv.N), its module (the program's own executable
 * as "<exe>", whatever it was called), and its kind. Returns a string the
 * caller frees.
 */
char *align_key(const char *name, const char *module, int kind,
		const char *exe);
/* The name without those suffixes (caller frees). */
char *align_name(const char *name);
/* The module most of a profile's "main" samples come from, or "" (borrowed
 * from the profile). */
const char *align_exe(const struct profile *p);

/* paths.c: the findings' keys, for diff_is_finding(). */
void diff_keyset_add(struct diff_result *r, const char *key);
void diff_keyset_free(struct diff_keyset *ks);

#endif
