/* SPDX-License-Identifier: MIT */
/*
 * bench/gen-folded.c - write a synthetic folded-stack profile for the flame
 * graph benchmark: deep stacks of long C++ names, the same bytes for the same
 * seed on every machine (a splitmix64 generator, no libc randomness).
 *
 *   gen-folded [-n LINES] [-s SEED] > big.folded
 *
 * Stacks are random walks down a fixed call graph (each function calls a
 * few others, hot callees more often), so they share prefixes as real
 * profiles do, and leaves differ. 1,000,000 lines make about 820 MB.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GEN_NFUNCS 20000 /* distinct function names */
#define GEN_FANOUT 6	 /* callees per function and depth */

static uint64_t gen_state;

static uint64_t
gen_next(void)
{
	uint64_t z = (gen_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
gen_mix(uint64_t a, uint64_t b)
{
	uint64_t z = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return z ^ (z >> 31);
}

static const char *const gen_ns[] = {
	"scorch", "std",  "boost", "folly", "absl",    "grpc",
	"v8",	  "llvm", "tf",	   "mongo", "rocksdb", "seastar",
};
static const char *const gen_class[] = {
	"HashTable",   "Executor",  "RequestHandler", "BufferPool",
	"Parser",      "Scheduler", "Connection",     "Allocator",
	"ThreadPool",  "Codec",	    "Session",	      "Compactor",
	"VersionSet",  "IOBuf",	    "EventBase",      "Future",
	"SharedMutex", "DenseMap",  "StringPiece",    "TimerWheel",
};
static const char *const gen_targ[] = {
	"", "", "<int>", "", "<std::string>", "<unsigned long>", "<Task*>",
};
static const char *const gen_method[] = {
	"find",	    "insert",	"run",	      "dispatch", "parse",
	"schedule", "read",	"write",      "allocate", "flush",
	"compact",  "lookup",	"operator()", "process",  "encode",
	"decode",   "resize",	"poll",	      "notify",	  "wait",
	"submit",   "complete", "grow",	      "rehash",	  "visit",
};
static const char *const gen_args[] = {
	"()",
	"(int)",
	"(unsigned long) const",
	"(std::string const&)",
	"()",
	"(void*, unsigned long)",
	"(Request&)",
};
static const char *const gen_roots[] = { "server", "worker", "compactor",
					 "io-loop" };

#define GEN_PICK(a, h) a[(h) % (sizeof(a) / sizeof(a[0]))]

static char *gen_names[GEN_NFUNCS];

static void
gen_make_names(void)
{
	char buf[512];
	size_t i;

	for (i = 0; i < GEN_NFUNCS; i++) {
		uint64_t h = gen_mix(i, 7);

		snprintf(buf, sizeof(buf), "%s::%s%s::%s%zu%s",
			 GEN_PICK(gen_ns, h), GEN_PICK(gen_class, h >> 8),
			 GEN_PICK(gen_targ, h >> 16),
			 GEN_PICK(gen_method, h >> 24), i % 97,
			 GEN_PICK(gen_args, h >> 32));
		gen_names[i] = strdup(buf);
		if (!gen_names[i])
			exit(1);
	}
}

int
main(int argc, char **argv)
{
	unsigned long long lines = 10000, seed = 1, n;
	static char out[1 << 16];
	int c;

	while ((c = getopt(argc, argv, "n:s:")) != -1) {
		if (c == 'n')
			lines = strtoull(optarg, NULL, 10);
		else if (c == 's')
			seed = strtoull(optarg, NULL, 10);
		else {
			fputs("usage: gen-folded [-n LINES] [-s SEED]\n",
			      stderr);
			return 2;
		}
	}
	setvbuf(stdout, out, _IOFBF, sizeof(out));
	gen_state = seed;
	gen_make_names();
	for (n = 0; n < lines; n++) {
		uint64_t r = gen_next();
		unsigned depth = 6 + (unsigned)(r % 28), d;
		uint64_t fn = (r >> 8) % 4;

		fputs(gen_roots[fn], stdout);
		fn = gen_mix(fn, 1) % GEN_NFUNCS;
		for (d = 1; d < depth; d++) {
			uint64_t x = gen_next();
			/* The smaller of two draws: low callees are hotter. */
			uint64_t a = x % GEN_FANOUT, b = (x >> 16) % GEN_FANOUT;

			fn = gen_mix(fn * 64 + d, a < b ? a : b) % GEN_NFUNCS;
			putchar(';');
			fputs(gen_names[fn], stdout);
		}
		printf(" %" PRIu64 "\n", 1 + (gen_next() % 1000) / 30);
	}
	for (n = 0; n < GEN_NFUNCS; n++)
		free(gen_names[n]);
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
