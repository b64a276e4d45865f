// SPDX-License-Identifier: MIT
//! examples/matrix/chain.rs - the matrix chain in Rust, built by Debian's
//! rustc linked with LLD and with cc: main -> drive -> crunch -> step
//! (under std's lang_start), each #[inline(never)]. Usage: chain [SECONDS]
//! (CPU seconds, default 3); bad arguments exit 2.

use std::process::exit;

const STEPS: u64 = 4000;
const ROUNDS: u64 = 64;

#[inline(never)]
fn step(mut x: u64) -> u64 {
    for i in 0..ROUNDS {
        x = (x ^ (x >> 29))
            .wrapping_mul(0xbf58476d1ce4e5b9)
            .wrapping_add(i);
    }
    x
}

#[inline(never)]
fn crunch(seed: u64) -> u64 {
    let mut x = seed;
    for _ in 0..STEPS {
        x = step(x).wrapping_add(x >> 7);
    }
    x
}

/// The process's CPU time in seconds (CLOCK_PROCESS_CPUTIME_ID).
fn cpu_seconds() -> f64 {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: clock_gettime writes one struct timespec.
    unsafe { clock_gettime(2, &mut ts) };
    ts.sec as f64 + ts.nsec as f64 / 1e9
}

#[inline(never)]
fn drive(seconds: f64) -> u64 {
    let end = cpu_seconds() + seconds;
    let mut sum: u64 = 0;
    while cpu_seconds() < end {
        sum = sum.wrapping_add(crunch(sum + 1));
    }
    sum
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds = match args.len() {
        1 => 3.0,
        2 => match args[1].parse::<f64>() {
            Ok(s) if s > 0.0 && s <= 3600.0 => s,
            _ => {
                eprintln!("usage: chain [SECONDS]");
                exit(2)
            }
        },
        _ => {
            eprintln!("usage: chain [SECONDS]");
            exit(2)
        }
    };
    println!("checksum: {:x}", drive(seconds));
}
