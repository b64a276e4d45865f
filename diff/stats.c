/* SPDX-License-Identifier: MIT */
/*
 * diff/stats.c - the statistics a diff needs, written out so each can be
 * tested on its own: the normal tail, the Mann-Whitney U test (exact by
 * enumeration when small, normal approximation with tie correction when
 * not), the Hodges-Lehmann shift with its distribution-free confidence
 * interval, and Benjamini-Hochberg q-values. docs/DIFF.md says how they
 * are used.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

/* Exact enumeration up to this many splits of the pooled runs. */
#define MW_EXACT_MAX 200000

double
stat_norm_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

double
stat_norm_quantile(double p)
{
	/*
	 * Acklam's rational approximation, refined by one Newton step on
	 * erfc: accurate to ~1e-12 over (0, 1).
	 */
	static const double a[] = {
		-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
		-3.066479806614716e+01, 2.506628277459239e+00
	};
	static const double b[] = { -5.447609879822406e+01,
				    1.615858368580409e+02,
				    -1.556989798598866e+02,
				    6.680131188771972e+01,
				    -1.328068155288572e+01 };
	static const double c[] = {
		-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
		4.374664141464968e+00,	2.938163982698783e+00
	};
	static const double d[] = { 7.784695709041462e-03,
				    3.224671290700398e-01,
				    2.445134137142996e+00,
				    3.754408661907416e+00 };
	double q, r, x, e;

	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
			     q +
		     c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - 0.02425) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) *
			     r +
		     a[5]) *
		    q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) *
			     r +
		     1);
	} else {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
			      q +
		      c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	e = 0.5 * erfc(-x / M_SQRT2) - p;
	return x - e * sqrt(2 * M_PI) * exp(x * x / 2);
}

/* U of y over x: pairs with y > x, ties counting one half. */
static double
mw_u(const double *x, size_t n, const double *y, size_t m)
{
	double u = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < m; j++)
			u += y[j] > x[i] ? 1 : y[j] == x[i] ? 0.5 : 0;
	return u;
}

/* C(n, k), or a number past limit when it is larger. */
static double
mw_choose(size_t n, size_t k, double limit)
{
	double c = 1;
	size_t i;

	if (k > n - k)
		k = n - k;
	for (i = 1; i <= k; i++) {
		c = c * (double)(n - k + i) / (double)i;
		if (c > limit)
			return limit + 1;
	}
	return c;
}

struct mw_enum {
	const double *all; /* the pooled values */
	size_t total, m;   /* pool size; how many are drawn as "y" */
	double mean, dev;  /* |U - mean| of the observed split */
	double hits, count;
	size_t *pick;
};

/* Visit every split: choose m of the pool as y, the rest as x. */
static void
mw_enum_rec(struct mw_enum *e, size_t depth, size_t from)
{
	size_t i;

	if (depth == e->m) {
		double u = 0;
		size_t a, b, k = 0;

		/* U of the picked ones over the others. */
		for (a = 0; a < e->total; a++) {
			bool picked = k < e->m && e->pick[k] == a;

			if (picked) {
				k++;
				continue;
			}
			for (b = 0; b < e->m; b++) {
				double yv = e->all[e->pick[b]], xv = e->all[a];

				u += yv > xv ? 1 : yv == xv ? 0.5 : 0;
			}
		}
		e->count++;
		if (fabs(u - e->mean) >= e->dev - 1e-9)
			e->hits++;
		return;
	}
	for (i = from; i + (e->m - depth) <= e->total; i++) {
		e->pick[depth] = i;
		mw_enum_rec(e, depth + 1, i + 1);
	}
}

