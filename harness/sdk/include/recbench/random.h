// The one home of recbench's random numbers: SplitMix64, seed derivation and portable draws.
// Everything here gives the same numbers with every compiler and standard library (unlike
// std::uniform_int_distribution and friends), so stored candidates and synthetic data are
// reproducible anywhere.
#pragma once

#include <cstdint>
#include <random>

namespace recbench {

//! The golden-ratio increment of SplitMix64.
inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

//! SplitMix64's output function applied to x + gamma: decorrelates nearby inputs.
constexpr uint64_t mix64(uint64_t x) {
  x += kGoldenGamma;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

//! Seed of stream `index` of a cell with master seed `master`: what every TrainContext returns
//! from seed(), so tests and benchmarks see the seeds real runs see. < 2^63 (fits every seed API).
constexpr uint64_t stream_seed(uint64_t master, int index) {
  return mix64(master * kGoldenGamma + static_cast<uint64_t>(index + 1)) >> 1;
}

//! SplitMix64 as a generator (a UniformRandomBitGenerator).
class SplitMix64 {
 public:
  using result_type = uint64_t;
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t operator()() {
    const uint64_t out = mix64(state_);
    state_ += kGoldenGamma;
    return out;
  }
  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return ~uint64_t{0}; }

 private:
  uint64_t state_;
};

//! Uniform double in [0, 1) from 53 random bits (portable, unlike generate_canonical).
template <typename Gen>
double uniform_unit(Gen& gen) {
  return static_cast<double>(gen() >> 11) * 0x1.0p-53;
}

//! Unbiased uniform integer in [0, n), n >= 1 (rejection of the low 2^64 mod n values).
template <typename Gen>
uint64_t uniform_below(Gen& gen, uint64_t n) {
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    const uint64_t r = gen();
    if (r >= threshold) return r % n;
  }
}

//! A generator for item `index` of a collection, independent of every other item's.
inline std::mt19937_64 indexed_rng(uint64_t seed, uint64_t index) {
  return std::mt19937_64(mix64(mix64(seed) ^ mix64(index + 0x632be59bd9b4e019ULL)));
}

//! A 64-bit generator with the synthetic generators' range mapping: floor(uniform * n). Faster
//! than uniform_below and slightly biased for huge n; kept because the synthetic corpora are
//! defined by it (changing it would change every generated file).
template <typename Engine>
class ScaledRng {
 public:
  explicit ScaledRng(uint64_t seed) : engine_(seed) {}
  uint64_t next() { return engine_(); }
  double uniform() { return uniform_unit(engine_); }  //!< [0, 1)
  int64_t below(int64_t n) { return static_cast<int64_t>(uniform() * static_cast<double>(n)); }
  int64_t between(int64_t lo, int64_t hi) { return lo + below(hi - lo + 1); }  //!< [lo, hi]

 private:
  Engine engine_;
};

}  // namespace recbench
