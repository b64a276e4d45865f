/* SPDX-License-Identifier: MIT */
/*
 * sampler/decode.c - perf records into typed structs, read by the format the
 * events were opened with.
 *
 * A PERF_RECORD_SAMPLE holds one field per PERF_SAMPLE_* bit of the event's
 * sample_type, in the order the kernel writes them (perf_output_sample(),
 * the same order perf's evsel__parse_sample() reads), so where a field lies
 * depends on every bit before it. With sample_id_all, every other record
 * ends with a trailer of the sample_type's id fields (struct sample_id).
 * Nothing else in the sampler knows a field's offset: it reads struct
 * perf_rec. Every read is checked against the record's size first; a record
 * too short for what its format says it holds is refused, never read past.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* The bits this decoder knows the place of. */
#define DECODE_SAMPLE_KNOWN                                                    \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |                 \
	 PERF_SAMPLE_ADDR | PERF_SAMPLE_READ | PERF_SAMPLE_CALLCHAIN |         \
	 PERF_SAMPLE_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |               \
	 PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_RAW | PERF_SAMPLE_BRANCH_STACK |  \
	 PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER | PERF_SAMPLE_WEIGHT | \
	 PERF_SAMPLE_DATA_SRC | PERF_SAMPLE_IDENTIFIER |                       \
	 PERF_SAMPLE_TRANSACTION | PERF_SAMPLE_REGS_INTR |                     \
	 PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_AUX | PERF_SAMPLE_CGROUP |        \
	 PERF_SAMPLE_DATA_PAGE_SIZE | PERF_SAMPLE_CODE_PAGE_SIZE |             \
	 PERF_SAMPLE_WEIGHT_STRUCT)
#define DECODE_READ_KNOWN                                                      \
	(PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING |     \
	 PERF_FORMAT_ID | PERF_FORMAT_GROUP | PERF_FORMAT_LOST)

/* Bytes of the sample_id trailer that sample_type selects. */
static uint32_t
decode_id_size(uint64_t st)
{
	uint32_t n = 0;

	n += st & PERF_SAMPLE_TID ? 8 : 0;
	n += st & PERF_SAMPLE_TIME ? 8 : 0;
	n += st & PERF_SAMPLE_ID ? 8 : 0;
	n += st & PERF_SAMPLE_STREAM_ID ? 8 : 0;
	n += st & PERF_SAMPLE_CPU ? 8 : 0;
	n += st & PERF_SAMPLE_IDENTIFIER ? 8 : 0;
	return n;
}

int
decode_format_init(struct decode_format *f, const struct perf_event_attr *attr)
{
	memset(f, 0, sizeof(*f));
	if ((attr->sample_type & ~(uint64_t)DECODE_SAMPLE_KNOWN) ||
	    (attr->read_format & ~(uint64_t)DECODE_READ_KNOWN))
		return -EINVAL;
#ifdef PERF_SAMPLE_BRANCH_COUNTERS
	/* Counters after the branch entries: not read here. */
	if ((attr->sample_type & PERF_SAMPLE_BRANCH_STACK) &&
	    (attr->branch_sample_type & PERF_SAMPLE_BRANCH_COUNTERS))
		return -EINVAL;
#endif
	f->sample_type = attr->sample_type;
	f->read_format = attr->read_format;
	f->branch_hw_idx =
		(attr->branch_sample_type & PERF_SAMPLE_BRANCH_HW_INDEX) != 0;
	f->regs_user_mask = attr->sample_regs_user;
	f->regs_intr_mask = attr->sample_regs_intr;
	f->sample_id_all = attr->sample_id_all;
	f->id_size = attr->sample_id_all ? decode_id_size(f->sample_type) : 0;
	/* Only fixed-size fields come before a sample's time, and before
	 * the time in a trailer. */
	f->sample_time_off = sizeof(struct perf_event_header);
	f->sample_time_off += f->sample_type & PERF_SAMPLE_IDENTIFIER ? 8 : 0;
	f->sample_time_off += f->sample_type & PERF_SAMPLE_IP ? 8 : 0;
	f->sample_time_off += f->sample_type & PERF_SAMPLE_TID ? 8 : 0;
	f->id_time_off = f->sample_type & PERF_SAMPLE_TID ? 8 : 0;
	return 0;
}