double
stat_mann_whitney(const double *x, size_t n, const double *y, size_t m,
		  double *u_out)
{
	double u, mean, var, t, z, ties = 0;
	size_t total = n + m, i, j;
	double *all;

	if (!n || !m) {
		if (u_out)
			*u_out = 0;
		return 1;
	}
	u = mw_u(x, n, y, m);
	if (u_out)
		*u_out = u;
	mean = (double)n * (double)m / 2;
	all = xmalloc(total * sizeof(*all));
	memcpy(all, x, n * sizeof(*x));
	memcpy(all + n, y, m * sizeof(*y));
	if (mw_choose(total, m, MW_EXACT_MAX) <= MW_EXACT_MAX) {
		/* Exact: the share of all splits at least as extreme. */
		struct mw_enum e = { .all = all,
				     .total = total,
				     .m = m,
				     .mean = mean,
				     .dev = fabs(u - mean) };

		e.pick = xcalloc(m, sizeof(*e.pick));
		mw_enum_rec(&e, 0, 0);
		free(e.pick);
		free(all);
		return e.hits / e.count;
	}
	/* Normal approximation with the tie correction, continuity 0.5. */
	for (i = 0; i < total; i++) {
		size_t tied = 0;

		for (j = 0; j < total; j++)
			tied += all[j] == all[i];
		/* Each tie group of size t adds t^3 - t once overall. */
		ties += ((double)tied * tied * tied - (double)tied) /
			(double)tied;
	}
	free(all);
	t = (double)total;
	var = (double)n * (double)m / 12 * ((t + 1) - ties / (t * (t - 1)));
	if (var <= 0)
		return 1;
	z = (fabs(u - mean) - 0.5) / sqrt(var);
	if (z < 0)
		z = 0;
	return fmin(1, 2 * stat_norm_sf(z));
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
stat_hodges_lehmann(const double *x, size_t n, const double *y, size_t m,
		    double conf, double *shift, double *lo, double *hi)
{
	size_t nm = n * m, i, j, k = 0;
	double *d, zc, c;
	long ci;

	if (!n || !m)
		return -1;
	d = xmalloc(nm * sizeof(*d));
	for (i = 0; i < n; i++)
		for (j = 0; j < m; j++)
			d[k++] = y[j] - x[i];
	qsort(d, nm, sizeof(*d), dbl_cmp);
	*shift = nm % 2 ? d[nm / 2] : (d[nm / 2 - 1] + d[nm / 2]) / 2;
	/*
	 * Moses' interval: the C-th smallest and largest pairwise
	 * differences, C from the U distribution's critical value (normal
	 * approximation). Too few runs give no C >= 1: no interval.
	 */
	zc = stat_norm_quantile(1 - (1 - conf) / 2);
	c = (double)nm / 2 -
	    zc * sqrt((double)n * (double)m * (double)(n + m + 1) / 12);
	ci = (long)floor(c);
	if (ci < 1) {
		*lo = -INFINITY;
		*hi = INFINITY;
		free(d);
		return 1;
	}
	*lo = d[ci - 1];
	*hi = d[nm - (size_t)ci];
	free(d);
	return 0;
}

struct bh_idx {
	double p;
	size_t i;
};

static int
bh_cmp(const void *a, const void *b)
{
	const struct bh_idx *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void
stat_bh_qvalues(const double *p, size_t n, double *q)
{
	struct bh_idx *s;
	double run = 1;
	size_t k;

	if (!n)
		return;
	s = xmalloc(n * sizeof(*s));
	for (k = 0; k < n; k++) {
		s[k].p = p[k];
		s[k].i = k;
	}
	qsort(s, n, sizeof(*s), bh_cmp);
	/* q_(k) = min over j >= k of p_(j) * n / j, capped at 1. */
	for (k = n; k-- > 0;) {
		double v = s[k].p * (double)n / (double)(k + 1);

		if (v < run)
			run = v;
		q[s[k].i] = run > 1 ? 1 : run;
	}
	free(s);
}

double
stat_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The regularized incomplete beta function I_x(a, b), by its continued
 * fraction (modified Lentz), using the symmetry I_x(a,b) = 1 - I_1-x(b,a)
 * where the fraction converges slowly.
 */
static double
stat_betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

static double
stat_ibeta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log(1 - x));
	if (x < (a + 1) / (a + b + 2))
		return front * stat_betacf(a, b, x) / a;
	return 1 - front * stat_betacf(b, a, 1 - x) / b;
}

double
stat_t_sf(double t, double df)
{
	double x;

	if (!(df > 0))
		return stat_norm_sf(t);
	x = df / (df + t * t);
	return t >= 0 ? 0.5 * stat_ibeta(df / 2, 0.5, x)
		      : 1 - 0.5 * stat_ibeta(df / 2, 0.5, x);
}

double
stat_t_quantile(double p, double df)
{
	double lo = 0, hi = 1;
	int i;

	if (p <= 0.5)
		return -stat_t_quantile(1 - p, df);
	/* P(T > t) = 1 - p: bracket, then bisect (t_sf falls with t). */
	while (stat_t_sf(hi, df) > 1 - p && hi < 1e6)
		hi *= 2;
	for (i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (stat_t_sf(mid, df) > 1 - p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* The median of a chi-square with df degrees of freedom, Wilson and
 * Hilferty's cube-root approximation (within 0.5% from df = 1 up). */
double
stat_chi2_median(double df)
{
	double c;

	if (df <= 0)
		return 0;
	c = 1 - 2 / (9 * df);
	return df * c * c * c;
}

/* The trigamma function (the derivative of digamma), x > 0: the
 * recurrence up to x >= 6, then the asymptotic series to x^-9 (error
 * below 1e-9). */
double
stat_trigamma(double x)
{
	double sum = 0, x2;

	if (!(x > 0))
		return NAN;
	while (x < 6) {
		sum += 1 / (x * x);
		x += 1;
	}
	x2 = 1 / (x * x);
	return sum + 1 / x +
	       x2 / 2 *
		       (1 +
			1 / x *
				(1.0 / 3 -
				 x2 * (1.0 / 15 - x2 * (1.0 / 21 - x2 / 15))));
}

/* A value and its weight, for the weighted median. */
struct stat_wv {
	double v, w;
};

static int
stat_wv_cmp(const void *a, const void *b)
{
	const struct stat_wv *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

double
stat_weighted_median(const double *v, const double *w, size_t n)
{
	struct stat_wv *p;
	double sum = 0, run = 0, med = 0;
	size_t i;

	if (!n)
		return 0;
	p = xcalloc(n, sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].v = v[i];
		p[i].w = w[i];
		sum += w[i];
	}
	qsort(p, n, sizeof(*p), stat_wv_cmp);
	for (i = 0; i < n; i++) {
		run += p[i].w;
		med = p[i].v;
		if (run >= sum / 2)
			break;
	}
	free(p);
	return med;
}
