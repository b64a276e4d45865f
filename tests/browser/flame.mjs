// SPDX-License-Identifier: MIT
// tests/browser/flame.mjs - the SVG flame graph in a real browser: headless
// Debian chromium driven by playwright-core. Renders graphs with $SCORCH,
// then hovers, zooms, searches, resets and reloads with a URL fragment, and
// proves that hostile frame names and titles never run script and show as
// written. Prints TAP; tests/run.sh counts it with the end-to-end tests.
//
//   SCORCH=build/scorch node tests/browser/flame.mjs
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const top = join(here, "..", "..");
const scorch = process.env.SCORCH || join(top, "build", "scorch");
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";

let n = 0;
let failed = 0;
function ok(cond, desc, detail) {
	n++;
	if (cond) {
		console.log(`ok ${n} - ${desc}`);
	} else {
		failed++;
		console.log(`not ok ${n} - ${desc}`);
		if (detail !== undefined) {
			console.log(`#   ${JSON.stringify(detail)}`);
		}
	}
}
function skipAll(why) {
	console.log(`ok 1 - browser tests # SKIP ${why}`);
	console.log("1..1");
	process.exit(0);
}
function done() {
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}

// The script is real JavaScript: node parses it before any browser does.
try {
	execFileSync(process.execPath, ["--check", join(top, "render", "flame.js")]);
	ok(true, "render/flame.js parses (node --check)");
} catch (e) {
	ok(false, "render/flame.js parses (node --check)", String(e.stderr));
}

// ---- the search's regex engine (render/regex.js), in node ----------------
// The same verdicts as common/regex.c (tests/unit/test_regex.c checks those
// against glibc): 1 match, 0 no match, -1 refused.
const rx = new Function(readFileSync(join(top, "render", "regex.js"), "utf8") +
	"\nreturn scorchRegex;")();
function rxVerdict(pattern, text, icase = false) {
	try {
		return rx.compile(pattern, icase).test(text) ? 1 : 0;
	} catch (e) {
		return -1;
	}
}
const rxCases = [
	["^json_", "json_parse", 1], ["^json_", "my_json_parse", 0],
	["^(memcpy|memmove)$", "memmove", 1], ["^(memcpy|memmove)$", "memmove2", 0],
	["le[x]", "lexer", 1], ["^ev|ppl", "apply", 1], ["^ev|ppl", "leval", 0],
	["hash_bytes_\\[i\\]$", "hash_bytes_[i]", 1], ["a\\.c", "abc", 0],
	["ab+c", "ac", 0], ["ab+c", "abbbc", 1], ["ab?c", "abbc", 0],
	["^a{3}$", "aaa", 1], ["^a{3}$", "aaaa", 0], ["^a{2,3}$", "aa", 1],
	["^a{2,}$", "a", 0], ["^a{,2}$", "aaa", 0], ["^(ab){2}$", "abab", 1],
	["^(ab|a)(bc|c)$", "abc", 1], ["x{0}", "y", 1], ["[a-c]+d", "xxbcad", 1],
	["[^a-c]", "abc", 0], ["[]a]", "]", 1], ["[^]a]", "]", 0], ["[a-]", "-", 1],
	["[\\.]", "\\", 1], ["^[[:alpha:]_][[:alnum:]_]*$", "_start2", 1],
	["^[[:alpha:]_][[:alnum:]_]*$", "2start", 0], ["[[:xdigit:]]{4}", "0xBEEF", 1],
	["\\w+", "::", 0], ["\\bparse\\b", "json::parse()", 1],
	["\\bparse\\b", "reparse", 0], ["\\<main\\>", "domain", 0],
	["(a|b)*abb$", "babababb", 1], ["(a|b)*abb$", "bababab", 0],
	["a||b", "x", 1], ["", "x", 1], ["a)", "a)", 1], ["a^b", "a^b", 0],
	["(a*)*b", "aaab", 1], ["\\{lambda", "{lambda()#1}", 1],
	["(", "", -1], ["[a", "a", -1], ["[z-a]", "a", -1], ["*a", "a", -1],
	["^*", "a", -1], ["a{", "a", -1], ["a{3,2}", "a", -1], ["{lambda", "x", -1],
	["a\\", "a", -1], ["(a)\\1", "aa", -1], ["a{1001}", "a", -1],
	["((a{1000}){1000}){1000}", "a", -1], ["(?:a)", "a", -1],
];
const rxWrong = rxCases.filter(([p, t, want]) => rxVerdict(p, t) !== want)
	.map(([p, t, want]) => `${p} on ${t}: want ${want}, got ${rxVerdict(p, t)}`);