int
decode_time(const struct decode_format *f, const void *buf, size_t len,
	    uint64_t *time)
{
	const struct perf_event_header *h = buf;
	size_t off;

	*time = 0;
	if (len < sizeof(*h) || h->size < sizeof(*h) || h->size > len ||
	    h->size % 8)
		return -EBADMSG;
	if (!(f->sample_type & PERF_SAMPLE_TIME))
		return 0;
	if (h->type == PERF_RECORD_SAMPLE) {
		off = f->sample_time_off;
	} else {
		if (!f->sample_id_all)
			return 0;
		if (h->size < sizeof(*h) + f->id_size)
			return -EBADMSG;
		off = h->size - f->id_size + f->id_time_off;
	}
	if (off + 8 > h->size)
		return -EBADMSG;
	memcpy(time, (const unsigned char *)buf + off, 8);
	return 0;
}

/* A read position in one record; why is set at the first short read. */
struct decode_cursor {
	const unsigned char *p, *end;
	const char *why;
};

static bool
decode_u64(struct decode_cursor *c, uint64_t *v, const char *why)
{
	if (c->why)
		return false;
	if (c->end - c->p < 8) {
		c->why = why;
		return false;
	}
	memcpy(v, c->p, 8);
	c->p += 8;
	return true;
}

/* Two u32 in one u64 slot, as { pid, tid } and { cpu, res } are. */
static bool
decode_u32x2(struct decode_cursor *c, uint32_t *a, uint32_t *b, const char *why)
{
	uint64_t v;

	if (!decode_u64(c, &v, why))
		return false;
	memcpy(a, c->p - 8, 4);
	if (b)
		memcpy(b, c->p - 4, 4);
	return true;
}

/* n bytes in place; NULL (and why set) when fewer are left. */
static const unsigned char *
decode_bytes(struct decode_cursor *c, uint64_t n, const char *why)
{
	const unsigned char *at = c->p;

	if (c->why)
		return NULL;
	if ((uint64_t)(c->end - c->p) < n) {
		c->why = why;
		return NULL;
	}
	c->p += n;
	return at;
}

/* n u64 in place (records are 8-byte aligned). */
static const uint64_t *
decode_u64s(struct decode_cursor *c, uint64_t n, const char *why)
{
	if (n > (uint64_t)(c->end - c->p) / 8) {
		if (!c->why)
			c->why = why;
		return NULL;
	}
	return (const void *)decode_bytes(c, n * 8, why);
}

/* A NUL-terminated string that fills the rest of the body (padded). */
static const char *
decode_string(struct decode_cursor *c, const char *why)
{
	const char *s = (const char *)c->p;

	if (c->why)
		return NULL;
	if (c->p >= c->end || !memchr(c->p, '\0', (size_t)(c->end - c->p))) {
		c->why = why;
		return NULL;
	}
	c->p = c->end;
	return s;
}

/* The trailer: { pid, tid } { time } { id } { stream_id } { cpu, res }
 * { identifier }, each when sample_type selects it. */
static void
decode_sample_id(const struct decode_format *f, struct decode_cursor *c,
		 struct perf_rec_id *id)
{
	uint64_t st = f->sample_type;
	const char *why = "sample_id trailer runs past the end of the record";

	if (st & PERF_SAMPLE_TID)
		decode_u32x2(c, &id->pid, &id->tid, why);
	if (st & PERF_SAMPLE_TIME)
		decode_u64(c, &id->time, why);
	if (st & PERF_SAMPLE_ID)
		decode_u64(c, &id->id, why);
	if (st & PERF_SAMPLE_STREAM_ID)
		decode_u64(c, &id->stream_id, why);
	if (st & PERF_SAMPLE_CPU)
		decode_u32x2(c, &id->cpu, NULL, why);
	if (st & PERF_SAMPLE_IDENTIFIER)
		decode_u64(c, &id->id, why);
}

