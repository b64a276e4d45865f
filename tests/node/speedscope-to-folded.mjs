// SPDX-License-Identifier: MIT
// tests/node/speedscope-to-folded.mjs FILE - check that FILE has the shape
// speedscope's file format requires (schema, shared frames, sampled
// profiles with as many weights as samples, frame indices in range,
// endValue = the sum of weights) and print it as folded stacks, weights
// divided by DIVISOR (argv[3], default 1), sorted. Exits 1 on a bad shape.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const divisor = BigInt(process.argv[3] || '1');
const doc = JSON.parse(readFileSync(file, 'utf8'));
const fail = (msg) => { console.error(`${file}: ${msg}`); process.exit(1); };

if (doc.$schema !== 'https://www.speedscope.app/file-format-schema.json')
	fail('wrong $schema');
if (!Array.isArray(doc.shared?.frames)) fail('no shared.frames');
for (const f of doc.shared.frames) {
	if (typeof f.name !== 'string') fail('a frame without a name');
	if ('line' in f && !Number.isInteger(f.line)) fail('a bad line');
}
if (!Array.isArray(doc.profiles) || doc.profiles.length < 1) fail('no profiles');
const lines = new Map();
for (const p of doc.profiles) {
	if (p.type !== 'sampled') fail(`profile type ${p.type}`);
	if (!['none', 'nanoseconds'].includes(p.unit)) fail(`unit ${p.unit}`);
	if (p.samples.length !== p.weights.length) fail('samples and weights differ in length');
	let sum = 0;
	p.samples.forEach((stack, i) => {
		for (const ix of stack) {
			if (!Number.isInteger(ix) || ix < 0 || ix >= doc.shared.frames.length)
				fail(`frame index ${ix} out of range`);
		}
		const key = stack.map((ix) => doc.shared.frames[ix].name).join(';');
		const w = BigInt(p.weights[i]);
		if (w % divisor !== 0n) fail(`weight ${w} is not a multiple of ${divisor}`);
		sum += p.weights[i];
		lines.set(key, (lines.get(key) || 0n) + w / divisor);
	});
	if (p.startValue !== 0 || p.endValue !== sum) fail('endValue is not the sum of the weights');
	console.log(`# profile ${p.name} unit ${p.unit}`);
}
for (const k of [...lines.keys()].sort()) {
	if (k !== '') console.log(`${k} ${lines.get(k)}`);
}
