/* SPDX-License-Identifier: MIT */
/*
 * render/palette.c - frame colors. Every palette picks a color from a hash
 * of the frame's name, never at random, so the same function has the same
 * color in every graph and a baseline and a PR graph can be compared by eye.
 * The named palettes follow flamegraph.pl's (hot, mem, io, red, ...).
 */
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "../profile/profile.h"
#include "internal.h"

static const char *const palette_names[FLAME_PALETTE_MAX] = {
	[FLAME_PALETTE_KIND] = "kind",	   [FLAME_PALETTE_HOT] = "hot",
	[FLAME_PALETTE_MEM] = "mem",	   [FLAME_PALETTE_IO] = "io",
	[FLAME_PALETTE_RED] = "red",	   [FLAME_PALETTE_GREEN] = "green",
	[FLAME_PALETTE_BLUE] = "blue",	   [FLAME_PALETTE_AQUA] = "aqua",
	[FLAME_PALETTE_YELLOW] = "yellow", [FLAME_PALETTE_PURPLE] = "purple",
	[FLAME_PALETTE_ORANGE] = "orange",
};

int
flame_palette_parse(const char *name, enum flame_palette *out)
{
	int i;

	for (i = 0; i < FLAME_PALETTE_MAX; i++) {
		if (!strcmp(name, palette_names[i])) {
			*out = (enum flame_palette)i;
			return 0;
		}
	}
	return -1;
}

const char *
flame_palette_names(void)
{
	return "kind, hot, mem, io, red, green, blue, aqua, yellow, purple, "
	       "orange";
}

static void
palette_rgb(char buf[8], double r, double g, double b)
{
	snprintf(buf, 8, "#%02x%02x%02x", (unsigned)r & 0xff,
		 (unsigned)g & 0xff, (unsigned)b & 0xff);
}

void
flame_palette_color(enum flame_palette pal, const struct frame *f, char buf[8])
{
	unsigned long long h;
	double v1, v2, v3;

	if (!f) {
		palette_rgb(buf, 240, 170, 120); /* "all" */
		return;
	}
	h = hash_bytes(f->name, strlen(f->name), 0);
	v1 = (double)(h & 0xffff) / 65535.0;
	v2 = (double)((h >> 16) & 0xffff) / 65535.0;
	v3 = (double)((h >> 32) & 0xffff) / 65535.0;
	switch (pal) {
	case FLAME_PALETTE_KIND:
		switch (f->kind) {
		case FRAME_KERNEL: /* lavender */
			palette_rgb(buf, 170 + 40 * v1, 150 + 40 * v2,
				    215 + 40 * v3);
			return;
		case FRAME_JIT: /* green */
			palette_rgb(buf, 50 + 60 * v1, 180 + 60 * v2,
				    50 + 60 * v3);
			return;
		case FRAME_INLINED: /* aqua */
			palette_rgb(buf, 60 + 50 * v1, 190 + 50 * v2,
				    190 + 50 * v3);
			return;
		case FRAME_UNKNOWN: /* grey */
			palette_rgb(buf, 175 + 30 * v1, 175 + 30 * v1,
				    175 + 30 * v1);
			return;
		case FRAME_PROCESS: /* sand */
			palette_rgb(buf, 215 + 25 * v1, 195 + 25 * v1,
				    150 + 25 * v1);
			return;
		default: /* user code: hot */
			break;
		}
		/* fall through */
	case FLAME_PALETTE_HOT:
		palette_rgb(buf, 205 + 50 * v3, 230 * v1, 55 * v2);
		return;
	case FLAME_PALETTE_MEM:
		palette_rgb(buf, 0, 190 + 50 * v2, 210 * v1);
		return;
	case FLAME_PALETTE_IO:
		palette_rgb(buf, 80 + 60 * v1, 80 + 60 * v1, 190 + 55 * v2);
		return;
	case FLAME_PALETTE_RED:
		palette_rgb(buf, 200 + 55 * v1, 50 + 80 * v1, 50 + 80 * v1);
		return;
	case FLAME_PALETTE_GREEN:
		palette_rgb(buf, 50 + 60 * v1, 200 + 55 * v1, 50 + 60 * v1);
		return;
	case FLAME_PALETTE_BLUE:
		palette_rgb(buf, 80 + 60 * v1, 80 + 60 * v1, 205 + 50 * v1);
		return;
	case FLAME_PALETTE_AQUA:
		palette_rgb(buf, 50 + 60 * v1, 165 + 55 * v1, 165 + 55 * v1);
		return;
	case FLAME_PALETTE_YELLOW:
		palette_rgb(buf, 175 + 55 * v1, 175 + 55 * v1, 50 + 20 * v1);
		return;
	case FLAME_PALETTE_PURPLE:
		palette_rgb(buf, 190 + 65 * v1, 80 + 60 * v1, 190 + 65 * v1);
		return;
	case FLAME_PALETTE_ORANGE:
	default:
		palette_rgb(buf, 190 + 65 * v1, 90 + 65 * v1, 0);
		return;
	}
}

void
flame_palette_diff_color(const struct flame_annot *a, char buf[8])
{
	double t = a->intensity;

	if (!(t > 0) || a->delta == 0)
		t = 0;
	if (t > 1)
		t = 1;
	/* Not significant: a hint of the direction, never a strong color;
	 * a possible change: half of it. */
	if (!a->significant)
		t *= a->possible ? 0.5 : 0.25;
	if (a->delta > 0) /* grew: white to red */
		palette_rgb(buf, 255, 250 - 210 * t, 250 - 210 * t);
	else if (a->delta < 0) /* shrank: white to blue */
		palette_rgb(buf, 250 - 210 * t, 250 - 170 * t, 255);
	else
		palette_rgb(buf, 250, 250, 250);
}