/* struct read_format, by read_format (see linux/perf_event.h). */
static void
decode_read(const struct decode_format *f, struct decode_cursor *c,
	    struct perf_rec_read *r)
{
	uint64_t rf = f->read_format;
	const char *why = "read values run past the end of the record";

	r->nr = 1;
	r->stride = 1 + !!(rf & PERF_FORMAT_ID) + !!(rf & PERF_FORMAT_LOST);
	if (!(rf & PERF_FORMAT_GROUP)) {
		decode_u64(c, &r->value, why);
		if (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)
			decode_u64(c, &r->time_enabled, why);
		if (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)
			decode_u64(c, &r->time_running, why);
		if (rf & PERF_FORMAT_ID)
			decode_u64(c, &r->id, why);
		if (rf & PERF_FORMAT_LOST)
			decode_u64(c, &r->lost, why);
		return;
	}
	decode_u64(c, &r->nr, why);
	if (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)
		decode_u64(c, &r->time_enabled, why);
	if (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)
		decode_u64(c, &r->time_running, why);
	if (r->nr > UINT64_MAX / 8 / r->stride) {
		c->why = c->why ? c->why : why;
		return;
	}
	r->cntr = decode_u64s(c, r->nr * r->stride, why);
	if (r->cntr)
		r->value = r->cntr[0];
}

/* { u64 abi; u64 regs[weight(mask)] }: no regs when abi is NONE. */
static void
decode_regs(struct decode_cursor *c, uint64_t mask, struct perf_rec_regs *r,
	    const char *why)
{
	r->mask = mask;
	if (!decode_u64(c, &r->abi, why) || r->abi == PERF_SAMPLE_REGS_ABI_NONE)
		return;
	r->regs = decode_u64s(c, (uint64_t)__builtin_popcountll(mask), why);
}

/* The fields before the read values: ids, ip, time, addr, cpu, period. */
static void
decode_sample_head(const struct decode_format *f, struct decode_cursor *c,
		   struct perf_rec *rec)
{
	struct perf_rec_sample *s = &rec->sample;
	uint64_t st = f->sample_type;
	const char *why = "sample runs past the end of the record";

	if (st & PERF_SAMPLE_IDENTIFIER)
		decode_u64(c, &rec->id.id, why);
	if (st & PERF_SAMPLE_IP)
		decode_u64(c, &s->ip, why);
	if (st & PERF_SAMPLE_TID)
		decode_u32x2(c, &rec->id.pid, &rec->id.tid, why);
	if (st & PERF_SAMPLE_TIME)
		decode_u64(c, &rec->id.time, why);
	if (st & PERF_SAMPLE_ADDR)
		decode_u64(c, &s->addr, why);
	if (st & PERF_SAMPLE_ID)
		decode_u64(c, &rec->id.id, why);
	if (st & PERF_SAMPLE_STREAM_ID)
		decode_u64(c, &rec->id.stream_id, why);
	if (st & PERF_SAMPLE_CPU)
		decode_u32x2(c, &rec->id.cpu, NULL, why);
	if (st & PERF_SAMPLE_PERIOD)
		decode_u64(c, &s->period, why);
	if (st & PERF_SAMPLE_READ)
		decode_read(f, c, &s->read);
}

/* The variable-length middle: callchain, raw data, branches, user regs
 * and stack. */
static void
decode_sample_body(const struct decode_format *f, struct decode_cursor *c,
		   struct perf_rec_sample *s)
{
	uint64_t st = f->sample_type, v;