ok(rxWrong.length === 0, `regex.js gives common/regex.c's verdict on ${rxCases.length} cases`,
	rxWrong);
ok(rxVerdict("^GC$", "gc", true) === 1 && rxVerdict("[A-Z]c", "gc", true) === 1 &&
	rxVerdict("^GC$", "gc") === 0, "icase folds literals and classes");
{
	const t0 = Date.now();
	const evil = "a".repeat(30) + "!";
	const v = ["(a+)+$", "(a|aa)+$", "^(a*)*$", "(.*a){20}$"].map((p) => rxVerdict(p, evil));
	ok(v.every((x) => x === 0) && Date.now() - t0 < 5000,
		"catastrophic patterns finish at once on 30 a's and '!' (RegExp: minutes)",
		{ v, ms: Date.now() - t0 });
}

// The same verdicts as the C engine on the same names, pattern by pattern:
// `scorch report --focus` lists the functions common/regex.c matches.
{
	const names = ["json_parse", "json_parse_value", "lex", "lexer", "_start",
		"main", "std::vector<int>::push_back", "operator()", "{lambda()#1}",
		"arr[3]", "memcpy@plt", "x86_64_ret", "ab", "ba", "aab", "b_a",
		"caf\u00e9", "A_Z", "Vec<f64>::add", "__libc_start_main", "do_work2"];
	const tmp = mkdtempSync(join(tmpdir(), "scorch-regex-"));
	const input = join(tmp, "names.folded");
	// One frame a stack, and no _[i]/_[k]/_[j] suffix: those are kinds,
	// which --focus matches without (and the SVG shows with).
	writeFileSync(input, names.map((f) => `${f} 1`).join("\n") + "\n");
	let seed = 12345;
	const rand = (k) => {
		seed = (seed * 1103515245 + 12345) % 2147483648;
		return seed % k;
	};
	const atoms = ["a", "b", "_", ".", "[ab]", "[^a_]", "\\w", "\\b", "[[:digit:]]",
		"json", "lex", ":", "<", "\\(", "e"];
	const reps = ["*", "+", "?", "{2}", "{0,2}", "{1,}"];
	const gen = (d) => {
		let out = "";
		for (let k = 1 + rand(3); k > 0; k--) {
			out += rand(6) === 0 && d < 3 ? `(${gen(d + 1)}${rand(2) ? "|" + gen(d + 1) : ""})` :
				atoms[rand(atoms.length)];
			out += rand(3) === 0 ? reps[rand(reps.length)] : "";
		}
		return (rand(4) === 0 ? "^" : "") + out + (rand(4) === 0 ? "$" : "");
	};
	const pats = ["^json_", "^(json|lex)", "::", "\\[3\\]$", "@plt$", "^_", "[[:upper:]]",
		"\\{lambda", "2$", "^.{3}$", "(a|b)+$", "^a?b", "^[a-c]+$", "^[b-z]", "^.{2,3}$",
		"_[0-9]+_", "^[^_]+$", "^(a|b|_)*$"];
	for (let k = 0; k < 50; k++) {
		pats.push(gen(0));
	}
	const wrong = [];
	for (const pat of pats) {
		let c;
		try {
			const out = execFileSync(scorch, ["report", input, "--focus", pat,
				"--format", "json", "--top", "0"], { stdio: ["ignore", "pipe", "ignore"] });
			c = JSON.parse(out).tables[0].rows.map((r) => r.function).sort();
		} catch (e) {
			c = e.status === 2 ? "refused" : `exit ${e.status}`;
		}
		let js;
		try {
			const re = rx.compile(pat, false);
			js = names.filter((f) => re.test(f)).sort();
		} catch (e) {
			js = "refused";
		}
		if (JSON.stringify(c) !== JSON.stringify(js)) {
			wrong.push({ pat, c, js });
		}
	}
	rmSync(tmp, { recursive: true, force: true });
	ok(wrong.length === 0, `regex.js and common/regex.c (report --focus) agree on ${pats.length} patterns over ${names.length} names`, wrong);
}

if (!existsSync(chromium)) {
	skipAll(`no ${chromium} (Debian package chromium; scripts/deps.sh installs it)`);
}
let pw;
try {
	pw = await import(join(top, "tests", "node", "node_modules", "playwright-core",
		"index.mjs"));
} catch (e) {
	skipAll("playwright-core not installed (sh tests/node/install.sh; make check runs it)");
}

