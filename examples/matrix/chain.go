// SPDX-License-Identifier: MIT

// examples/matrix/chain.go - the matrix chain in Go, built by Debian's
// golang-go: runtime.goexit -> runtime.main -> main.main -> main.drive ->
// main.crunch -> main.step, each //go:noinline. Usage: chain [SECONDS]
// (CPU seconds, default 3); bad arguments exit 2.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

const (
	steps  = 4000
	rounds = 64
)

//go:noinline
func step(x uint64) uint64 {
	for i := uint64(0); i < rounds; i++ {
		x = (x^(x>>29))*0xbf58476d1ce4e5b9 + i
	}
	return x
}

//go:noinline
func crunch(seed uint64) uint64 {
	x := seed
	for i := 0; i < steps; i++ {
		x = step(x) + (x >> 7)
	}
	return x
}

// cpuSeconds is the process's CPU time (CLOCK_PROCESS_CPUTIME_ID), read
// by the system call itself: no allocation, so no garbage collection.
func cpuSeconds() float64 {
	var ts syscall.Timespec
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, 2,
		uintptr(unsafe.Pointer(&ts)), 0)
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}

//go:noinline
func drive(seconds float64) uint64 {
	end := cpuSeconds() + seconds
	var sum uint64
	for cpuSeconds() < end {
		sum += crunch(sum + 1)
	}
	return sum
}

func main() {
	seconds := 3.0
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: chain [SECONDS]")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		s, err := strconv.ParseFloat(os.Args[1], 64)
		if err != nil || s <= 0 || s > 3600 {
			fmt.Fprintln(os.Stderr, "usage: chain [SECONDS]")
			os.Exit(2)
		}
		seconds = s
	}
	fmt.Printf("checksum: %x\n", drive(seconds))
}
