// SPDX-License-Identifier: MIT
// tests/data/hot.rs - a Rust workload for the symbolization e2e test (run
// when rustc exists): a generic function in a module, a trait method.
// Usage: hot SECONDS
mod engine {
    pub trait Step {
        fn step(&self, v: u64) -> u64;
    }
    pub struct Mixer(pub u64);
    impl Step for Mixer {
        #[inline(never)]
        fn step(&self, v: u64) -> u64 {
            let mut x = v;
            for _ in 0..2000 {
                x = x.rotate_left(7) ^ self.0;
                x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            }
            x
        }
    }
    #[inline(never)]
    pub fn spin<S: Step>(s: &S, n: u64) -> u64 {
        let mut v = n;
        for _ in 0..100 {
            v = s.step(v);
        }
        v
    }
}

fn main() {
    let secs: f64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1.0);
    let end = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
    let mut sink = 0u64;
    while std::time::Instant::now() < end {
        sink = sink.wrapping_add(engine::spin(&engine::Mixer(sink | 1), sink));
    }
    std::process::exit((sink == 42) as i32);
}
