#include "bkt/random.h"

#include <cmath>

#include "bkt/error.h"

namespace bkt {
namespace {

struct Xoshiro256 {
  uint64_t s[4];

  static uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  void seed(uint64_t x) {
    for (auto& v : s) v = splitmix(x);
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

// One generator per thread: each JS environment (main thread, Worker) draws from and seeds its own,
// so Workers neither race on the state nor see each other's seeds.
Xoshiro256& rng() {
  thread_local Xoshiro256 g = [] {
    Xoshiro256 r{};
    r.seed(0);
    return r;
  }();
  return g;
}

void requireFloatDType(DType dtype, const char* op) {
  if (!isFloat(dtype) && dtype != DType::kFloat16) {
    fail(ErrorKind::kDType, std::string(op) + ": dtype must be a floating type, got " + dtypeName(dtype));
  }
}

template <typename Gen>
Tensor generate(const Shape& shape, DType dtype, Context ctx, const char* op, Gen&& gen) {
  Tensor t = Tensor::empty(shape, dtype, ctx, op);
  const int64_t n = t.size();
  dispatchAll(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, uint16_t>) {
        p[i] = floatToHalf(static_cast<float>(gen()));
      } else {
        p[i] = static_cast<T>(gen());
      }
    }
  });
  return t;
}

}  // namespace

void seedRandom(uint64_t seed) { rng().seed(seed); }

Tensor randomUniform(double low, double high, const Shape& shape, DType dtype, Context ctx) {
  requireFloatDType(dtype, "random.uniform");
  if (!(high >= low)) fail(ErrorKind::kValue, "random.uniform: high must be >= low");
  return generate(shape, dtype, ctx, "random.uniform", [&] { return low + (high - low) * rng().uniform(); });
}

Tensor randomNormal(double loc, double scale, const Shape& shape, DType dtype, Context ctx) {
  requireFloatDType(dtype, "random.normal");
  if (!(scale >= 0)) fail(ErrorKind::kValue, "random.normal: scale must be >= 0");
  // Box-Muller, using both outputs of each pair.
  bool haveSpare = false;
  double spare = 0;
  return generate(shape, dtype, ctx, "random.normal", [&] {
    if (haveSpare) {
      haveSpare = false;
      return loc + scale * spare;
    }
    const double u1 = 1.0 - rng().uniform();  // (0, 1], so log is finite
    const double u2 = rng().uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare = r * std::sin(2.0 * M_PI * u2);
    haveSpare = true;
    return loc + scale * r * std::cos(2.0 * M_PI * u2);
  });
}

Tensor randomRandint(int64_t low, int64_t high, const Shape& shape, DType dtype, Context ctx) {
  if (high <= low) fail(ErrorKind::kValue, "random.randint: high must be greater than low");
  if (dtype != DType::kInt32 && dtype != DType::kInt64 && dtype != DType::kUint8 && dtype != DType::kInt8) {
    fail(ErrorKind::kDType, std::string("random.randint: dtype must be an integer type, got ") + dtypeName(dtype));
  }
  const uint64_t span = static_cast<uint64_t>(high - low);
  // Rejection sampling removes modulo bias.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % span);
  return generate(shape, dtype, ctx, "random.randint", [&] {
    uint64_t x;
    do {
      x = rng().next();
    } while (x >= limit);
    return static_cast<double>(low + static_cast<int64_t>(x % span));
  });
}

template <typename T>
void fillBernoulliMask(T* out, int64_t n, double keepProb, double keepScale) {
  const T keep = static_cast<T>(keepScale);
  Xoshiro256& r = rng();
  // Multiplying by the comparison, not branching on it: a coin flip mispredicts half the time.
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(r.uniform() < keepProb) * keep;
}

template <typename T>
void fillUniform(T* out, int64_t n, double low, double high) {
  Xoshiro256& r = rng();
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(low + (high - low) * r.uniform());
}

template void fillBernoulliMask<float>(float*, int64_t, double, double);
template void fillBernoulliMask<double>(double*, int64_t, double, double);
template void fillUniform<float>(float*, int64_t, double, double);
template void fillUniform<double>(double*, int64_t, double, double);

}  // namespace bkt