const dir = mkdtempSync(join(tmpdir(), "scorch-browser-"));
const profileDir = join(dir, "chromium-profile");
let context;
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function render(name, folded, args = []) {
	const input = join(dir, `${name}.folded`);
	const out = join(dir, `${name}.svg`);
	writeFileSync(input, folded);
	execFileSync(scorch, ["svg", input, "-o", out, ...args]);
	return pathToFileURL(out).href;
}

try {
	context = await pw.chromium.launchPersistentContext(profileDir, {
		executablePath: chromium,
		headless: true,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
			"--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync"],
	});
} catch (e) {
	skipAll(`chromium did not start: ${String(e.message).split("\n")[0]}`);
}
context.setDefaultTimeout(10000);
const page = context.pages()[0] || await context.newPage();
const dialogs = [];
const requests = [];
const errors = [];
let answer = null; // what the next prompt() is answered with
page.on("dialog", async (d) => {
	dialogs.push(d.type() + ":" + d.message());
	if (d.type() === "prompt" && answer !== null) {
		await d.accept(answer);
	} else {
		await d.dismiss();
	}
});
page.on("request", (r) => requests.push(r.url()));
page.on("pageerror", (e) => errors.push(String(e)));

// Frame index, name, and geometry, read from the live document.
async function frames() {
	return page.evaluate(() => Array.from(
		document.getElementById("frames").children, (g, i) => {
			const r = g.querySelector("rect");
			const t = g.querySelector("title");
			const label = g.querySelector("text");
			return {
				i,
				title: t ? t.textContent : null,
				x: Number(r.getAttribute("x")),
				width: Number(r.getAttribute("width")),
				fill: r.getAttribute("fill"),
				hidden: getComputedStyle(g).display === "none",
				label: label ? label.textContent : "",
			};
		}));
}
function byName(fs, name) {
	return fs.find((f) => f.title !== null && f.title.split("\n")[0] === name);
}
const frameRect = (i) => page.locator(`#frames > g:nth-child(${i + 1}) > rect`);
const tipText = () => page.evaluate(() => Array.from(
	document.querySelectorAll("#tip tspan"), (s) => s.textContent));
const tipVisible = () => page.evaluate(() =>
	getComputedStyle(document.getElementById("tip")).display !== "none");
const hash = () => page.evaluate(() => location.hash);
const matched = () => page.evaluate(() =>
	document.getElementById("matched").textContent);

// ---- a graph with known numbers: 100 samples ------------------------------
const url = render("known", [
	"app;main;parse;lex 30",
	"app;main;parse 10",
	"app;main;eval;apply 40",
	"app;main;eval;lex 5",
	"app;gc 15",
	"",
].join("\n"), ["--title", "known profile"]);
await page.goto(url);
let fs = await frames();
const names = fs.map((f) => f.title.split("\n")[0]); // before hovers remove titles
const parse = byName(fs, "parse");
const gc = byName(fs, "gc");
ok(parse && gc && fs.length === 9, "the graph has all 9 frames", fs.length);
ok(Math.abs(parse.width - 472) < 0.11, "parse is 40% of 1180 px wide", parse.width);

await frameRect(parse.i).hover();
const tip = await tipText();
ok(await tipVisible(), "hovering a frame shows the tooltip");
ok(tip[0] === "parse", "the tooltip names the frame", tip);
ok(tip.includes("40 samples (40.00%), self 10"),
	"the tooltip has samples, % of total and self samples", tip);
ok(tip.includes("47.06% of its caller"), "the tooltip has % of the parent (main: 85)", tip);
await page.mouse.move(600, 5);
ok(!(await tipVisible()), "the tooltip goes away when the mouse leaves");

await frameRect(parse.i).click();
fs = await frames();
let p = fs[parse.i];
ok(p.x === 10 && p.width === 1180, "clicking a frame zooms it to the full width", p);
const lex = fs.find((f) => f.i > parse.i && names[f.i] === "lex");
ok(lex && Math.abs(lex.width - 885) < 0.11 && !lex.hidden,
	"its callee scales with it (lex: 30 of 40 = 885 px)", lex);
ok(fs[gc.i].hidden, "frames outside the zoomed one are hidden");
const main = fs[names.indexOf("main")];
ok(!main.hidden && main.width === 1180, "its callers stay, full width", main);
ok((await hash()) === `#zoom=${parse.i}`, "the zoom is in the URL fragment", await hash());
ok(await page.isVisible("#unzoom"), "a Reset Zoom button appears");

