// SPDX-License-Identifier: MIT
// tests/data/geo.cc - a C++ workload for the symbolization e2e test: hot
// code in a namespace, a class template, an operator and a lambda, each a
// real frame (noinline). Usage: geo SECONDS
#include <chrono>
#include <cstdlib>

namespace geo {
template <typename T> struct Vec {
	T x, y;
	__attribute__((noinline)) Vec operator+(const Vec &o) const
	{
		Vec r{ x, y };
		/* A leaf builds its frame only when asked (see cpuburn.c). */
		asm volatile("" : : "r"(__builtin_frame_address(0)));
		for (int i = 0; i < 200; i++) {
			r.x = r.x * static_cast<T>(0.999) + o.x;
			r.y = r.y * static_cast<T>(0.999) + o.y;
		}
		return r;
	}
};

template <typename T>
__attribute__((noinline)) T
sum(int n)
{
	Vec<T> acc{ 0, 0 }, step{ 1, 2 };
	auto add = [&](int k) __attribute__((noinline)) {
		for (int i = 0; i < k; i++)
			acc = acc + step;
		asm volatile("" ::: "memory");
	};
	add(n);
	return acc.x + acc.y;
}
} // namespace geo

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? std::atof(argv[1]) : 1.0;
	auto end = std::chrono::steady_clock::now() +
		   std::chrono::duration<double>(secs);
	volatile double sink = 0;

	while (std::chrono::steady_clock::now() < end)
		sink = sink + geo::sum<double>(1000);
	return sink < 0;
}
