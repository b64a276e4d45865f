/* SPDX-License-Identifier: MIT */
/*
 * render/flamegraph.c - flame graph layout (stacks merged into a tree of
 * call paths, children in name order) and a static SVG writer for it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"
#include "render.h"

#define XPAD 10		/* px left and right */
#define TOP_PAD 56	/* px above the frames: title, subtitle */
#define BOTTOM_PAD 28	/* px below the frames: the totals line */
#define CHAR_WIDTH 0.59 /* average glyph width per px of font size */

/* One call path: a frame reached through a particular chain of callers. */
struct flame_node {
	uint32_t frame;	 /* frame id, or UINT32_MAX for the "all" root */
	uint32_t parent; /* node index */
	uint32_t first;	 /* first child in the sorted child list */
	uint32_t nchildren;
	uint64_t total; /* samples in this path and below */
	uint64_t self;	/* samples with this path as the leaf */
};

struct flame {
	const struct profile *p;
	struct flame_node *nodes;
	size_t len, cap;
	uint32_t *children; /* child indexes, grouped by parent */
	uint32_t max_depth;
};

void
flame_opts_init(struct flame_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->title = "Flame Graph";
	o->count_name = "samples";
	o->width = 1200;
	o->frame_height = 16;
	o->font_size = 12;
	o->min_width = 0.1;
}

static uint32_t
flame_add_node(struct flame *fl, uint32_t parent, uint32_t frame)
{
	struct flame_node *n;

	if (fl->len == fl->cap) {
		fl->cap = fl->cap ? fl->cap * 2 : 1024;
		fl->nodes = xreallocarray(fl->nodes, fl->cap, sizeof(*n));
	}
	n = &fl->nodes[fl->len];
	memset(n, 0, sizeof(*n));
	n->frame = frame;
	n->parent = parent;
	return (uint32_t)fl->len++;
}

static const struct profile *flame_sort_profile;
static const struct flame_node *flame_sort_nodes;

static int
flame_child_cmp(const void *a, const void *b)
{
	const struct flame_node *x = &flame_sort_nodes[*(const uint32_t *)a];
	const struct flame_node *y = &flame_sort_nodes[*(const uint32_t *)b];
	const struct frame *fx, *fy;
	int c;

	/* Group by parent, then order siblings by name as flamegraph.pl. */
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	fx = profile_frame(flame_sort_profile, x->frame);
	fy = profile_frame(flame_sort_profile, y->frame);
	c = strcmp(fx->name, fy->name);
	if (c)
		return c;
	return fx->kind < fy->kind ? -1 : fx->kind > fy->kind;
}

/* Merge every stack into the tree of call paths. */
static void
flame_build(struct flame *fl, const struct profile *p)
{
	struct intmap index; /* parent << 32 | frame -> node + 1 */
	size_t i, n = profile_nstacks(p);
	uint32_t *order;

	fl->p = p;
	intmap_init(&index);
	flame_add_node(fl, UINT32_MAX, UINT32_MAX); /* "all" */
	for (i = 0; i < n; i++) {
		const struct stack *st = profile_stack(p, i);
		uint32_t node = 0, j;

		if (!st->count)
			continue;
		fl->nodes[0].total += st->count;
		for (j = 0; j < st->depth; j++) {
			unsigned long long key =
				(unsigned long long)node << 32 | st->frames[j];
			void *v = intmap_get(&index, key);

			if (v) {
				node = (uint32_t)((uintptr_t)v - 1);
			} else {
				uint32_t child =
					flame_add_node(fl, node, st->frames[j]);

				intmap_put(&index, key,
					   (void *)(uintptr_t)(child + 1));
				node = child;
			}
			fl->nodes[node].total += st->count;
		}
		fl->nodes[node].self += st->count;
		if (st->depth > fl->max_depth)
			fl->max_depth = st->depth;
	}
	intmap_fini(&index);

	/* Sibling lists: every node but the root, sorted by (parent, name). */
	order = xcalloc(fl->len, sizeof(*order));
	for (i = 1; i < fl->len; i++)
		order[i - 1] = (uint32_t)i;
	flame_sort_profile = p;
	flame_sort_nodes = fl->nodes;
	qsort(order, fl->len - 1, sizeof(*order), flame_child_cmp);
	for (i = 0; i + 1 < fl->len; i++) {
		struct flame_node *parent =
			&fl->nodes[fl->nodes[order[i]].parent];

		if (!parent->nchildren)
			parent->first = (uint32_t)i;
		parent->nchildren++;
	}
	fl->children = order;
}

