/* SPDX-License-Identifier: MIT */
/*
 * render/render.h - turns a profile into pictures and tables: the flame
 * graph layout and its SVG writer. Works offline on a struct profile; never
 * needs the target process or its binaries.
 *
 * Ownership: callers own the profile and the stream; render functions only
 * read the profile. Every string that comes from the profile (frame names,
 * titles) is escaped before it reaches the SVG: profiles are untrusted.
 */
#ifndef SCORCH_RENDER_H
#define SCORCH_RENDER_H

#include <stdio.h>

struct profile;

struct flame_opts {
	const char *title;	/* default "Flame Graph" */
	const char *subtitle;	/* NULL for none */
	const char *count_name; /* "samples" */
	int width;		/* image width in px, default 1200 */
	int frame_height;	/* px per frame, default 16 */
	int font_size;		/* px, default 12 */
	double min_width; /* px; narrower frames are pruned, default 0.1 */
};

/* flamegraph.c */
void flame_opts_init(struct flame_opts *o);
/* Write a flame graph of p to fp. Returns 0, or -1 on a write error. */
int flame_write_svg(const struct profile *p, const struct flame_opts *o,
		    FILE *fp);

#endif
