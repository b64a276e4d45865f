// SPDX-License-Identifier: MIT
// examples/jit-hot.js - a JavaScript workload for JIT symbolization: run it
// as `node --perf-basic-prof examples/jit-hot.js [SECONDS]`; nearly all of
// its CPU time is in scorchHotLoop, which V8 compiles to machine code and
// names in /tmp/perf-PID.map.
"use strict";

function scorchHotLoop(n) {
	let x = 0;
	for (let i = 0; i < n; i++)
		x = (x * 31 + i) % 1000003;
	return x;
}

const seconds = Number(process.argv[2] || 1.5);
const end = Date.now() + seconds * 1000;
let sink = 0;
while (Date.now() < end)
	sink += scorchHotLoop(100000);
if (sink < 0)
	console.log(sink);