/* A stable color from the name: the same function looks the same in every
 * graph, so a baseline and a PR graph can be compared by eye. */
static void
flame_color(const struct frame *f, char *buf, size_t size)
{
	unsigned long long h = hash_bytes(f->name, strlen(f->name), 0);
	unsigned a = (unsigned)(h & 0xff), b = (unsigned)((h >> 8) & 0xff),
		 c = (unsigned)((h >> 16) & 0xff);
	unsigned r, g, bl;

	switch (f->kind) {
	case FRAME_KERNEL: /* lavender */
		r = 170 + a * 40 / 255, g = 150 + b * 40 / 255,
		bl = 215 + c * 40 / 255;
		break;
	case FRAME_JIT: /* green */
		r = 50 + a * 60 / 255, g = 180 + b * 60 / 255,
		bl = 50 + c * 60 / 255;
		break;
	case FRAME_INLINED: /* aqua */
		r = 60 + a * 50 / 255, g = 190 + b * 50 / 255,
		bl = 190 + c * 50 / 255;
		break;
	case FRAME_UNKNOWN: /* grey */
		r = g = bl = 175 + a * 30 / 255;
		break;
	case FRAME_PROCESS: /* sand */
		r = 215 + a * 25 / 255, g = 195 + a * 25 / 255,
		bl = 150 + a * 25 / 255;
		break;
	default: /* hot: red to yellow */
		r = 205 + a * 50 / 255, g = b * 230 / 255, bl = c * 55 / 255;
		break;
	}
	snprintf(buf, size, "rgb(%u,%u,%u)", r, g, bl);
}

struct flame_writer {
	FILE *fp;
	const struct flame_opts *o;
	struct flame *fl;
	double scale; /* px per sample */
	int height;
	uint64_t total;
	struct strbuf sb, name;
};

static void
flame_frame_name(struct flame_writer *w, const struct flame_node *n)
{
	strbuf_reset(&w->name);
	if (n->frame == UINT32_MAX) {
		strbuf_addstr(&w->name, "all");
	} else {
		const struct frame *f = profile_frame(w->fl->p, n->frame);

		strbuf_addstr(&w->name, f->name);
		strbuf_addstr(&w->name, frame_kind_suffix(f->kind));
	}
}

static void
flame_write_node(struct flame_writer *w, uint32_t idx, double x, uint32_t depth)
{
	const struct flame_node *n = &w->fl->nodes[idx];
	const struct flame_opts *o = w->o;
	double width = (double)n->total * w->scale;
	double y =
		w->height - BOTTOM_PAD - (double)(depth + 1) * o->frame_height;
	double fit = (width - 6) / (o->font_size * CHAR_WIDTH);
	char color[32];

	flame_frame_name(w, n);
	if (n->frame == UINT32_MAX)
		snprintf(color, sizeof(color), "rgb(240,170,120)");
	else
		flame_color(profile_frame(w->fl->p, n->frame), color,
			    sizeof(color));
	strbuf_reset(&w->sb);
	strbuf_addstr(&w->sb, "<g><title>");
	svg_escape(&w->sb, w->name.buf, 0);
	strbuf_addf(&w->sb, " (%" PRIu64 " ", n->total);
	svg_escape(&w->sb, o->count_name, 0);
	strbuf_addf(&w->sb, ", %.2f%%",
		    100.0 * (double)n->total / (double)w->total);
	if (n->self && n->nchildren)
		strbuf_addf(&w->sb, "; self %" PRIu64, n->self);
	strbuf_addf(&w->sb,
		    ")</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%d\" fill=\"%s\" rx=\"2\"/>",
		    x, y, width, o->frame_height - 1, color);
	if (fit >= 3) {
		strbuf_addf(&w->sb, "<text x=\"%.1f\" y=\"%.1f\">", x + 3,
			    y + o->frame_height - 4.5);
		svg_escape(&w->sb, w->name.buf, (size_t)fit);
		strbuf_addstr(&w->sb, "</text>");
	}
	strbuf_addstr(&w->sb, "</g>\n");
	fwrite(w->sb.buf, 1, w->sb.len, w->fp);
}

struct flame_todo {
	uint32_t node;
	uint32_t depth;
	double x;
};

