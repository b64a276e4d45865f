// SPDX-License-Identifier: MIT
// bench/flame-browser.mjs SVG... - how fast a flame graph is to open and to
// zoom in headless chromium (playwright-core from tests/node): for each
// SVG, the time to load and draw it, the median of three clicks that zoom
// into frames (at the same places in every SVG: give graphs of the same
// input), and Reset Zoom. Prints one "file load_ms zoom_ms reset_ms" line
// per SVG. Used by bench/flame.sh; progress and errors on stderr.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pw = await import(join(here, "..", "tests", "node", "node_modules",
	"playwright-core", "index.mjs"));
const profile = mkdtempSync(join(tmpdir(), "scorch-bench-chromium-"));
const ctx = await pw.chromium.launchPersistentContext(profile, {
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	headless: true,
	viewport: { width: 1220, height: 900 },
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync"],
});
ctx.setDefaultTimeout(300000);
const page = ctx.pages()[0] || await ctx.newPage();
// Until the browser has drawn what the last input changed.
const drawn = () => page.evaluate(() => new Promise((resolve) =>
	requestAnimationFrame(() => setTimeout(resolve, 0))));

for (const file of process.argv.slice(2)) {
	let t = Date.now();
	await page.goto(pathToFileURL(file).href);
	await drawn();
	const load = Date.now() - t;
	const height = await page.evaluate(() =>
		document.documentElement.viewBox.baseVal.height);
	const zooms = [];
	// Three frames a few rows above the root, left, middle and right.
	for (const x of [300, 600, 900]) {
		await page.mouse.click(30, 24); // Reset Zoom, top left in both tools
		await drawn();
		t = Date.now();
		await page.mouse.click(x, height - 34 - 16 * 3 - 8);
		await drawn();
		zooms.push(Date.now() - t);
	}
	t = Date.now();
	await page.mouse.click(30, 24);
	await drawn();
	const reset = Date.now() - t;
	zooms.sort((a, b) => a - b);
	console.log(`${file} ${load} ${zooms[1]} ${reset}`);
}
await ctx.close();
rmSync(profile, { recursive: true, force: true });
