// SPDX-License-Identifier: MIT
// render/regex.js - the regex engine of the flame graph's search, embedded
// into every SVG before render/flame.js, which calls scorchRegex.compile().
// The same bounded POSIX extended regex as common/regex.c (which says
// what is accepted), so a name or a #search= link cannot hang the tab:
// counted repetition is expanded with a size cap and matching is an
// NFA simulation, O(states x name length), never backtracking. Code
// units stand for bytes; "icase" folds case with toLowerCase().
var scorchRegex = (function () {
	"use strict";
	var RX_MAX_STATES = 2000;
	var RX_MAX_REPEAT = 1000;
	var RX_MAX_DEPTH = 64;
	var RX_CHAR = 0, RX_ANY = 1, RX_CLASS = 2, RX_ASSERT = 3, RX_SPLIT = 4,
		RX_JMP = 5, RX_MATCH = 6;
	var RX_POSIX = {
		alpha: [[65, 90], [97, 122]], digit: [[48, 57]],
		alnum: [[48, 57], [65, 90], [97, 122]], upper: [[65, 90]],
		lower: [[97, 122]], space: [[9, 13], [32, 32]],
		blank: [[9, 9], [32, 32]],
		punct: [[33, 47], [58, 64], [91, 96], [123, 126]],
		print: [[32, 126]], graph: [[33, 126]], cntrl: [[0, 31], [127, 127]],
		xdigit: [[48, 57], [65, 70], [97, 102]]
	};
	var RX_ESCAPES = {
		w: [false, [[48, 57], [65, 90], [95, 95], [97, 122]]],
		W: [true, [[48, 57], [65, 90], [95, 95], [97, 122]]],
		s: [false, RX_POSIX.space], S: [true, RX_POSIX.space],
		d: [false, RX_POSIX.digit], D: [true, RX_POSIX.digit]
	};

	function rxIsWord(c) {
		return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95 ||
			(c >= 97 && c <= 122);
	}
	function rxInClass(cl, c) {
		var k;
		for (k = 0; k < cl.ranges.length; k++) {
			if (c >= cl.ranges[k][0] && c <= cl.ranges[k][1]) {
				return !cl.neg;
			}
		}
		return cl.neg;
	}

	// Parse src into a tree of {t, size, ...}; throws Error(reason).
	function rxParse(src) {
		var pos = 0;
		var depth = 0;
		var nnodes = 0;
		function fail(msg) {
			throw new Error(msg);
		}
		function node(t, size) {
			if (++nnodes > 4 * RX_MAX_STATES) {
				fail("too large (more than " + RX_MAX_STATES + " states)");
			}
			return { t: t, size: size };
		}
		function capped(nd, expanded) {
			if (nd.size > RX_MAX_STATES) {
				fail("too large (more than " + RX_MAX_STATES + " states" +
					(expanded ? " once repetition is expanded)" : ")"));
			}
			return nd;
		}
		function bracketElem(cl) {
			var c = src[pos];
			var kind = src[pos + 1];
			if (c !== "[" || (kind !== ":" && kind !== "." && kind !== "=")) {
				pos++;
				return src.charCodeAt(pos - 1);
			}
			var e = src.indexOf(kind + "]", pos + 2);
			if (e < 0) {
				fail("unmatched [" + kind);
			}
			var name = src.slice(pos + 2, e);
			pos = e + 2;
			if (kind === ":") {
				if (!Object.prototype.hasOwnProperty.call(RX_POSIX, name)) {
					fail("unknown character class [:" + name + ":]");
				}
				cl.ranges = cl.ranges.concat(RX_POSIX[name]);
				return -2;
			}
			if (name.length !== 1) {
				fail("unsupported collating element [" + kind + name + kind + "]");
			}
			return name.charCodeAt(0);
		}
		function bracket() {
			var cl = { neg: false, ranges: [] };
			var first = true;
			var lo;
			var hi;
			if (src[pos] === "^") {
				cl.neg = true;
				pos++;
			}
			for (;; first = false) {
				if (pos >= src.length) {
					fail("unmatched [");
				}
				if (src[pos] === "]" && !first) {
					break;
				}
				lo = bracketElem(cl);
				if (lo === -2) {
					continue;
				}
				if (src[pos] !== "-" || src[pos + 1] === "]" ||
					pos + 1 >= src.length) {
					cl.ranges.push([lo, lo]);
					continue;
				}
				pos++;
				hi = bracketElem(cl);
				if (hi === -2 || hi < lo) {
					fail("invalid range in [...]");
				}
				cl.ranges.push([lo, hi]);
			}
			pos++;
			var nd = node(RX_CLASS, 1);
			nd.cl = cl;
			return nd;
		}
		function escape() {
			var e = src[pos++];
			var nd;
			if (e === undefined) {
				fail("trailing backslash");
			}
			if (Object.prototype.hasOwnProperty.call(RX_ESCAPES, e)) {
				nd = node(RX_CLASS, 1);
				nd.cl = { neg: RX_ESCAPES[e][0], ranges: RX_ESCAPES[e][1] };
			} else if ("bB<>".indexOf(e) >= 0) {
				nd = node(RX_ASSERT, 1);
				nd.a = e;
			} else if (e >= "1" && e <= "9") {
				fail("back-references (\\" + e + ") are not supported");
			} else if (/[a-zA-Z]/.test(e)) {
				fail("unsupported escape \\" + e);
			} else {
				nd = node(RX_CHAR, 1);
				nd.c = e.charCodeAt(0);
			}
			return nd;
		}
		function atom() {
			var c = src[pos++];
			var nd;
			if (c === "(") {
				if (++depth > RX_MAX_DEPTH) {
					fail("nested deeper than " + RX_MAX_DEPTH);
				}
				nd = alt();
				if (src[pos] !== ")") {
					fail("unmatched (");
				}
				pos++;
				depth--;
				return nd;
			}
			if (c === "[") {
				return bracket();
			}
			if (c === "\\") {
				return escape();
			}
			if (c === "*" || c === "+" || c === "?" || c === "{") {
				fail("nothing to repeat before '" + c + "'");
			}
			if (c === "^" || c === "$") {
				nd = node(RX_ASSERT, 1);
				nd.a = c;
				return nd;
			}
			nd = node(c === "." ? RX_ANY : RX_CHAR, 1);
			nd.c = src.charCodeAt(pos - 1);
			return nd;
		}
		function count() {
			var v = -1;
			while (src[pos] >= "0" && src[pos] <= "9") {
				v = Math.max(v, 0) * 10 + src.charCodeAt(pos++) - 48;
				if (v > RX_MAX_REPEAT) {
					fail("repetition count over " + RX_MAX_REPEAT);
				}
			}
			return v;
		}
		function interval(r) {
			r.min = count();
			r.max = r.min;
			if (src[pos] === ",") {
				pos++;
				r.max = count();
				r.min = Math.max(r.min, 0);
			} else if (r.min < 0) {
				r.max = -2;
			}
			if (src[pos] !== "}" || r.max === -2 || (r.max >= 0 && r.max < r.min)) {
				fail("invalid interval {...}");
			}
			pos++;
		}
		function repeat() {
			var nd = atom();
			var stacked = 0;
			var c;
			var r;
			while ((c = src[pos]) === "*" || c === "+" || c === "?" || c === "{") {
				pos++;
				if (nd.t === RX_ASSERT) {
					fail("nothing to repeat before '" + c + "'");
				}
				if (++stacked + depth > RX_MAX_DEPTH) {
					fail("nested deeper than " + RX_MAX_DEPTH);
				}
				r = node("rep", 0);
				r.kid = nd;
				r.min = c === "+" ? 1 : 0;
				r.max = c === "?" ? 1 : -1;
				if (c === "{") {
					interval(r);
				}
				r.size = r.max < 0 ? (r.min ? r.min * nd.size + 1 : nd.size + 2) :
					r.min * nd.size + (r.max - r.min) * (nd.size + 1);
				nd = capped(r, true);
			}
			return nd;
		}
		function cat() {
			var nd = node("cat", 0);
			nd.kids = [];
			while (pos < src.length && src[pos] !== "|" &&
				!(src[pos] === ")" && depth > 0)) {
				var k = repeat();
				nd.kids.push(k);
				nd.size += k.size;
				capped(nd, false);
			}
			return nd;
		}
		function alt() {
			var nd = node("alt", 0);
			nd.kids = [];
			for (;;) {
				var k = cat();
				nd.size += k.size + (nd.kids.length ? 2 : 0);
				nd.kids.push(k);
				capped(nd, false);
				if (src[pos] !== "|") {
					return nd;
				}
				pos++;
			}
		}
		return alt();
	}

	// The program for tree nd, appended to prog (see common/regex.c).
	function rxEmit(prog, nd) {
		var k;
		var at;
		var fix = [];
		function put(op, x, y) {
			prog.push({ op: op, x: x, y: y });
			return prog.length - 1;
		}
		if (nd.t === "cat") {
			nd.kids.forEach(function (kid) {
				rxEmit(prog, kid);
			});
		} else if (nd.t === "alt") {
			for (k = 0; k + 1 < nd.kids.length; k++) {
				at = put(RX_SPLIT, prog.length + 1, 0);
				rxEmit(prog, nd.kids[k]);
				fix.push(put(RX_JMP, 0, 0));
				prog[at].y = prog.length;
			}
			rxEmit(prog, nd.kids[k]);
			fix.forEach(function (j) {
				prog[j].x = prog.length;
			});
		} else if (nd.t === "rep") {
			if (!nd.kid.size) {
				return; // matches "" only, however repeated
			}
			if (nd.max < 0 && nd.min === 0) {
				at = put(RX_SPLIT, prog.length + 1, 0);
				rxEmit(prog, nd.kid);
				put(RX_JMP, at, 0);
				prog[at].y = prog.length;
				return;
			}
			for (k = 0; k + (nd.max < 0 ? 1 : 0) < nd.min; k++) {
				rxEmit(prog, nd.kid);
			}
			if (nd.max < 0) {
				at = prog.length;
				rxEmit(prog, nd.kid);
				put(RX_SPLIT, at, prog.length + 1);
				return;
			}
			for (k = nd.min; k < nd.max; k++) {
				fix.push(put(RX_SPLIT, prog.length + 1, 0));
				rxEmit(prog, nd.kid);
			}
			fix.forEach(function (j) {
				prog[j].y = prog.length;
			});
		} else {
			at = put(nd.t, 0, 0);
			prog[at].c = nd.c;
			prog[at].cl = nd.cl;
			prog[at].a = nd.a;
		}
	}

	// A matcher for src: {test(name)}, or throws Error(reason).
	function rxCompile(src, icase) {
		var prog = [];
		rxEmit(prog, rxParse(src));
		prog.push({ op: RX_MATCH });
		var m = prog.length;
		var mark = new Float64Array(m); // list generation each state is in
		var stack = new Int32Array(2 * m + 1);
		var lists = [new Int32Array(m), new Int32Array(m)];
		var gen = 0;
		if (icase) {
			prog.forEach(function (in1) {
				if (in1.op === RX_CHAR) {
					in1.c = String.fromCharCode(in1.c).toLowerCase().charCodeAt(0);
				}
			});
		}
		function holds(a, s, p) {
			var before = p > 0 && rxIsWord(s.charCodeAt(p - 1));
			var after = p < s.length && rxIsWord(s.charCodeAt(p));
			return a === "^" ? p === 0 : a === "$" ? p === s.length :
				a === "b" ? before !== after : a === "B" ? before === after :
					a === "<" ? !before && after : before && !after;
		}
		// Add pc and the states it reaches without consuming to list;
		// true when MATCH is among them.
		function add(list, nlist, pc, s, p, g) {
			var sp = 0;
			var n1 = nlist[0];
			stack[sp++] = pc;
			while (sp) {
				pc = stack[--sp];
				if (mark[pc] === g) {
					continue;
				}
				mark[pc] = g;
				var in1 = prog[pc];
				if (in1.op === RX_MATCH) {
					return true;
				} else if (in1.op === RX_JMP) {
					stack[sp++] = in1.x;
				} else if (in1.op === RX_SPLIT) {
					stack[sp++] = in1.y;
					stack[sp++] = in1.x;
				} else if (in1.op === RX_ASSERT) {
					if (holds(in1.a, s, p)) {
						stack[sp++] = pc + 1;
					}
				} else {
					list[n1++] = pc;
				}
			}
			nlist[0] = n1;
			return false;
		}
		function step(in1, c, lc, uc) {
			if (in1.op === RX_CHAR) {
				return in1.c === (icase ? lc : c);
			}
			return in1.op === RX_ANY || rxInClass(in1.cl, c) ||
				(icase && (rxInClass(in1.cl, lc) || rxInClass(in1.cl, uc)));
		}
		function test(s) {
			var ls = icase ? s.toLowerCase() : s;
			var us = icase ? s.toUpperCase() : s;
			var cur = lists[0];
			var nxt = lists[1];
			var nc = [0];
			var nn = [0];
			var p;
			var i;
			var t;
			if (ls.length !== s.length) {
				ls = s;
			}
			if (us.length !== s.length) {
				us = s;
			}
			var base = gen; // the list for position p is generation base + p + 1
			gen += s.length + 2;
			for (p = 0; ; p++) {
				if (add(cur, nc, 0, s, p, base + p + 1)) {
					return true;
				}
				if (p === s.length) {
					return false;
				}
				nn[0] = 0;
				for (i = 0; i < nc[0]; i++) {
					if (step(prog[cur[i]], s.charCodeAt(p), ls.charCodeAt(p),
						us.charCodeAt(p)) &&
						add(nxt, nn, cur[i] + 1, s, p + 1, base + p + 2)) {
						return true;
					}
				}
				t = cur;
				cur = nxt;
				nxt = t;
				nc[0] = nn[0];
			}
		}
		return { test: test, states: m };
	}
	return { compile: rxCompile };
}());
