// GEMM weights kept in the layout a oneDNN matmul reads them in (weight_layouts.cc), for dnnl_matmul.cc.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include "bkt/tensor.h"

namespace bkt {

// The float32 matrix B at `b` (laid out as `from`, inside `weight`'s storage) reordered into `to` — a
// matmul primitive's weights layout, float32 or bfloat16 — and kept on the storage until the storage
// is written (Storage::version). The copy is made at the first use since the last write if
// `atFirstUse`, else at the second; before that the result is null and the caller reads B itself.
// The reorder runs on `stream`, which the caller uses alone meanwhile (under the runtime's lock, or a
// team thread's own stream); concurrent callers are serialized here. The copy lives until the storage dies.
const void* weightInLayout(const Tensor& weight, const float* b, const dnnl::memory::desc& from,
                           const dnnl::memory::desc& to, bool atFirstUse, const dnnl::engine& engine,
                           dnnl::stream& stream);

}  // namespace bkt
