// The machine's multiply-add peak, the ceiling `pnpm bench:gemm` holds each GEMM against: every thread
// runs 12 independent accumulators through the widest fused multiply-add the CPU has (AVX-512, else
// AVX2 + FMA), enough chains in flight to cover the instruction's latency on two FMA pipes, with no
// memory operand. bfloat16's is the same loop on AVX512_BF16's dot product (two products per lane).
// Compiled by bench/gemm.ts at run time (g++ -O2, no -march: each loop carries its own target).
//   fma_peak THREADS SECONDS   ->   one JSON line:
//   {"isa": "avx512" | "avx2" | null, "threads": n, "float32_1": GFLOP/s, "float32_n": GFLOP/s,
//    "bfloat16_1": GFLOP/s | null, "bfloat16_n": GFLOP/s | null}
// Each figure is the best of 10 rounds (SECONDS in all per figure), so a burst of another
// process's work lowers one round, not the figure.
#include <immintrin.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kChains = 12;
constexpr int kRounds = 10;

float sum(const float* lanes, int n) {
  float s = 0;
  for (int i = 0; i < n; ++i) s += lanes[i];
  return s;
}

// Each loop returns the accumulators' sum so the compiler must keep every chain. The multiplier is
// just under 1 and the addend small, so the values settle instead of overflowing or going subnormal.
__attribute__((target("avx512f"))) float float32Avx512(long iters) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(0.1f * static_cast<float>(i));
  const __m512 x = _mm512_set1_ps(0.999999f);
  const __m512 y = _mm512_set1_ps(1e-6f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  }
  for (int i = 1; i < kChains; ++i) acc[0] = _mm512_add_ps(acc[0], acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, acc[0]);
  return sum(lanes, 16);
}

__attribute__((target("avx2,fma"))) float float32Avx2(long iters) {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(0.1f * static_cast<float>(i));
  const __m256 x = _mm256_set1_ps(0.999999f);
  const __m256 y = _mm256_set1_ps(1e-6f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
  }
  for (int i = 1; i < kChains; ++i) acc[0] = _mm256_add_ps(acc[0], acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc[0]);
  return sum(lanes, 8);
}

// vdpbf16ps: per float32 lane, two bfloat16 products added to the accumulator (4 flops).
__attribute__((target("avx512f,avx512bf16"))) float bfloat16Avx512(long iters) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(0.1f * static_cast<float>(i));
  const __m512bh x = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-3f), _mm512_set1_ps(1e-3f));
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_dpbf16_ps(acc[i], x, x);
  }
  for (int i = 1; i < kChains; ++i) acc[0] = _mm512_add_ps(acc[0], acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, acc[0]);
  return sum(lanes, 16);
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::atomic<float> sink{0};

// GFLOP/s of `threads` threads each running `loop` for `iters` iterations, released together; wall
// time from the release to the last thread's end.
double once(float (*loop)(long), long iters, int threads, double flopsPerIter) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> team;
  for (int t = 0; t < threads; ++t) {
    team.emplace_back([&] {
      ready.fetch_add(1);
      while (!go.load()) {}
      const float s = loop(iters);
      float prev = sink.load();
      while (!sink.compare_exchange_weak(prev, prev + s)) {}
    });
  }
  while (ready.load() < threads) {}
  const auto start = std::chrono::steady_clock::now();
  go.store(true);
  for (auto& t : team) t.join();
  return flopsPerIter * static_cast<double>(iters) * threads / seconds(start) / 1e9;
}

// The best of kRounds rounds of about `budget / kRounds` seconds each (iterations sized by a first
// short run on one thread).
double peak(float (*loop)(long), int threads, double flopsPerIter, double budget) {
  long iters = 1 << 16;
  for (;;) {
    const auto start = std::chrono::steady_clock::now();
    loop(iters);
    if (seconds(start) > 0.01) break;
    iters *= 2;
  }
  const auto start = std::chrono::steady_clock::now();
  loop(iters);
  iters = static_cast<long>(static_cast<double>(iters) * budget / kRounds / seconds(start)) + 1;
  double best = 0;
  for (int r = 0; r < kRounds; ++r) best = std::max(best, once(loop, iters, threads, flopsPerIter));
  return best;
}

std::string figure(double v) { return v > 0 ? std::to_string(v) : "null"; }

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const double budget = argc > 2 ? std::atof(argv[2]) : 0.5;
  if (threads < 1 || !(budget > 0)) {
    std::fprintf(stderr, "usage: fma_peak THREADS SECONDS\n");
    return 2;
  }
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool bf16 = avx512 && __builtin_cpu_supports("avx512bf16");
  // flops per loop iteration: chains x lanes x 2 (a multiply and an add), or x 4 for the bf16 pairs
  float (*f32)(long) = avx512 ? float32Avx512 : avx2 ? float32Avx2 : nullptr;
  const double f32Flops = kChains * (avx512 ? 16 : 8) * 2.0;
  double f1 = 0, fn = 0, b1 = 0, bn = 0;
  if (f32) {
    f1 = peak(f32, 1, f32Flops, budget);
    fn = peak(f32, threads, f32Flops, budget);
  }
  if (bf16) {
    b1 = peak(bfloat16Avx512, 1, kChains * 16 * 4.0, budget);
    bn = peak(bfloat16Avx512, threads, kChains * 16 * 4.0, budget);
  }
  const char* isa = avx512 ? "\"avx512\"" : avx2 ? "\"avx2\"" : "null";
  std::printf(
      "{\"isa\": %s, \"threads\": %d, \"float32_1\": %s, \"float32_n\": %s, \"bfloat16_1\": %s, \"bfloat16_n\": %s}\n",
      isa, threads, figure(f1).c_str(), figure(fn).c_str(), figure(b1).c_str(), figure(bn).c_str());
  return 0;
}
