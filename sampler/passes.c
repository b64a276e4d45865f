/* SPDX-License-Identifier: MIT */
/*
 * sampler/passes.c - reading the rings in passes and handling their records
 * in time order.
 *
 * Records are read in passes. A pass copies everything the rings hold,
 * sorts it by time and handles it in order, so a child's FORK record is seen
 * before its samples even when they sit in another CPU's ring. A record from
 * a process not yet known to be a target waits one more pass: every ring is
 * read to a point later than the record by then, so if its FORK record
 * exists, it has been read. Only then is the process called "other".
 */
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

/* ---- passes ------------------------------------------------------------ */

static struct rec *
pass_new_rec(struct pass *p, uint64_t time, bool deferred)
{
	struct rec *r;

	if (p->nrecs == p->recs_cap) {
		p->recs_cap = p->recs_cap ? p->recs_cap * 2 : 1024;
		p->recs = xreallocarray(p->recs, p->recs_cap, sizeof(*r));
	}
	r = &p->recs[p->nrecs];
	r->time = time;
	r->ptr = NULL;
	r->off = 0;
	r->seq = (uint32_t)p->nrecs;
	r->deferred = deferred;
	p->nrecs++;
	return r;
}

/* Add a copy of a record. */
void
pass_add(struct pass *p, const void *data, size_t size, uint64_t time,
	 bool deferred)
{
	struct rec *r;

	if (p->len + size > p->cap) {
		while (p->len + size > p->cap)
			p->cap = p->cap ? p->cap * 2 : 65536;
		p->buf = xrealloc(p->buf, p->cap);
	}
	memcpy(p->buf + p->len, data, size);
	r = pass_new_rec(p, time, deferred);
	r->off = p->len;
	p->len += size;
}

/*
 * Add a record where it lies in its ring: samples with a stack copy are
 * tens of KiB, and copying each once more costs more than unwinding it.
 */
static void
pass_add_ref(struct pass *p, const void *data, uint64_t time)
{
	pass_new_rec(p, time, false)->ptr = data;
}

static void
pass_clear(struct pass *p)
{
	p->len = 0;
	p->nrecs = 0;
}

void
pass_free(struct pass *p)
{
	free(p->buf);
	free(p->recs);
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A record's time, the key passes sort by (0 if it has none). */
static uint64_t
pass_rec_time(const struct decode_format *f, const struct perf_event_header *h)
{
	uint64_t time;

	decode_time(f, h, h->size, &time);
	return time;
}

/* Read every ring, then handle the records in time order. */
void
sampler_pass(struct sampler *s)
{
	struct pass tmp;
	size_t i;

	/* Records deferred by the last pass come first, in their old order. */
	tmp = s->cur;
	s->cur = s->next;
	s->next = tmp;
	pass_clear(&s->next);
	for (i = 0; i < s->ncpus; i++) {
		const struct perf_event_header *h;
		struct ring *r = &s->rings[i];

		if (!r->base)
			continue;
		ring_snapshot(r);
		while ((h = ring_next(r))) {
			if ((const void *)h == r->bounce)
				pass_add(&s->cur, h, h->size,
					 pass_rec_time(&s->fmt, h), false);
			else
				pass_add_ref(&s->cur, h,
					     pass_rec_time(&s->fmt, h));
		}
	}
	for (i = 0; i < s->cur.nrecs; i++)
		s->cur.recs[i].seq = (uint32_t)i;
	if (s->cur.nrecs)
		qsort(s->cur.recs, s->cur.nrecs, sizeof(*s->cur.recs), rec_cmp);
	for (i = 0; i < s->cur.nrecs; i++)
		sampler_handle(s, &s->cur.recs[i]);
	pass_clear(&s->cur);
	/* Only now may the kernel write over the records read in place. */
	for (i = 0; i < s->ncpus; i++)
		if (s->rings[i].base)
			ring_release(&s->rings[i]);
}
