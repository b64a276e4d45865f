// SPDX-License-Identifier: MIT
// render/flame.js - the interactive part of scorch's flame graphs, embedded
// into every SVG at build time: tooltips, click to zoom, regular-expression
// search, Ctrl-F and Esc, and the view kept in the URL fragment
// (#zoom=FRAME&search=REGEX) so a shared link reproduces it.
//
// Frame names come from profiles, which are untrusted: they are only ever
// read and written as text (textContent), never parsed as markup or code.
// Each frame is <g o="START" n="SAMPLES"><title>NAME\nINFO...</title>
// <rect/><text/></g>, in preorder; START and SAMPLES are exact counts.
(function () {
	"use strict";
	var SVGNS = "http://www.w3.org/2000/svg";
	var CHAR_WIDTH = 0.59; // average glyph width per px of font size
	var HIGHLIGHT = "rgb(230,0,230)";
	var doc = document;
	var framesEl = doc.getElementById("frames");
	if (!framesEl) {
		return;
	}
	var svg = framesEl.ownerSVGElement;
	var pad = Number(framesEl.getAttribute("pad"));
	var fontSize = Number(framesEl.getAttribute("fs"));
	var total = Number(framesEl.getAttribute("total"));
	var avail = Number(framesEl.getAttribute("w")) - 2 * pad;
	var els = Array.prototype.slice.call(framesEl.children);
	var n = els.length;
	var start = new Float64Array(n); // samples left of the frame
	var width = new Float64Array(n); // samples in the frame
	var parent = new Int32Array(n); // index of the parent, -1 for "all"
	var end = new Int32Array(n); // index after the frame's subtree
	var names = new Array(n); // read from <title> when first needed
	var info = new Array(n);
	var fills = new Array(n); // the palette's color while highlighted
	var rects = new Array(n); // each frame's <rect>, once looked up
	var texts = new Array(n); // each frame's <text>, or null
	var curX = new Float64Array(n); // where each frame is drawn now, px
	var curW = new Float64Array(n);
	var dirty = []; // frames drawn away from their unzoomed place
	var isDirty = new Uint8Array(n);
	var shown = []; // frames on display while zoomed
	var matches = []; // frames highlighted by the search
	var index = new Map(); // <g> -> index
	var unzoomBtn = doc.getElementById("unzoom");
	var searchBtn = doc.getElementById("search");
	var matchedEl = doc.getElementById("matched");
	var detailsEl = doc.getElementById("details");
	var detailsText = detailsEl ? detailsEl.textContent : "";
	var tip = doc.getElementById("tip");
	var zoomed = -1;
	var searchTerm = "";
	var scale = total > 0 ? avail / total : 0; // px per sample, unzoomed

	// The tree, from preorder and the sample intervals: a frame's parent
	// is the nearest open frame whose interval holds its own.
	(function () {
		var stack = [];
		var i;
		var top;
		for (i = 0; i < n; i++) {
			start[i] = Number(els[i].getAttribute("o"));
			width[i] = Number(els[i].getAttribute("n"));
			curX[i] = -1; // not read yet: see rectOf()
			index.set(els[i], i);
			while (stack.length) {
				top = stack[stack.length - 1];
				if (start[i] >= start[top] &&
					start[i] + width[i] <= start[top] + width[top]) {
					break;
				}
				end[top] = i;
				stack.pop();
			}
			parent[i] = stack.length ? stack[stack.length - 1] : -1;
			stack.push(i);
		}
		while (stack.length) {
			end[stack.pop()] = n;
		}
	}());

	// Name and info lines of frame i, from its <title>. The title is then
	// removed, so the browser's own tooltip does not cover ours.
	function load(i) {
		if (names[i] !== undefined) {
			return;
		}
		var t = els[i].querySelector("title");
		var lines = t ? t.textContent.split("\n") : [""];
		names[i] = lines[0];
		info[i] = lines.slice(1);
		if (t) {
			t.parentNode.removeChild(t);
		}
	}
	function nameOf(i) {
		load(i);
		return names[i];
	}
	function rectOf(i) {
		if (!rects[i]) {
			rects[i] = els[i].querySelector("rect");
			texts[i] = els[i].querySelector("text");
			curX[i] = Number(rects[i].getAttribute("x"));
			curW[i] = Number(rects[i].getAttribute("width"));
		}
		return rects[i];
	}
	function pct(part, whole) {
		return whole > 0 ? (100 * part / whole).toFixed(2) + "%" : "-";
	}

	// Place frame i at x px, w px wide, and fit its label. Untouched when
	// it is there already: a big graph has tens of thousands of frames.
	function place(i, x, w) {
		var r = rectOf(i);
		x = Math.round(x * 10) / 10;
		w = Math.round(w * 10) / 10;
		if (x === curX[i] && w === curW[i]) {
			return;
		}
		curX[i] = x;
		curW[i] = w;
		r.setAttribute("x", x.toFixed(1));
		r.setAttribute("width", w.toFixed(1));
		var t = texts[i];
		var fit = Math.floor((w - 6) / (fontSize * CHAR_WIDTH));
		if (fit < 3) {
			if (t) {
				t.textContent = "";
			}
			return;
		}
		if (!t) {
			var h = Number(r.getAttribute("height")) + 1;
			t = doc.createElementNS(SVGNS, "text");
			t.setAttribute("y", (Number(r.getAttribute("y")) + h / 2 +
				fontSize / 3).toFixed(1));
			els[i].appendChild(t);
			texts[i] = t;
		}
		var name = nameOf(i);
		t.setAttribute("x", (x + 3).toFixed(1));
		t.textContent = name.length <= fit ? name :
			name.slice(0, fit - 2) + "..";
	}

	// Move frame i for a zoomed view, remembering to move it back.
	function placeZoomed(i, x, w) {
		if (!isDirty[i]) {
			isDirty[i] = 1;
			dirty.push(i);
		}
		place(i, x, w);
	}

	function setHash() {
		var parts = [];
		if (zoomed > 0) {
			parts.push("zoom=" + zoomed);
		}
		if (searchTerm) {
			parts.push("search=" + encodeURIComponent(searchTerm));
		}
		var h = parts.length ? "#" + parts.join("&") : "";
		try {
			history.replaceState(null, "", h || location.pathname +
				location.search);
		} catch (e) {
			location.hash = h;
		}
	}

	// Zoom into frame i: it fills the width, its callees scale with it,
	// its callers stay full width (faded), everything else is hidden (by
	// the "zoomed" class on the container: only the shown frames change).
	function zoom(i, quiet) {
		var ratio = avail / width[i];
		var j;
		shown.forEach(function (k) {
			els[k].classList.remove("show", "anc");
		});
		shown = [];
		for (j = parent[i]; j >= 0; j = parent[j]) {
			els[j].classList.add("show", "anc");
			shown.push(j);
			placeZoomed(j, pad, avail);
		}
		for (j = i; j < end[i]; j++) {
			els[j].classList.add("show");
			shown.push(j);
			placeZoomed(j, pad + (start[j] - start[i]) * ratio, width[j] * ratio);
		}
		framesEl.classList.add("zoomed");
		zoomed = i;
		unzoomBtn.classList.remove("hide");
		if (!quiet) {
			setHash();
		}
	}

	function unzoom(quiet) {
		if (zoomed < 0) {
			return;
		}
		framesEl.classList.remove("zoomed");
		shown.forEach(function (k) {
			els[k].classList.remove("show", "anc");
		});
		shown = [];
		dirty.forEach(function (k) {
			isDirty[k] = 0;
			place(k, pad + start[k] * scale, width[k] * scale);
		});
		dirty = [];
		zoomed = -1;
		unzoomBtn.classList.add("hide");
		if (!quiet) {
			setHash();
		}
	}

	// Highlight every frame whose name matches; the matched share counts
	// each sample once, however many matching frames it passes through.
	// A leading "(?i)" ignores case. The regex is render/regex.js's, never
	// the browser's backtracking RegExp: names and #search= links are
	// untrusted, and (a+)+$ on a name of 30 a's would take minutes.
	function search(term, quiet) {
		var re;
		try {
			re = term.slice(0, 4) === "(?i)" ? scorchRegex.compile(term.slice(4), true) :
				scorchRegex.compile(term, false);
		} catch (e) {
			matchedEl.textContent = "invalid regular expression: " + e.message;
			return;
		}
		var sum = 0;
		var covered = -1; // sample offset up to which matches are counted
		var i;
		clearMatches();
		try {
			for (i = 1; i < n; i++) {
				if (!re.test(nameOf(i))) {
					continue;
				}
				var r = rectOf(i);
				fills[i] = r.getAttribute("fill");
				r.setAttribute("fill", HIGHLIGHT);
				matches.push(i);
				if (start[i] >= covered) {
					sum += width[i];
					covered = start[i] + width[i];
				}
			}
		} catch (e) { // the matcher's work bound
			clearMatches();
			matchedEl.textContent = "search " + e.message;
			return;
		}
		searchTerm = term;
		matchedEl.textContent = "Matched: " + pct(sum, total);
		searchBtn.textContent = "Reset Search";
		searchBtn.classList.add("on");
		if (!quiet) {
			setHash();
		}
	}

	function clearMatches() {
		matches.forEach(function (i) {
			rectOf(i).setAttribute("fill", fills[i]);
		});
		matches = [];
	}

	function resetSearch(quiet) {
		clearMatches();
		searchTerm = "";
		matchedEl.textContent = "";
		searchBtn.textContent = "Search";
		searchBtn.classList.remove("on");
		if (!quiet) {
			setHash();
		}
	}

	function askSearch() {
		var term = window.prompt("Search for frames matching a regular " +
			"expression:", searchTerm);
		if (term) {
			search(term);
		} else if (term !== null) {
			resetSearch();
		}
	}

	function reset() {
		unzoom(true);
		resetSearch(true);
		setHash();
	}

	// The view named by the URL fragment: #zoom=N&search=REGEX.
	function applyHash() {
		var h = location.hash.replace(/^#/, "");
		var z = -1;
		var s = "";
		h.split("&").forEach(function (kv) {
			var eq = kv.indexOf("=");
			if (eq < 0) {
				return;
			}
			var k = kv.slice(0, eq);
			var v = kv.slice(eq + 1);
			try {
				v = decodeURIComponent(v);
			} catch (e) {
				return;
			}
			if (k === "zoom" && /^[0-9]+$/.test(v)) {
				z = Number(v);
			} else if (k === "search") {
				s = v;
			}
		});
		unzoom(true);
		resetSearch(true);
		if (z > 0 && z < n) {
			zoom(z, true);
		}
		if (s) {
			search(s, true);
		}
	}

	function frameOf(evt) {
		var g = evt.target.closest ? evt.target.closest("g") : null;
		return g && index.has(g) ? index.get(g) : -1;
	}

	function showTip(i, evt) {
		load(i);
		var lines = [names[i]].concat(info[i].slice(0, 1));
		if (parent[i] >= 0) {
			lines.push(pct(width[i], width[parent[i]]) + " of its caller");
		}
		if (zoomed > 0 && i !== zoomed) {
			lines.push(pct(width[i], width[zoomed]) + " of the zoomed frame");
		}
		lines = lines.concat(info[i].slice(1));
		var text = tip.querySelector("text");
		var box = tip.querySelector("rect");
		while (text.firstChild) {
			text.removeChild(text.firstChild);
		}
		lines.forEach(function (line, k) {
			var span = doc.createElementNS(SVGNS, "tspan");
			span.setAttribute("x", "6");
			span.setAttribute("dy", k ? "1.3em" : "1.1em");
			if (!k) {
				span.setAttribute("class", "name");
			}
			span.textContent = line;
			text.appendChild(span);
		});
		tip.classList.remove("hide");
		var bb = text.getBBox();
		box.setAttribute("width", (bb.width + 12).toFixed(0));
		box.setAttribute("height", (bb.height + 8).toFixed(0));
		moveTip(evt, bb.width + 12, bb.height + 8);
		detailsEl.textContent = names[i] + " (" + (info[i][0] || "") + ")";
	}

	function moveTip(evt, w, h) {
		var m = svg.getScreenCTM();
		var p = svg.createSVGPoint();
		p.x = evt.clientX;
		p.y = evt.clientY;
		if (m) {
			p = p.matrixTransform(m.inverse());
		}
		var vb = svg.viewBox.baseVal;
		var x = Math.min(p.x + 12, vb.width - w - 2);
		var y = p.y + 16 + h > vb.height ? p.y - h - 8 : p.y + 16;
		tip.setAttribute("transform", "translate(" + Math.max(x, 2).toFixed(0) +
			"," + Math.max(y, 2).toFixed(0) + ")");
	}

	function hideTip() {
		tip.classList.add("hide");
		detailsEl.textContent = detailsText;
	}

	framesEl.addEventListener("mouseover", function (evt) {
		var i = frameOf(evt);
		if (i >= 0) {
			showTip(i, evt);
		}
	});
	framesEl.addEventListener("mousemove", function (evt) {
		if (!tip.classList.contains("hide")) {
			var box = tip.querySelector("rect");
			moveTip(evt, Number(box.getAttribute("width")),
				Number(box.getAttribute("height")));
		}
	});
	framesEl.addEventListener("mouseout", hideTip);
	framesEl.addEventListener("click", function (evt) {
		var i = frameOf(evt);
		if (i > 0) {
			zoom(i);
		} else if (i === 0) {
			unzoom();
		}
	});
	unzoomBtn.addEventListener("click", function () {
		unzoom();
	});
	searchBtn.addEventListener("click", function () {
		if (searchTerm) {
			resetSearch();
		} else {
			askSearch();
		}
	});
	window.addEventListener("keydown", function (evt) {
		if ((evt.ctrlKey || evt.metaKey) && (evt.key === "f" || evt.key === "F")) {
			evt.preventDefault();
			askSearch();
		} else if (evt.key === "Escape") {
			reset();
		}
	});
	window.addEventListener("hashchange", applyHash);
	if (location.hash.length > 1) {
		applyHash();
	}
}());
