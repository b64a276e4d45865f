/* SPDX-License-Identifier: MIT */
/* sampler/ring.c - reading records from an mmap'ed perf ring buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"

int
ring_open(struct ring *r, int fd, size_t data_pages, struct scorch_err *err)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (data_pages + 1) * page;
	int saved;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->base == MAP_FAILED) {
		saved = errno;
		r->base = NULL;
		err_set(err, "cannot map a %zu KiB perf ring buffer: %s%s",
			len / 1024, strerror(saved),
			saved == EPERM ? " (raise kernel.perf_event_mlock_kb "
					 "or record fewer threads)"
				       : "");
		return -saved;
	}
	r->data_size = data_pages * page;
	r->bounce = xmalloc(r->data_size < 65536 ? r->data_size : 65536);
	return 0;
}

void
ring_close(struct ring *r)
{
	if (r->base)
		munmap(r->base, r->data_size + (size_t)sysconf(_SC_PAGESIZE));
	free(r->bounce);
	r->base = NULL;
	r->bounce = NULL;
}

void
ring_snapshot(struct ring *r)
{
	struct perf_event_mmap_page *meta = r->base;

	/* Pairs with the kernel's store of data_head after writing records. */
	r->head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	r->tail = meta->data_tail;
}

const struct perf_event_header *
ring_next(struct ring *r)
{
	const unsigned char *data =
		(const unsigned char *)r->base + sysconf(_SC_PAGESIZE);
	const struct perf_event_header *hdr;
	size_t off, first;
	uint16_t size;

	if (r->head - r->tail < sizeof(*hdr))
		return NULL;
	off = r->tail & (r->data_size - 1);
	/* A header never wraps: records are 8-byte aligned, sizes too. */
	hdr = (const void *)(data + off);
	size = hdr->size;
	if (size < sizeof(*hdr) || size > r->head - r->tail) {
		/* Corrupt or partial: skip everything we were shown. */
		r->tail = r->head;
		return NULL;
	}
	r->tail += size;
	if (off + size <= r->data_size)
		return hdr;
	/* The record wraps around the end of the buffer: copy it whole. */
	first = r->data_size - off;
	memcpy(r->bounce, data + off, first);
	memcpy(r->bounce + first, data, size - first);
	return (const void *)r->bounce;
}

void
ring_release(struct ring *r)
{
	struct perf_event_mmap_page *meta = r->base;

	/* Our reads of the records must finish before the kernel reuses them. */
	__atomic_store_n(&meta->data_tail, r->tail, __ATOMIC_RELEASE);
}
