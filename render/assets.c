/* SPDX-License-Identifier: MIT */
/*
 * render/assets.c - the browser code every SVG embeds: render/regex.js (the
 * search's bounded regex engine), render/flame.js and render/flame.css,
 * turned into byte lists by scripts/embed.sh at build time (in the build
 * directories, not committed).
 */
#include "internal.h"

const char flame_asset_regex_js[] = {
#include "regex.js.inc"
};

const char flame_asset_js[] = {
#include "flame.js.inc"
};

const char flame_asset_css[] = {
#include "flame.css.inc"
};
