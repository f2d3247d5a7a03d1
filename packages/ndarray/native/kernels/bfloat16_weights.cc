// The bfloat16 copies of GEMM weights under bfloat16 precision, kept on the weight's storage and made
// again only after the storage was written (Storage::version): a weight used T times per step by the
// RNN's per-step products, and again by the backward pass, is converted once per update.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "bkt/error.h"
#include "bkt/gemm_backend.h"
#include "bkt/parallel.h"
#include "bkt/tensor.h"

namespace bkt {
namespace {

struct Copy {
  size_t byteOffset;
  int64_t count;
  uint64_t version;  // of the storage when converted; kNever before the first conversion
  std::vector<uint16_t> bits;
};

// One storage can hold several weights (an RNN's packed parameters, an executor's views).
struct Copies {
  std::vector<Copy> list;
};

std::mutex& copiesMutex() {
  static std::mutex mu;
  return mu;
}

std::atomic<uint64_t>& conversions() {
  static std::atomic<uint64_t> n{0};
  return n;
}

constexpr int64_t kConvertGrain = 1 << 16;
constexpr uint64_t kNever = ~uint64_t{0};

}  // namespace

const uint16_t* bfloat16WeightCopy(const Tensor& weight, const float* b, int64_t count) {
  Storage& st = weight.storage();
  const auto* base = static_cast<const char*>(st.data());
  const auto* at = reinterpret_cast<const char*>(b);
  if (at < base || count < 0 ||
      static_cast<size_t>(at - base) + static_cast<size_t>(count) * sizeof(float) > st.bytes()) {
    fail(ErrorKind::kNative,
         "GEMM: the " + std::to_string(count) + " weight elements lie outside the weight's storage");
  }
  const auto offset = static_cast<size_t>(at - base);
  std::lock_guard<std::mutex> lock(copiesMutex());
  std::shared_ptr<void>& slot = st.derivedCopies();
  if (!slot) slot = std::make_shared<Copies>();
  auto& list = static_cast<Copies*>(slot.get())->list;
  auto it =
      std::find_if(list.begin(), list.end(), [&](const Copy& c) { return c.byteOffset == offset && c.count == count; });
  if (it == list.end())
    it = list.insert(list.end(), Copy{offset, count, kNever, std::vector<uint16_t>(static_cast<size_t>(count))});
  // Read before converting: a write that lands during the conversion bumps the version past this one,
  // so the next use converts again.
  const uint64_t version = st.version();
  if (it->version != version) {
    uint16_t* out = it->bits.data();
    parallelFor(count, kConvertGrain, [=](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = floatToBFloat16(b[i]);
    });
    it->version = version;
    conversions().fetch_add(1, std::memory_order_relaxed);
  }
  return it->bits.data();
}

uint64_t bfloat16WeightConversions() { return conversions().load(std::memory_order_relaxed); }

}  // namespace bkt
