// SPDX-License-Identifier: MIT
// tests/node/pprof-to-folded.mjs FILE.pb.gz - decode a pprof profile with
// pprof-format (an independent decoder, not scorch's) and print it as folded
// stacks ("root;...;leaf COUNT", sorted, one line per unique stack, counts
// from the first sample type), then a "# " line per check the test reads:
// sample types, period, labels seen, and the sum of every value column.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

const file = process.argv[2];
const prof = Profile.decode(gunzipSync(readFileSync(file)));
const str = (i) => prof.stringTable.strings[Number(i)];
const fns = new Map(prof.function.map((f) => [String(f.id), f]));
const locs = new Map(prof.location.map((l) => [String(l.id), l]));
const lines = new Map();
const sums = prof.sampleType.map(() => 0n);
const labelKeys = new Set();

for (const s of prof.sample) {
	// location_id lists the leaf first; each location's lines list the
	// innermost inlined function first.
	const names = [];
	for (const id of s.locationId) {
		const loc = locs.get(String(id));
		if (!loc) throw new Error(`sample names a missing location ${id}`);
		for (const ln of loc.line) {
			const fn = fns.get(String(ln.functionId));
			if (!fn) throw new Error(`line names a missing function`);
			names.push(str(fn.name));
		}
	}
	const key = names.reverse().join(';');
	s.value.forEach((v, i) => { sums[i] += BigInt(v); });
	lines.set(key, (lines.get(key) || 0n) + BigInt(s.value[0]));
	for (const l of s.label) labelKeys.add(str(l.key));
}
for (const k of [...lines.keys()].sort()) {
	if (k !== '') console.log(`${k} ${lines.get(k)}`);
}
const types = prof.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`);
console.log(`# sample_type ${types.join(',')}`);
console.log(`# period ${prof.period} ${str(prof.periodType?.type ?? 0)}/${str(prof.periodType?.unit ?? 0)}`);
console.log(`# sums ${sums.join(',')}`);
console.log(`# labels ${[...labelKeys].sort().join(',')}`);
console.log(`# mappings ${prof.mapping.map((m) => str(m.filename)).sort().join(',')}`);
console.log(`# files ${[...new Set(prof.function.map((f) => str(f.filename)).filter((x) => x))].sort().join(',')}`);
console.log(`# comments ${prof.comment.map(str).join(' | ')}`);
