// GEMM weights kept in the layout oneDNN's matmul prefers, on the weight's storage, and reordered again
// only after the storage was written (Storage::version): a weight used T times per step by the RNN's
// per-step products is reordered once per update instead of being packed (float32) or converted and
// packed (bfloat16) by oneDNN at every product. In float32 the copy is made at the second use since a
// write: for a weight used once per write (FullyConnected in training) it would cost what it saves.
#include "weight_layouts.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bkt/error.h"
#include "bkt/gemm_backend.h"

namespace bkt {
namespace {

constexpr uint64_t kNever = ~uint64_t{0};

// One layout of one matrix in the storage. The source layout is part of the key: a square weight read
// as B and as Bᵀ has the same dims and may get the same target layout, but not the same bytes.
struct Copy {
  Copy(size_t offset, const dnnl::memory::desc& source, const dnnl::memory::desc& layout)
      : byteOffset(offset), from(source), to(layout) {}
  size_t byteOffset;
  dnnl::memory::desc from, to;
  uint64_t firstUse = kNever;  // the storage's version at the last use that found no current copy
  uint64_t version = kNever;   // of the storage when the copy was made
  // Made at the first reorder, so a layout that is never reused costs no memory.
  dnnl::memory source, target, scratchpad;
  dnnl::reorder reorder;
};

// One storage can hold several weights (an RNN's packed parameters, an executor's views), each in
// several layouts (FullyConnected's forward reads W as Bᵀ, its data gradient as B). Held by pointer so
// a Copy never moves while the list grows.
struct Copies {
  std::vector<std::unique_ptr<Copy>> list;
};

std::mutex& copiesMutex() {
  static std::mutex mu;
  return mu;
}

std::atomic<uint64_t>& reorders() {
  static std::atomic<uint64_t> n{0};
  return n;
}

// Elements from the first to one past the last that a plain strided desc addresses.
int64_t extentOf(const dnnl::memory::desc& d) {
  const dnnl::memory::dims dims = d.dims();
  int64_t last = 0;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 0) return 0;
    last += (dims[i] - 1) * d.data.format_desc.blocking.strides[i];
  }
  return last + 1;
}

void makeReorder(Copy& c, const dnnl::engine& engine) {
  c.source = dnnl::memory(c.from, engine, nullptr);
  c.target = dnnl::memory(c.to, engine);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // as every primitive here (dnnl_matmul.cc)
  const dnnl::reorder::primitive_desc pd(c.source, c.target, attr);
  c.reorder = dnnl::reorder(pd);
  c.scratchpad = dnnl::memory(pd.scratchpad_desc(), engine);
}

}  // namespace

const void* weightInLayout(const Tensor& weight, const float* b, const dnnl::memory::desc& from,
                           const dnnl::memory::desc& to, bool atFirstUse, const dnnl::engine& engine,
                           dnnl::stream& stream) {
  Storage& st = weight.storage();
  const auto* base = static_cast<const char*>(st.data());
  const auto* at = reinterpret_cast<const char*>(b);
  const int64_t count = extentOf(from);
  if (at < base || static_cast<size_t>(at - base) + static_cast<size_t>(count) * sizeof(float) > st.bytes()) {
    fail(ErrorKind::kNative,
         "GEMM: the " + std::to_string(count) + " weight elements lie outside the weight's storage");
  }
  const auto offset = static_cast<size_t>(at - base);
  std::lock_guard<std::mutex> lock(copiesMutex());
  std::shared_ptr<void>& slot = st.derivedCopies(DerivedKind::kWeightLayouts);
  if (!slot) slot = std::make_shared<Copies>();
  auto& list = static_cast<Copies*>(slot.get())->list;
  auto it = std::find_if(list.begin(), list.end(),
                         [&](const auto& c) { return c->byteOffset == offset && c->from == from && c->to == to; });
  Copy& c = *(it != list.end() ? *it : list.emplace_back(std::make_unique<Copy>(offset, from, to)));
  // Read before reordering: a write that lands during the reorder bumps the version past this one, so
  // the next use reorders again.
  const uint64_t version = st.version();
  if (c.version != version) {
    if (!atFirstUse && c.firstUse != version) {
      c.firstUse = version;
      return nullptr;
    }
    if (!c.reorder) makeReorder(c, engine);
    c.source.set_data_handle(const_cast<float*>(b));
    c.reorder.execute(stream,
                      {{DNNL_ARG_FROM, c.source}, {DNNL_ARG_TO, c.target}, {DNNL_ARG_SCRATCHPAD, c.scratchpad}});
    stream.wait();
    c.version = version;
    reorders().fetch_add(1, std::memory_order_relaxed);
  }
  return c.target.get_data_handle();
}

uint64_t weightLayoutReorders() { return reorders().load(std::memory_order_relaxed); }

}  // namespace bkt
