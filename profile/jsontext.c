/* SPDX-License-Identifier: MIT */
/* profile/jsontext.c - JSON text scanned without a tree: spans, integers. */
#include <string.h>

#include "internal.h"

/* One byte of JSON text: true when c is outside strings (and not their
 * quote), where brackets count. */
static bool
jsontext_step(char c, bool *in_str, bool *esc)
{
	if (*in_str) {
		if (*esc)
			*esc = false;
		else if (c == '\\')
			*esc = true;
		else if (c == '"')
			*in_str = false;
		return false;
	}
	if (c == '"')
		*in_str = true;
	return !*in_str;
}

size_t
jsontext_scan_value(const char *data, size_t len, size_t i)
{
	bool in_str = false, esc = false;
	long depth = 0;

	for (; i < len; i++) {
		char c = data[i];

		if (!jsontext_step(c, &in_str, &esc))
			continue;
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return i;
	}
	return len;
}

size_t
jsontext_skip_space(const char *data, size_t len, size_t i)
{
	while (i < len && strchr(" \t\r\n", data[i]) && data[i])
		i++;
	return i;
}

/* Past the string whose opening quote is at data[i]; len if unclosed. */
static size_t
jsontext_skip_string(const char *data, size_t len, size_t i)
{
	for (i++; i < len && data[i] != '"'; i++)
		if (data[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

bool
jsontext_member(const char *data, size_t len, size_t *i, size_t *ks, size_t *ke,
		size_t *vs, size_t *ve)
{
	size_t j = jsontext_skip_space(data, len, *i);

	if (j >= len || data[j] != '"')
		return false;
	*ks = j + 1;
	j = jsontext_skip_string(data, len, j);
	if (j >= len)
		return false;
	*ke = j - 1;
	j = jsontext_skip_space(data, len, j);
	if (j >= len || data[j] != ':')
		return false;
	j = jsontext_skip_space(data, len, j + 1);
	if (j >= len)
		return false;
	*vs = j;
	/* The value: a string, an object or array, a literal. */
	if (data[j] == '"') {
		j = jsontext_skip_string(data, len, j);
	} else if (data[j] == '{' || data[j] == '[') {
		j = jsontext_scan_value(data, len, j);
		if (j >= len)
			return false;
		j++;
	} else {
		while (j < len && !strchr(",}] \t\r\n", data[j]) && data[j])
			j++;
	}
	*ve = j;
	*i = jsontext_skip_space(data, len, j);
	return *ve > *vs;
}

bool
jsontext_member_value(const char *data, size_t len, size_t obj, size_t idx,
		      size_t *vs, size_t *ve)
{
	size_t i = obj + 1, ks, ke, n;

	if (obj >= len || data[obj] != '{')
		return false;
	for (n = 0;; n++) {
		if (!jsontext_member(data, len, &i, &ks, &ke, vs, ve))
			return false;
		if (n == idx)
			return true;
		if (i >= len || data[i] != ',')
			return false;
		i++;
	}
}

bool
jsontext_find_stacks(const char *data, size_t len, size_t *start, size_t *end)
{
	size_t i = jsontext_skip_space(data, len, 0), ks, ke, vs, ve;

	if (i >= len || data[i] != '{')
		return false;
	for (i++;; i++) {
		if (!jsontext_member(data, len, &i, &ks, &ke, &vs, &ve))
			return false;
		if (ke - ks == 6 && !memcmp(data + ks, "stacks", 6)) {
			if (data[vs] != '[')
				return false;
			*start = vs;
			*end = ve - 1;
			return true;
		}
		if (i >= len || data[i] != ',')
			return false;
	}
}

bool
jsontext_uint(const char *data, size_t end, size_t *i, uint64_t max,
	      uint64_t *out)
{
	size_t j = *i;
	uint64_t v = 0;

	if (j >= end || data[j] < '0' || data[j] > '9')
		return false;
	if (data[j] == '0' && j + 1 < end && data[j + 1] >= '0' &&
	    data[j + 1] <= '9')
		return false;
	for (; j < end && data[j] >= '0' && data[j] <= '9'; j++) {
		uint64_t d = (uint64_t)(data[j] - '0');

		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (j < end && strchr(".eE", data[j]) && data[j])
		return false;
	*i = j;
	*out = v;
	return true;
}

bool
jsontext_exact_u64(const char *data, size_t s, size_t e, uint64_t *out)
{
	size_t i = jsontext_skip_space(data, e, s);

	return jsontext_uint(data, e, &i, UINT64_MAX, out) &&
	       jsontext_skip_space(data, e, i) == e;
}

bool
jsontext_exact_i64(const char *data, size_t s, size_t e, int64_t *out)
{
	size_t i = jsontext_skip_space(data, e, s);
	bool neg = i < e && data[i] == '-';
	uint64_t v;

	i += neg;
	if (!jsontext_uint(data, e, &i, (uint64_t)INT64_MAX + neg, &v) ||
	    jsontext_skip_space(data, e, i) != e)
		return false;
	/* -2^63 has no positive twin: negate in unsigned arithmetic. */
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

bool
jsontext_lit(const char *data, size_t end, size_t *i, const char *lit)
{
	size_t n = strlen(lit), j = jsontext_skip_space(data, end, *i);

	if (end - j < n || memcmp(data + j, lit, n))
		return false;
	*i = jsontext_skip_space(data, end, j + n);
	return true;
}

bool
jsontext_ends_early(const char *data, size_t len, size_t *nesting)
{
	bool in_str = false, esc = false;
	long depth = 0, max = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = data[i];

		if (!jsontext_step(c, &in_str, &esc))
			continue;
		if ((c == '{' || c == '[') && ++depth > max)
			max = depth;
		else if (c == '}' || c == ']')
			depth--;
	}
	if (nesting)
		*nesting = (size_t)max;
	return in_str || depth > 0;
}
