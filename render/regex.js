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
	// Steps (positions and the states alive at each) one matcher may take
	// over all the names it tests: a bound on the search's time, which
	// is linear but with 2000 states and a 1 MiB name would keep the tab
	// busy for minutes. Searching 200 000 names of 15 characters takes
	// 3 to 7 million; a graph draws far fewer names.
	var RX_MAX_WORK = 2e7;
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

	// Parser state: the pattern, the next code unit, the group depth and
	// the nodes made so far (each parse function throws Error(reason)).
	function rxParse(src) {
		var ps = { src: src, pos: 0, depth: 0, nnodes: 0 };
		return rxAlt(ps);
	}
	function rxFail(msg) {
		throw new Error(msg);
	}
	function rxNode(ps, t, size) {
		if (++ps.nnodes > 4 * RX_MAX_STATES) {
			rxFail("too large (more than " + RX_MAX_STATES + " states)");
		}
		return { t: t, size: size };
	}
	function rxCapped(ps, nd, expanded) {
		if (nd.size > RX_MAX_STATES) {
			rxFail("too large (more than " + RX_MAX_STATES + " states" +
				(expanded ? " once repetition is expanded)" : ")"));
		}
		return nd;
	}
	function rxBracketElem(ps, cl) {
		var c = ps.src[ps.pos];
		var kind = ps.src[ps.pos + 1];
		if (c !== "[" || (kind !== ":" && kind !== "." && kind !== "=")) {
			ps.pos++;
			return ps.src.charCodeAt(ps.pos - 1);
		}
		var e = ps.src.indexOf(kind + "]", ps.pos + 2);
		if (e < 0) {
			rxFail("unmatched [" + kind);
		}
		var name = ps.src.slice(ps.pos + 2, e);
		ps.pos = e + 2;
		if (kind === ":") {
			if (!Object.prototype.hasOwnProperty.call(RX_POSIX, name)) {
				rxFail("unknown character class [:" + name + ":]");
			}
			cl.ranges = cl.ranges.concat(RX_POSIX[name]);
			return -2;
		}
		if (name.length !== 1) {
			rxFail("unsupported collating element [" + kind + name + kind + "]");
		}
		return name.charCodeAt(0);
	}
	function rxBracket(ps) {
		var cl = { neg: false, ranges: [] };
		var first = true;
		var lo;
		var hi;
		if (ps.src[ps.pos] === "^") {
			cl.neg = true;
			ps.pos++;
		}
		for (;; first = false) {
			if (ps.pos >= ps.src.length) {
				rxFail("unmatched [");
			}
			if (ps.src[ps.pos] === "]" && !first) {
				break;
			}
			lo = rxBracketElem(ps, cl);
			if (lo === -2) {
				continue;
			}
			if (ps.src[ps.pos] !== "-" || ps.src[ps.pos + 1] === "]" ||
				ps.pos + 1 >= ps.src.length) {
				cl.ranges.push([lo, lo]);
				continue;
			}
			ps.pos++;
			hi = rxBracketElem(ps, cl);
			if (hi === -2 || hi < lo) {
				rxFail("invalid range in [...]");
			}
			cl.ranges.push([lo, hi]);
		}
		ps.pos++;
		var nd = rxNode(ps, RX_CLASS, 1);
		nd.cl = cl;
		return nd;
	}
	function rxEscape(ps) {
		var e = ps.src[ps.pos++];
		var nd;
		if (e === undefined) {
			rxFail("trailing backslash");
		}
		if (Object.prototype.hasOwnProperty.call(RX_ESCAPES, e)) {
			nd = rxNode(ps, RX_CLASS, 1);
			nd.cl = { neg: RX_ESCAPES[e][0], ranges: RX_ESCAPES[e][1] };
		} else if ("bB<>".indexOf(e) >= 0) {
			nd = rxNode(ps, RX_ASSERT, 1);
			nd.a = e;
		} else if (e >= "1" && e <= "9") {
			rxFail("back-references (\\" + e + ") are not supported");
		} else if (/[a-zA-Z]/.test(e)) {
			rxFail("unsupported escape \\" + e);
		} else {
			nd = rxNode(ps, RX_CHAR, 1);
			nd.c = e.charCodeAt(0);
		}
		return nd;
	}
	function rxAtom(ps) {
		var c = ps.src[ps.pos++];
		var nd;
		if (c === "(") {
			if (++ps.depth > RX_MAX_DEPTH) {
				rxFail("nesting over " + RX_MAX_DEPTH + " levels");
			}
			nd = rxAlt(ps);
			if (ps.src[ps.pos] !== ")") {
				rxFail("unmatched (");
			}
			ps.pos++;
			ps.depth--;
			return nd;
		}
		if (c === "[") {
			return rxBracket(ps);
		}
		if (c === "\\") {
			return rxEscape(ps);
		}
		if (c === "*" || c === "+" || c === "?" || c === "{") {
			rxFail("nothing to repeat before '" + c + "'");
		}
		if (c === "^" || c === "$") {
			nd = rxNode(ps, RX_ASSERT, 1);
			nd.a = c;
			return nd;
		}
		nd = rxNode(ps, c === "." ? RX_ANY : RX_CHAR, 1);
		nd.c = ps.src.charCodeAt(ps.pos - 1);
		return nd;
	}
	function rxCount(ps) {
		var v = -1;
		while (ps.src[ps.pos] >= "0" && ps.src[ps.pos] <= "9") {
			v = Math.max(v, 0) * 10 + ps.src.charCodeAt(ps.pos++) - 48;
			if (v > RX_MAX_REPEAT) {
				rxFail("repetition count over " + RX_MAX_REPEAT);
			}
		}
		return v;
	}
	function rxInterval(ps, r) {
		r.min = rxCount(ps);
		r.max = r.min;
		if (ps.src[ps.pos] === ",") {
			ps.pos++;
			r.max = rxCount(ps);
			r.min = Math.max(r.min, 0);
		} else if (r.min < 0) {
			r.max = -2;
		}
		if (ps.src[ps.pos] !== "}" || r.max === -2 || (r.max >= 0 && r.max < r.min)) {
			rxFail("invalid interval {...}");
		}
		ps.pos++;
	}
	function rxRepeat(ps) {
		var nd = rxAtom(ps);
		var stacked = 0;
		var c;
		var r;
		while ((c = ps.src[ps.pos]) === "*" || c === "+" || c === "?" || c === "{") {
			ps.pos++;
			if (nd.t === RX_ASSERT) {
				rxFail("nothing to repeat before '" + c + "'");
			}
			if (++stacked + ps.depth > RX_MAX_DEPTH) {
				rxFail("nesting over " + RX_MAX_DEPTH + " levels");
			}
			r = rxNode(ps, "rep", 0);
			r.kid = nd;
			r.min = c === "+" ? 1 : 0;
			r.max = c === "?" ? 1 : -1;
			if (c === "{") {
				rxInterval(ps, r);
			}
			r.size = r.max < 0 ? (r.min ? r.min * nd.size + 1 : nd.size + 2) :
				r.min * nd.size + (r.max - r.min) * (nd.size + 1);
			nd = rxCapped(ps, r, true);
		}
		return nd;
	}
	function rxCat(ps) {
		var nd = rxNode(ps, "cat", 0);
		nd.kids = [];
		while (ps.pos < ps.src.length && ps.src[ps.pos] !== "|" &&
			!(ps.src[ps.pos] === ")" && ps.depth > 0)) {
			var k = rxRepeat(ps);
			nd.kids.push(k);
			nd.size += k.size;
			rxCapped(ps, nd, false);
		}
		return nd;
	}
	function rxAlt(ps) {
		var nd = rxNode(ps, "alt", 0);
		nd.kids = [];
		for (;;) {
			var k = rxCat(ps);
			nd.size += k.size + (nd.kids.length ? 2 : 0);
			nd.kids.push(k);
			rxCapped(ps, nd, false);
			if (ps.src[ps.pos] !== "|") {
				return nd;
			}
			ps.pos++;
		}
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

	function rxHolds(a, s, p) {
		var before = p > 0 && rxIsWord(s.charCodeAt(p - 1));
		var after = p < s.length && rxIsWord(s.charCodeAt(p));
		return a === "^" ? p === 0 : a === "$" ? p === s.length :
			a === "b" ? before !== after : a === "B" ? before === after :
				a === "<" ? !before && after : before && !after;
	}

	// Add pc and the states it reaches without consuming to list (its
	// length in len[0]) for position p of s, generation g; true when MATCH
	// is among them.
	function rxAdd(re, list, len, pc, s, p, g) {
		var sp = 0;
		var n1 = len[0];
		var in1;
		re.stack[sp++] = pc;
		while (sp) {
			pc = re.stack[--sp];
			if (re.mark[pc] === g) {
				continue;
			}
			re.mark[pc] = g;
			in1 = re.prog[pc];
			if (in1.op === RX_MATCH) {
				return true;
			} else if (in1.op === RX_JMP) {
				re.stack[sp++] = in1.x;
			} else if (in1.op === RX_SPLIT) {
				re.stack[sp++] = in1.y;
				re.stack[sp++] = in1.x;
			} else if (in1.op === RX_ASSERT) {
				if (rxHolds(in1.a, s, p)) {
					re.stack[sp++] = pc + 1;
				}
			} else {
				list[n1++] = pc;
			}
		}
		len[0] = n1;
		return false;
	}

	// Does state in1 take code unit c (lc, uc: its lower and upper case)?
	function rxStep(re, in1, c, lc, uc) {
		if (in1.op === RX_CHAR) {
			return in1.c === (re.icase ? lc : c);
		}
		return in1.op === RX_ANY || rxInClass(in1.cl, c) ||
			(re.icase && (rxInClass(in1.cl, lc) || rxInClass(in1.cl, uc)));
	}

	// Does re match anywhere in s? A thread starts at every position; the
	// list for position p has generation base + p + 1, so marks need no
	// clearing between positions or calls.
	function rxTest(re, s) {
		var ls = re.icase ? s.toLowerCase() : s;
		var us = re.icase ? s.toUpperCase() : s;
		var cur = re.lists[0];
		var nxt = re.lists[1];
		var nc = [0];
		var nn = [0];
		var base = re.gen;
		var p;
		var i;
		var t;
		ls = ls.length === s.length ? ls : s;
		us = us.length === s.length ? us : s;
		re.gen += s.length + 2;
		for (p = 0; ; p++) {
			if (rxAdd(re, cur, nc, 0, s, p, base + p + 1)) {
				return true;
			}
			if (p === s.length) {
				return false;
			}
			nn[0] = 0;
			for (i = 0; i < nc[0]; i++) {
				if (rxStep(re, re.prog[cur[i]], s.charCodeAt(p),
					ls.charCodeAt(p), us.charCodeAt(p)) &&
					rxAdd(re, nxt, nn, cur[i] + 1, s, p + 1, base + p + 2)) {
					return true;
				}
			}
			t = cur;
			cur = nxt;
			nxt = t;
			nc[0] = nn[0];
			re.work += nc[0] + 1;
			if (re.work > RX_MAX_WORK) {
				throw new Error("stopped after " + RX_MAX_WORK +
					" steps (a simpler pattern, or fewer repetitions)");
			}
		}
	}

	// A matcher for src: {test(name), states}, or throws Error(reason).
	function rxCompile(src, icase) {
		var prog = [];
		rxEmit(prog, rxParse(src));
		prog.push({ op: RX_MATCH });
		var m = prog.length;
		var re = {
			prog: prog, icase: icase, gen: 0, work: 0,
			mark: new Float64Array(m), // the generation each state is in
			stack: new Int32Array(2 * m + 1), // two pushes a state at most
			lists: [new Int32Array(m), new Int32Array(m)]
		};
		if (icase) {
			prog.forEach(function (in1) {
				if (in1.op === RX_CHAR) {
					in1.c = String.fromCharCode(in1.c).toLowerCase().charCodeAt(0);
				}
			});
		}
		return {
			test: function (s) {
				return rxTest(re, s);
			},
			states: m
		};
	}
	return { compile: rxCompile };
}());
