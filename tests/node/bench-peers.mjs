// SPDX-License-Identifier: MIT
// tests/node/bench-peers.mjs PROFILE.json PROFILE.pb.gz REPS - the peers of
// bench/artifacts.sh, timed in one process like bench/profile_io.c:
//   pprof_decode   gunzip + pprof-format's Profile.decode of the pprof file
//   pprof_encode   Profile.encode + gzip (level 1) of what was decoded
//   json_parse     V8's JSON.parse of scorch's native profile
//   json_stringify JSON.stringify of what was parsed
// Prints "OPERATION MEDIAN_MS" lines.
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { Profile } from 'pprof-format';

const [jsonFile, pprofFile, repsArg] = process.argv.slice(2);
const reps = Number(repsArg || 5);
const median = (f) => {
	const t = [];
	for (let i = 0; i < reps; i++) {
		const t0 = performance.now();
		f();
		t.push(performance.now() - t0);
	}
	t.sort((a, b) => a - b);
	return t[Math.floor(reps / 2)].toFixed(1);
};
const gz = readFileSync(pprofFile);
const text = readFileSync(jsonFile, 'utf8');
const prof = Profile.decode(gunzipSync(gz));
const doc = JSON.parse(text);
console.log(`pprof_decode ${median(() => Profile.decode(gunzipSync(gz)))}`);
console.log(`pprof_encode ${median(() => gzipSync(prof.encode(), { level: 1 }))}`);
console.log(`json_parse ${median(() => JSON.parse(text))}`);
console.log(`json_stringify ${median(() => JSON.stringify(doc))}`);