answer = "le[x]";
await page.keyboard.press("Control+f");
await page.waitForFunction(() =>
	document.getElementById("matched").textContent !== "");
ok((await matched()) === "Matched: 35.00%",
	"Ctrl-F searches by regex; the matched share is 35%", await matched());
fs = await frames();
ok(fs.filter((f) => f.fill === "rgb(230,0,230)").length === 2,
	"both lex frames are highlighted");
ok((await hash()) === `#zoom=${parse.i}&search=le%5Bx%5D`,
	"the search is in the URL fragment", await hash());

await page.keyboard.press("Escape");
fs = await frames();
ok((await matched()) === "" && fs.every((f) => f.fill !== "rgb(230,0,230)"),
	"Esc clears the search");
ok(Math.abs(fs[parse.i].width - 472) < 0.11 && !fs[gc.i].hidden,
	"Esc resets the zoom", fs[parse.i]);
ok((await hash()) === "", "Esc clears the URL fragment", await hash());

const evalFrame = fs[names.indexOf("eval")];
await page.goto(`${url}#zoom=${evalFrame.i}&search=${encodeURIComponent("^ev|ppl")}`);
await page.reload();
fs = await frames();
ok(fs[evalFrame.i].x === 10 && fs[evalFrame.i].width === 1180 && fs[gc.i].hidden,
	"a URL with #zoom= opens zoomed", fs[evalFrame.i]);
ok((await matched()) === "Matched: 45.00%",
	"a URL with &search= opens with the search applied (eval and apply under it: 45%)",
	await matched());

await page.click("#search"); // a search is on: the button resets it
ok((await matched()) === "", "the Reset Search button clears the search");
answer = "(?i)^GC$";
await page.click("#search");
ok((await matched()) === "Matched: 15.00%", "(?i) makes the search ignore case",
	await matched());
await page.click("#search");
answer = "(";
await page.click("#search");
ok((await matched()) === "invalid regular expression: unmatched (",
	"an invalid regex is reported with its reason, not thrown", await matched());
ok(errors.length === 0, "no script errors on the page", errors);

// ---- a crafted name and a #search= link cannot hang the tab ----------------
// Backtracking takes minutes on (a+)+$ against 30 a's and a '!' (2^30 ways
// to split the a's); the NFA takes 31 steps. 5 s leaves a loaded machine
// more than a hundred times what the search needs.
const crafted = "a".repeat(30) + "!";
const craftedUrl = render("crafted", `app;${crafted} 3\napp;${"a".repeat(30)} 1\n`);
await page.goto("about:blank");
{
	const t0 = Date.now();
	let finished = true;
	try {
		await page.goto(`${craftedUrl}#search=${encodeURIComponent("(a+)+$")}`,
			{ timeout: 5000 });
		await page.waitForFunction(() =>
			document.getElementById("matched").textContent !== "", null, { timeout: 5000 });
	} catch (e) {
		finished = false;
	}
	const ms = Date.now() - t0;
	ok(finished && ms < 5000, `#search=(a+)+$ on a crafted name completes (${ms} ms)`, ms);
	if (!finished) {
		// The tab is stuck in the search: nothing after this can run.
		console.log("# the tab hung: stopping here");
		done();
	}
	ok((await matched()) === "Matched: 25.00%",
		"and matches only the name of a's alone (1 of 4 samples)", await matched());
}

// Nearly a million characters of names (15 frames of 65,001 bytes: the
// readers take names up to 64 KiB and lines up to 1 MiB) and 1000 states
// alive at each position: linear, but 10^9 steps. The search stops at its
// work bound, says so, and leaves nothing highlighted.
const hugeStack = Array.from({ length: 15 }, (_, i) =>
	`${"a".repeat(65000)}${String.fromCharCode(100 + i)}`).join(";");
const hugeUrl = render("huge", `app;${hugeStack} 1\napp;b 1\n`);
await page.goto("about:blank");
{
	const t0 = Date.now();
	let finished = true;
	try {
		await page.goto(`${hugeUrl}#search=${encodeURIComponent("[ab]{0,999}c")}`,
			{ timeout: 20000 });
		await page.waitForFunction(() =>
			document.getElementById("matched").textContent !== "", null, { timeout: 20000 });
	} catch (e) {
		finished = false;
	}
	const ms = Date.now() - t0;
	// Unbounded, this takes minutes; bounded, 3 s on a loaded machine.
	ok(finished && ms < 20000, `[ab]{0,999}c on 1 MB of names stops in bounded time (${ms} ms)`, ms);
	if (!finished) {
		console.log("# the tab hung: stopping here");
		done();
	}
	const fs2 = await frames();
	ok((await matched()).startsWith("search stopped after 20000000 steps") &&
		fs2.every((f) => f.fill !== "rgb(230,0,230)"),
		"it says the search stopped, and nothing stays highlighted", await matched());
}