	if ((st & PERF_SAMPLE_CALLCHAIN) &&
	    decode_u64(c, &s->nr_ips, "callchain runs past the record end"))
		s->ips = decode_u64s(c, s->nr_ips,
				     "callchain runs past the record end");
	if ((st & PERF_SAMPLE_RAW) &&
	    decode_u32x2(c, &s->raw_size, NULL, "raw data runs past the end")) {
		c->p -= 4; /* the data starts right after the u32 size */
		s->raw = decode_bytes(c, s->raw_size,
				      "raw data runs past the record end");
	}
	if ((st & PERF_SAMPLE_BRANCH_STACK) &&
	    decode_u64(c, &s->nr_branches, "branch stack runs past the end")) {
		if (f->branch_hw_idx)
			decode_u64(c, &s->branch_hw_idx,
				   "branch stack runs past the record end");
		if (s->nr_branches > UINT64_MAX / 24)
			c->why = c->why ? c->why : "branch stack is corrupt";
		else
			s->branches = decode_u64s(
				c, s->nr_branches * 3,
				"branch stack runs past the record end");
	}
	if (st & PERF_SAMPLE_REGS_USER)
		decode_regs(c, f->regs_user_mask, &s->regs_user,
			    "user registers run past the record end");
	if ((st & PERF_SAMPLE_STACK_USER) &&
	    decode_u64(c, &s->stack_size, "user stack runs past the end") &&
	    s->stack_size) {
		s->stack = decode_bytes(c, s->stack_size,
					"user stack runs past the record end");
		if (decode_u64(c, &v, "user stack runs past the record end"))
			s->stack_dyn_size = v;
	}
}

/* The fixed fields after the user stack, then the aux data. */
static void
decode_sample_tail(const struct decode_format *f, struct decode_cursor *c,
		   struct perf_rec_sample *s)
{
	uint64_t st = f->sample_type;
	const char *why = "sample runs past the end of the record";

	if (st & (PERF_SAMPLE_WEIGHT | PERF_SAMPLE_WEIGHT_STRUCT))
		decode_u64(c, &s->weight, why);
	if (st & PERF_SAMPLE_DATA_SRC)
		decode_u64(c, &s->data_src, why);
	if (st & PERF_SAMPLE_TRANSACTION)
		decode_u64(c, &s->transaction, why);
	if (st & PERF_SAMPLE_REGS_INTR)
		decode_regs(c, f->regs_intr_mask, &s->regs_intr, why);
	if (st & PERF_SAMPLE_PHYS_ADDR)
		decode_u64(c, &s->phys_addr, why);
	if (st & PERF_SAMPLE_CGROUP)
		decode_u64(c, &s->cgroup, why);
	if (st & PERF_SAMPLE_DATA_PAGE_SIZE)
		decode_u64(c, &s->data_page_size, why);
	if (st & PERF_SAMPLE_CODE_PAGE_SIZE)
		decode_u64(c, &s->code_page_size, why);
	if ((st & PERF_SAMPLE_AUX) && decode_u64(c, &s->aux_size, why))
		s->aux = decode_bytes(c, s->aux_size, why);
}

/* MMAP: pid tid addr len pgoff filename; MMAP2 adds after pgoff either
 * maj min ino ino_generation or a build id, then prot flags. */
static void
decode_mmap(struct decode_cursor *c, struct perf_rec *rec)
{
	struct perf_rec_mmap *m = &rec->mmap;
	const char *why = "mmap record is too short";
	const unsigned char *bid;

	decode_u32x2(c, &m->pid, &m->tid, why);
	decode_u64(c, &m->addr, why);
	decode_u64(c, &m->len, why);
	decode_u64(c, &m->pgoff, why);
	if (rec->type == PERF_RECORD_MMAP2) {
		if (rec->misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
			/* u8 size, u8, u16, build_id[20] */
			bid = decode_bytes(c, 24, why);
			if (bid) {
				m->build_id_size = bid[0] > 20 ? 20 : bid[0];
				m->build_id = bid + 4;
			}
		} else {
			decode_u32x2(c, &m->maj, &m->min, why);
			decode_u64(c, &m->ino, why);
			decode_u64(c, &m->ino_generation, why);
		}
		decode_u32x2(c, &m->prot, &m->flags, why);
	}
	m->filename = decode_string(c, "mmap file name is not terminated");
}

