/* SPDX-License-Identifier: MIT */
/*
 * examples/matrix/chain.h - the workload every C and C++ binary of the
 * toolchain matrix runs: main -> drive -> crunch -> step, each a real
 * frame (never inlined, cloned or merged), for a number of seconds of the
 * process's own CPU time. Included by chain.c, chain-dl.c, chain-lib.c
 * and chain-throw.cc; examples/matrix/matrix.list lists the binaries.
 */
#ifndef MATRIX_CHAIN_H
#define MATRIX_CHAIN_H

#if defined(__clang__)
#define CHAIN_FRAME __attribute__((noinline))
#else
#define CHAIN_FRAME __attribute__((noipa))
#endif

/* Work per crunch() call: about a millisecond of CPU. */
#define CHAIN_STEPS 4000
#define CHAIN_ROUNDS 64 /* rounds of mixing per step() call */

#endif
