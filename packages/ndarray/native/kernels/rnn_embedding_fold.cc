// Kept folded input projections (rnn_embedding_fold.h), built once the rows they would replace have
// been projected: a single small predict never pays for a table of the whole vocabulary.
#include "rnn_embedding_fold.h"

#include <memory>
#include <mutex>
#include <vector>

namespace bkt {
namespace {

struct FoldedTable {
  size_t paramsOffset;  // bytes into the parameters' storage: which RNN
  uint64_t embeddingStorage;
  size_t embeddingOffset;
  FoldedTableKey key;
  uint64_t embeddingVersion = 0, paramsVersion = 0;  // at which the rows were counted, or the table built
  int64_t rows = 0;
  Tensor table;  // undefined until built
};

struct FoldedTables {
  std::vector<FoldedTable> list;
};

std::mutex& tablesMutex() {
  static std::mutex mu;
  return mu;
}

bool sameKey(const FoldedTableKey& a, const FoldedTableKey& b) {
  return a.mode == b.mode && a.directions == b.directions && a.rows == b.rows && a.width == b.width;
}

size_t offsetIn(const Tensor& t) {
  return static_cast<size_t>(static_cast<const char*>(t.raw()) - static_cast<const char*>(t.storage().data()));
}

}  // namespace

bool foldedTableFits(const FoldedTableKey& key) {
  constexpr int64_t kMaxElements = kMaxFoldedTableBytes / static_cast<int64_t>(sizeof(float));
  if (key.directions <= 0 || key.rows <= 0 || key.width <= 0) return false;
  return key.rows <= kMaxElements / key.directions / key.width;
}

Tensor keptFoldedTable(const Tensor& embedding, const Tensor& params, const FoldedTableKey& key, int64_t rows,
                       const std::function<void(const Tensor& table)>& build) {
  if (!foldedTableFits(key)) return {};
  Storage& ps = params.storage();
  Storage& es = embedding.storage();
  const size_t paramsOffset = offsetIn(params), embeddingOffset = offsetIn(embedding);
  std::lock_guard<std::mutex> lock(tablesMutex());
  std::shared_ptr<void>& slot = ps.derivedCopies(DerivedKind::kFoldedEmbeddings);
  if (!slot) slot = std::make_shared<FoldedTables>();
  auto& list = static_cast<FoldedTables*>(slot.get())->list;
  FoldedTable* t = nullptr;
  for (FoldedTable& e : list)
    if (e.paramsOffset == paramsOffset) t = &e;
  // Read before building: a write that lands during the build bumps a version past these, so the next
  // forward counts afresh.
  const uint64_t ev = es.version(), pv = ps.version();
  const FoldedTable fresh{paramsOffset, es.id(), embeddingOffset, key, ev, pv, 0, Tensor()};
  if (!t) {
    t = &list.emplace_back(fresh);
  } else if (t->embeddingStorage != es.id() || t->embeddingOffset != embeddingOffset || !sameKey(t->key, key) ||
             t->embeddingVersion != ev || t->paramsVersion != pv) {
    *t = fresh;  // drops a stale table's bytes now
  }
  if (t->table.defined()) return t->table;
  t->rows = rows >= key.rows - t->rows ? key.rows : t->rows + rows;
  if (t->rows < key.rows) return {};
  Tensor table = Tensor::empty({key.directions, key.rows, key.width}, DType::kFloat32, params.ctx(), "RNN");
  build(table);
  t->table = table;
  return table;
}

}  // namespace bkt