// ---- extra tooltip lines: source location and module -----------------------
const srcUrl = render("src", JSON.stringify({
	format: "scorch-profile", version: "1.1", meta: {},
	frames: [{ name: "app", kind: "process" },
		{ name: "main", module: "app", kind: "user", file: "src/main.c", line: 12 },
		{ name: "read", module: "[kernel]", kind: "kernel" }],
	stacks: [{ frames: [0, 1, 2], count: 3 }, { frames: [0, 1], count: 1 }],
}));
await page.goto(srcUrl);
fs = await frames();
await frameRect(byName(fs, "main").i).hover();
ok((await tipText()).join("|") ===
	"main|4 samples (100.00%), self 1|100.00% of its caller|src/main.c:12 in app",
	"the tooltip shows file:line and module when known", await tipText());
await frameRect(byName(fs, "read_[k]").i).hover();
ok((await tipText()).join("|") ===
	"read_[k]|3 samples (75.00%), self 3|75.00% of its caller|[kernel]",
	"kernel frames keep their _[k] mark and module", await tipText());

// ---- hostile names and titles ----------------------------------------------
const hostile = [
	"<script>window.__pwned=1</script>",
	"<img src=x onerror=\"window.__pwned=2\">",
	"a&b \"double\" 'single' ]]> end",
	"</title><script>window.__pwned=3</script>",
	"<![CDATA[ x ]]><script>window.__pwned=4</script>",
	"javascript:window.__pwned=5",
	"x' onmouseover='window.__pwned=6",
];
const invalid = Buffer.concat([Buffer.from("app;bad"), Buffer.from([0xff, 0xfe]),
	Buffer.from("utf8 7\n")]);
const evilInput = Buffer.concat([
	Buffer.from(hostile.map((h, k) => `app;${h} ${k + 1}`).join("\n") + "\n"),
	invalid]);
const evilTitle = "<script>window.__pwned=8</script> & \"t\" 'q' ]]>";
const evilUrl = render("evil", evilInput, ["--title", evilTitle,
	"--subtitle", "</text><script>window.__pwned=9</script>",
	"--count-name", "<b>ms</b>"]);
dialogs.length = 0;
requests.length = 0;
answer = null;
await page.goto(evilUrl);
fs = await frames();
ok(await page.evaluate(() => !document.querySelector("parsererror")),
	"the hostile graph parses as XML");
ok((await page.evaluate(() => document.getElementById("title").textContent)) === evilTitle,
	"the title shows as written");
for (const h of hostile) {
	const f = byName(fs, h);
	ok(f !== undefined, `frame named ${JSON.stringify(h)} is there, as written`);
	if (!f) {
		continue;
	}
	await frameRect(f.i).hover();
	const t = await tipText();
	ok(t[0] === h && t[1].includes(" <b>ms</b> ("),
		`its tooltip shows ${JSON.stringify(h)} as text`, t);
	await frameRect(f.i).click();
	const label = (await frames())[f.i].label;
	ok(h.startsWith(label.replace(/\.\.$/, "")) && label.length > 3,
		"zoomed, its label shows the name as text", label);
	await page.keyboard.press("Escape");
}
const bad = byName(fs, "bad\ufffd\ufffdutf8");
ok(bad !== undefined, "invalid UTF-8 shows as U+FFFD replacement characters");
answer = "<script>|onerror|'";
await page.keyboard.press("Control+f");
await page.waitForFunction(() =>
	document.getElementById("matched").textContent !== "");
ok((await matched()).startsWith("Matched: "), "searching hostile names works",
	await matched());
await page.reload();
ok(await page.evaluate(() => window.__pwned === undefined),
	"no injected script ran (window.__pwned never set)",
	await page.evaluate(() => window.__pwned));
ok(dialogs.every((d) => d.startsWith("prompt:")),
	"no alert or confirm dialog opened (only our search prompt)", dialogs);
ok(requests.every((r) => r.startsWith("file:")),
	"nothing was fetched: no external resources", requests);
ok(errors.length === 0, "no script errors on the hostile page", errors);

await context.close();
done();
