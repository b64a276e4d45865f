// SPDX-License-Identifier: MIT
// tests/node/speedscope-import.mjs FILE - load FILE in speedscope's own app
// (npm speedscope, dist/release/index.html) in Debian's chromium, the way
// speedscope's command line opens a file (#localProfilePath, a script that
// calls speedscope.loadFileFromBase64), so the file goes through
// speedscope's own importer; then save it with the app's Ctrl+S, which
// writes the profiles speedscope built from it, and print what they hold:
//   # profiles N
//   # shown first NAME            (the profile speedscope opens with)
//   # profile NAME unit UNIT total TOTAL
//   NAME<TAB>frame;frame;... WEIGHT      (sorted; one line per stack)
// The saved file is evented (open/close events on a time axis): a stack's
// weight is the time between the events that bracket it.
// Exits 1 with a message when speedscope refuses the file or nothing is
// saved, 77 when chromium or playwright-core is missing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const file = process.argv[2];
const here = dirname(fileURLToPath(import.meta.url));
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const app = join(here, 'node_modules', 'speedscope', 'dist', 'release', 'index.html');
const fail = (msg, code = 1) => { console.error(`${file}: ${msg}`); process.exit(code); };

if (!existsSync(chromium)) fail(`no ${chromium} (Debian chromium)`, 77);
if (!existsSync(app)) fail('no npm speedscope (sh tests/node/install.sh)', 77);
let pw;
try {
	pw = await import(join(here, 'node_modules', 'playwright-core', 'index.mjs'));
} catch (e) {
	fail('no playwright-core (sh tests/node/install.sh)', 77);
}

const dir = mkdtempSync(join(tmpdir(), 'scorch-speedscope-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const loader = join(dir, 'load.js');
writeFileSync(loader, `speedscope.loadFileFromBase64(${JSON.stringify(basename(file))}, ` +
	`${JSON.stringify(readFileSync(file).toString('base64'))})`);

let context;
try {
	context = await pw.chromium.launchPersistentContext(join(dir, 'profile'), {
		executablePath: chromium, headless: true, acceptDownloads: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
			'--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync',
			'--allow-file-access-from-files'],
	});
} catch (e) {
	fail(`chromium did not start: ${String(e.message).split('\n')[0]}`, 77);
}
const page = context.pages()[0] || await context.newPage();
const problems = [];
page.on('dialog', async (d) => { problems.push(`${d.type()}: ${d.message()}`); await d.dismiss(); });
page.on('pageerror', (e) => problems.push(String(e)));
const logged = []; // its console: reasons to show, not to fail on (WebGL chatter)
page.on('console', (m) => { if (m.type() === 'error') logged.push(m.text()); });

let saved;
try {
	// The app loads the script named by the hash as file:///PATH.
	await page.goto(`${pathToFileURL(app).href}#localProfilePath=${loader.replace(/^\//, '')}`);
	// Loaded: the landing page ("Browse") is gone and the toolbar, shown
	// only with a profile, offers its views.
	// Refused: speedscope says "Something went wrong" (the reason is on
	// its console, kept in problems).
	await page.waitForFunction(() => document.body.innerText.includes('went wrong') ||
		(!document.body.innerText.includes('Browse') &&
			document.body.innerText.includes('Sandwich')), null, { timeout: 30000 });
	if (await page.evaluate(() => document.body.innerText.includes('went wrong')))
		throw new Error('speedscope refused the file');
	const download = page.waitForEvent('download', { timeout: 30000 });
	await page.keyboard.press('Control+s');
	saved = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
} catch (e) {
	await context.close();
	fail(`speedscope did not load and save it: ${String(e.message).split('\n')[0]}` +
		(problems.length || logged.length ? ` (${[...problems, ...logged].join('; ')})` : ''));
}
await context.close();
if (problems.length) fail(`speedscope complained: ${problems.join('; ')}`);

const frames = saved.shared.frames;
const out = [`# profiles ${saved.profiles.length}`,
	`# shown first ${saved.profiles[saved.activeProfileIndex || 0]?.name}`];
const lines = [];
for (const p of saved.profiles) {
	if (p.type !== 'evented') fail(`speedscope saved a ${p.type} profile`);
	out.push(`# profile ${p.name} unit ${p.unit} total ${p.endValue - p.startValue}`);
	const stacks = new Map();
	const open = [];
	let at = p.startValue;
	for (const ev of p.events) {
		if (open.length && ev.at > at) {
			const key = open.map((ix) => frames[ix].name).join(';');
			stacks.set(key, (stacks.get(key) || 0) + (ev.at - at));
		}
		at = ev.at;
		if (ev.type === 'O') open.push(ev.frame);
		else if (open.pop() !== ev.frame) fail('speedscope saved unbalanced events');
	}
	for (const [k, w] of stacks) lines.push(`${p.name}\t${k} ${w}`);
}
console.log(out.join('\n'));
for (const l of lines.sort()) console.log(l);
