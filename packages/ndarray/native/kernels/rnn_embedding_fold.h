// The RNN's first-layer input projection folded into its embedding table. When the RNN's data is an
// Embedding's output X = E[ids] (the executor then passes the Embedding's ids and weight E to the RNN
// as extra inputs, @bkt/executor's src/embedding-fold.ts), layer 0's gates X·Wxᵀ + b are, row for row,
// P[ids] with P = E·Wxᵀ + b (per direction). In inference P is kept on the RNN parameters' storage
// beside their other derived copies (DerivedKind) until E or the parameters are written
// (Storage::version), so a forward looks rows up instead of multiplying.
#pragma once
#include <cstdint>
#include <functional>

#include "bkt/tensor.h"

namespace bkt {

// A table larger than this is never kept (and the projection stays a GEMM).
constexpr int64_t kMaxFoldedTableBytes = int64_t{256} << 20;

// What identifies a table beside E's and the parameters' bytes: the RNN's mode (GRU adds only part of
// its hidden bias) and the table's (directions, rows, width).
struct FoldedTableKey {
  int32_t mode;
  int64_t directions, rows, width;
};

// Whether the table `key` describes is small enough to keep.
bool foldedTableFits(const FoldedTableKey& key);

// The float32 table `key` describes for the embedding weight `embedding` and the RNN parameters `params`,
// when one is kept at both storages' current versions; else, once `rows` plus the rows counted since either
// storage was last written reach key.rows, a table filled by `build` now (its cost is that of projecting
// key.rows rows, so folding costs at most about twice the projections it replaces); else, having counted
// `rows`, an undefined tensor. One table is kept per parameter bytes (an RNN): another embedding or key
// replaces it. Tables over kMaxFoldedTableBytes are never built. The table is an ordinary array, charged
// to the memory account of the thread that builds it, and lives while the parameters' storage does or
// until replaced; the tensor returned keeps it alive for the caller meanwhile.
Tensor keptFoldedTable(const Tensor& embedding, const Tensor& params, const FoldedTableKey& key, int64_t rows,
                       const std::function<void(const Tensor& table)>& build);

}  // namespace bkt
