// SPDX-License-Identifier: MIT
// examples/diffcorpus/judge.js - how one comparison of a corpus class
// went, on one line, for tests/e2e/diff_corpus.sh and bench/diff.sh.
//
//   node judge.js scorch DIFF.json CULPRIT EXPECT ALSO
//   node judge.js naive BASE_DIR PR_DIR CULPRIT EXPECT ALSO
//
// CULPRIT and ALSO are extended regexes of whole function names ("-":
// none), EXPECT regression, possible or none (corpus.list). Prints
//   first=0|1 flagged=0|1 others=N top=NAME flags=NAME,NAME
// first: the culprit is the first regression listed (any tier); flagged:
// it is a significant one; others: how many other functions are flagged
// (significant regressions or improvements, not the culprit nor ALSO);
// for an A/A pair (EXPECT none) every flagged function counts.
//
// naive: the peer, as a perf + difffolded.pl user ranks: each side's
// folded stacks (every *.folded file of the directory) summed, each
// function's self share (its samples as the leaf over all samples), the
// functions ranked by the growth of that share, PR minus baseline. The
// first is the one that grew most; a function counts as flagged when its
// share moved by 0.5 points or more (either way: a difffolded.pl graph
// colors both), the threshold scorch's --min-delta has by default.
"use strict";
const fs = require("fs");
const path = require("path");

const argv = process.argv.slice(2);
const mode = argv[0];
const dirs = argv.slice(1, mode === "naive" ? 3 : 2);
const [culpritArg, , alsoArg] = argv.slice(mode === "naive" ? 3 : 2);
const rx = (s) => (s && s !== "-" ? new RegExp("^(?:" + s + ")$") : null);
const culprit = rx(culpritArg);
const also = rx(alsoArg);
const clean = (n) => String(n).replace(/[\s,=]/g, "_");

function verdict(top, culpritFlagged, flagged, runs) {
	const others = flagged.filter(
		(n) => !(culprit && culprit.test(n)) && !(also && also.test(n))
	);
	const first = culprit && top !== null && culprit.test(top) ? 1 : 0;
	console.log(
		`first=${first} flagged=${culpritFlagged ? 1 : 0} ` +
			`others=${others.length} top=${clean(top === null ? "-" : top)} ` +
			`flags=${others.map(clean).join(",") || "-"} ` +
			`possible_runs=${runs || 0}`
	);
}

function scorch(file) {
	const d = JSON.parse(fs.readFileSync(file, "utf8"));
	const regs = d.regressions || [];
	const imps = d.improvements || [];
	const top = regs.length ? regs[0].function : null;
	const hit = regs.find((r) => culprit && culprit.test(r.function));
	const flagged = [];
	for (const r of regs.concat(imps))
		if (r.significant && !flagged.includes(r.function))
			flagged.push(r.function);
	verdict(top, hit && hit.significant, flagged,
		hit && !hit.significant && hit.tier === "possible"
			? hit.runs_needed : 0);
}

function selfShares(dir) {
	const self = new Map();
	let total = 0;
	for (const f of fs.readdirSync(dir)) {
		if (!f.endsWith(".folded")) continue;
		for (const line of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
			const m = /^(.*)\s+(\d+)$/.exec(line);
			if (!m) continue;
			const frames = m[1].split(";");
			const leaf = frames[frames.length - 1];
			const n = Number(m[2]);
			self.set(leaf, (self.get(leaf) || 0) + n);
			total += n;
		}
	}
	const share = new Map();
	for (const [k, v] of self) share.set(k, total ? (100 * v) / total : 0);
	return share;
}

function naive(baseDir, prDir) {
	const base = selfShares(baseDir);
	const pr = selfShares(prDir);
	const names = new Set([...base.keys(), ...pr.keys()]);
	const growth = [...names].map((n) => [n, (pr.get(n) || 0) - (base.get(n) || 0)]);
	growth.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
	const top = growth.length && growth[0][1] > 0 ? growth[0][0] : null;
	const flagged = growth.filter((g) => Math.abs(g[1]) >= 0.5).map((g) => g[0]);
	const hit = growth.find((g) => culprit && culprit.test(g[0]));
	verdict(top, hit && hit[1] >= 0.5, flagged);
}

if (mode === "scorch" && argv.length === 5) scorch(dirs[0]);
else if (mode === "naive" && argv.length === 6) naive(dirs[0], dirs[1]);
else {
	console.error("usage: judge.js scorch DIFF.json | naive BASE_DIR PR_DIR, then CULPRIT EXPECT ALSO");
	process.exit(2);
}