/* A switch's direction and, out, whether the task was still runnable
 * (preempted) rather than blocked: both in the header's misc bits. */
static void
decode_switch_misc(struct perf_rec *rec)
{
	rec->switch_.out = !!(rec->misc & PERF_RECORD_MISC_SWITCH_OUT);
	rec->switch_.preempt =
		rec->switch_.out &&
		(rec->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT);
}

/* Everything between the header and the sample_id trailer. */
static void
decode_body(struct decode_cursor *c, struct perf_rec *rec)
{
	const char *why = "record is too short for its type";
	struct perf_rec_task *t = &rec->task;

	switch (rec->type) {
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		decode_mmap(c, rec);
		break;
	case PERF_RECORD_COMM:
		decode_u32x2(c, &rec->comm.pid, &rec->comm.tid, why);
		rec->comm.comm = decode_string(c, "comm is not terminated");
		break;
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		decode_u32x2(c, &t->pid, &t->ppid, why);
		decode_u32x2(c, &t->tid, &t->ptid, why);
		decode_u64(c, &t->time, why);
		break;
	case PERF_RECORD_LOST:
		decode_u64(c, &rec->lost.id, why);
		decode_u64(c, &rec->lost.lost, why);
		break;
	case PERF_RECORD_THROTTLE:
	case PERF_RECORD_UNTHROTTLE:
		decode_u64(c, &rec->throttle.time, why);
		decode_u64(c, &rec->throttle.id, why);
		decode_u64(c, &rec->throttle.stream_id, why);
		break;
	case PERF_RECORD_SWITCH_CPU_WIDE:
		decode_u32x2(c, &rec->switch_.next_prev_pid,
			     &rec->switch_.next_prev_tid, why);
		decode_switch_misc(rec);
		break;
	case PERF_RECORD_SWITCH: /* no body */
		decode_switch_misc(rec);
		break;
	case PERF_RECORD_LOST_SAMPLES:
		decode_u64(c, &rec->lost_samples.lost, why);
		break;
	default: /* types scorch does not read: the trailer only */
		break;
	}
}

int
decode_record(const struct decode_format *f, const void *buf, size_t len,
	      struct perf_rec *rec)
{
	const struct perf_event_header *h = buf;
	struct decode_cursor c;

	memset(rec, 0, sizeof(*rec));
	if (len < sizeof(*h) || h->size < sizeof(*h) || h->size > len) {
		rec->error = "record is shorter than its header says";
		return -EBADMSG;
	}
	if (h->size % 8) {
		/* The kernel pads every record to 8 bytes: this is no record. */
		rec->error = "record size is not a multiple of 8";
		return -EBADMSG;
	}
	rec->type = h->type;
	rec->misc = h->misc;
	rec->size = h->size;
	c.p = (const unsigned char *)(h + 1);
	c.end = (const unsigned char *)h + h->size;
	c.why = NULL;
	if (h->type == PERF_RECORD_SAMPLE) {
		decode_sample_head(f, &c, rec);
		decode_sample_body(f, &c, &rec->sample);
		decode_sample_tail(f, &c, &rec->sample);
	} else {
		if (f->sample_id_all) {
			struct decode_cursor id;

			if ((size_t)(c.end - c.p) < f->id_size) {
				rec->error = "record is too short for its "
					     "sample_id trailer";
				return -EBADMSG;
			}
			c.end -= f->id_size;
			id.p = c.end;
			id.end = c.end + f->id_size;
			id.why = NULL;
			decode_sample_id(f, &id, &rec->id);
		}
		decode_body(&c, rec);
	}
	if (c.why) {
		rec->error = c.why;
		return -EBADMSG;
	}
	return 0;
}