/* Depth of the deepest frame wide enough to be drawn (0 for the root). */
static uint32_t
flame_visible_depth(const struct flame *fl, double scale, double min_width)
{
	uint32_t *depth = xcalloc(fl->len, sizeof(*depth)), max = 0;
	size_t i;

	/* Parents come before children in node order: one pass suffices. */
	for (i = 1; i < fl->len; i++) {
		const struct flame_node *n = &fl->nodes[i];

		if ((double)n->total * scale < min_width)
			continue;
		depth[i] = depth[n->parent] + 1;
		if (depth[i] > max)
			max = depth[i];
	}
	free(depth);
	return max;
}

/* Depth-first over the tree, skipping paths narrower than min_width. */
static void
flame_write_frames(struct flame_writer *w)
{
	struct flame_todo *todo;
	size_t n = 0, cap = 64;

	todo = xmalloc(cap * sizeof(*todo));
	todo[n++] = (struct flame_todo){ 0, 0, XPAD };
	while (n) {
		struct flame_todo t = todo[--n];
		const struct flame_node *node = &w->fl->nodes[t.node];
		double x = t.x;
		uint32_t i;

		if ((double)node->total * w->scale < w->o->min_width)
			continue; /* pruned with everything above it */
		flame_write_node(w, t.node, t.x, t.depth);
		if (n + node->nchildren > cap) {
			while (n + node->nchildren > cap)
				cap *= 2;
			todo = xreallocarray(todo, cap, sizeof(*todo));
		}
		for (i = 0; i < node->nchildren; i++) {
			uint32_t c = w->fl->children[node->first + i];

			todo[n++] = (struct flame_todo){ c, t.depth + 1, x };
			x += (double)w->fl->nodes[c].total * w->scale;
		}
	}
	free(todo);
}

int
flame_write_svg(const struct profile *p, const struct flame_opts *o, FILE *fp)
{
	struct flame fl;
	struct flame_writer w;
	int width = o->width;

	memset(&fl, 0, sizeof(fl));
	memset(&w, 0, sizeof(w));
	flame_build(&fl, p);
	w.fp = fp;
	w.o = o;
	w.fl = &fl;
	w.total = fl.nodes[0].total;
	w.scale = w.total ? (double)(width - 2 * XPAD) / (double)w.total : 0;
	w.height = TOP_PAD +
		   (int)(flame_visible_depth(&fl, w.scale, o->min_width) + 1) *
			   o->frame_height +
		   BOTTOM_PAD;
	strbuf_init(&w.sb);
	strbuf_init(&w.name);

	fprintf(fp,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">\n"
		"<style>text{font-family:Verdana,\"DejaVu Sans\",sans-serif;"
		"font-size:%dpx;fill:#000}.title{font-size:%dpx;"
		"text-anchor:middle}.sub{fill:#555;text-anchor:middle}"
		".foot{fill:#555}rect:hover{stroke:#000;stroke-width:0.5}"
		"</style>\n"
		"<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" "
		"fill=\"#fafaf4\"/>\n",
		width, w.height, width, w.height, o->font_size,
		o->font_size + 5);
	strbuf_addf(&w.sb, "<text class=\"title\" x=\"%d\" y=\"24\">",
		    width / 2);
	svg_escape(&w.sb, o->title ? o->title : "Flame Graph", 0);
	strbuf_addstr(&w.sb, "</text>\n");
	if (o->subtitle) {
		strbuf_addf(&w.sb, "<text class=\"sub\" x=\"%d\" y=\"44\">",
			    width / 2);
		svg_escape(&w.sb, o->subtitle, 0);
		strbuf_addstr(&w.sb, "</text>\n");
	}
	fwrite(w.sb.buf, 1, w.sb.len, fp);
	if (w.total)
		flame_write_frames(&w);
	strbuf_reset(&w.sb);
	strbuf_addf(&w.sb, "<text class=\"foot\" x=\"%d\" y=\"%d\">", XPAD,
		    w.height - 9);
	if (w.total) {
		strbuf_addf(&w.sb, "%" PRIu64 " ", w.total);
		svg_escape(&w.sb, o->count_name, 0);
		strbuf_addf(&w.sb, ", %zu unique stacks, %u frames deep",
			    profile_nstacks(p), fl.max_depth);
	} else {
		strbuf_addstr(&w.sb, "no samples");
	}
	strbuf_addstr(&w.sb, "</text>\n</svg>\n");
	fwrite(w.sb.buf, 1, w.sb.len, fp);
	strbuf_fini(&w.sb);
	strbuf_fini(&w.name);
	free(fl.nodes);
	free(fl.children);
	return ferror(fp) ? -1 : 0;
}
