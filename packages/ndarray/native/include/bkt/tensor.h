// A dense, contiguous tensor: a view (byte offset, shape, dtype, context) onto shared storage.
#pragma once
#include <atomic>
#include <cstddef>
#include <memory>

#include "bkt/dtype.h"
#include "bkt/shape.h"

namespace bkt {

struct Context {
  int32_t devType = 1;  // MXNet's code for cpu
  int32_t devId = 0;
  bool operator==(const Context& o) const { return devType == o.devType && devId == o.devId; }
  bool operator!=(const Context& o) const { return !(*this == o); }
  std::string str() const;
};

// Allocation counters of one thread that creates arrays (each JS environment, main thread or Worker,
// has its own). A storage is charged to the account of the thread that allocates it and keeps that
// account alive, so it is credited back wherever it is freed (a pool thread, a plan, teardown).
struct MemoryAccount {
  std::atomic<int64_t> liveStorages{0};
  std::atomic<int64_t> liveBytes{0};
  std::atomic<int64_t> totalAllocations{0};
};
// Makes `account` the one charged by allocations on the calling thread from now on; threads that set
// none share one process-wide account.
void setThreadMemoryAccount(std::shared_ptr<MemoryAccount> account);

// The families of copies derived from a storage's bytes and kept with it (Storage::derivedCopies).
enum class DerivedKind {
  kWeightLayouts,     // GEMM weights in oneDNN's layout (weight_layouts.cc)
  kFoldedEmbeddings,  // an RNN's input projection of an embedding table (rnn_embedding_fold.cc)
  kCount,
};

class Storage {
 public:
  // Throws std::bad_alloc when the allocator refuses; Tensor::empty turns that into a typed error.
  explicit Storage(size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

  // Counts the writes the runtime can see — every output of a plan instruction, every array handed to
  // an eager native call — so a kernel that keeps a copy derived from these bytes knows when it is stale.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  void markWritten() { version_.fetch_add(1, std::memory_order_acq_rel); }
  // The derived copies of these bytes one kernel family keeps (DerivedKind); the family synchronizes
  // access. Freed with the storage.
  std::shared_ptr<void>& derivedCopies(DerivedKind kind) { return derived_[static_cast<size_t>(kind)]; }
  // Unique in the process and never reused, unlike the address: a copy derived from two storages and
  // kept on one names the other by it.
  uint64_t id() const { return id_; }

 private:
  void* data_;
  size_t bytes_;
  std::shared_ptr<MemoryAccount> account_;
  uint64_t id_;
  std::atomic<uint64_t> version_{0};
  std::shared_ptr<void> derived_[static_cast<size_t>(DerivedKind::kCount)];
};

// The calling thread's account, so tests can assert that nothing leaks and that hot loops allocate
// nothing.
struct MemoryStats {
  int64_t liveStorages;
  int64_t liveBytes;
  int64_t totalAllocations;
};
MemoryStats memoryStats();

class Tensor {
 public:
  Tensor() = default;
  // Allocates; `op` names the caller in the errors for a bad or unallocatable shape (checkShapeBytes,
  // then a NativeError naming the shape and byte count when the allocator refuses).
  static Tensor empty(const Shape& shape, DType dtype, Context ctx = {}, const char* op = "allocate");
  static Tensor zeros(const Shape& shape, DType dtype, Context ctx = {}, const char* op = "allocate");

  bool defined() const { return static_cast<bool>(storage_); }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  Context ctx() const { return ctx_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  int64_t size() const { return shapeSize(shape_); }
  size_t nbytes() const { return static_cast<size_t>(size()) * dtypeSize(dtype_); }
  int64_t dim(int i) const { return shape_[static_cast<size_t>(i)]; }

  void* raw() const { return static_cast<char*>(storage_->data()) + offset_; }
  template <typename T>
  T* data() const {
    return static_cast<T*>(raw());
  }

  // Views share storage; both keep the data contiguous. `shape` is checked (checkShape).
  Tensor reshaped(const Shape& shape) const;
  Tensor sliceRows(int64_t begin, int64_t end) const;
  // A view of this buffer's bytes [byteOffset, byteOffset + size * dtypeSize) as another shape and
  // dtype: how an executor's arena hands out intermediates.
  Tensor viewBytes(size_t byteOffset, const Shape& shape, DType dtype) const;
  bool sharesStorageWith(const Tensor& o) const { return storage_ == o.storage_; }
  Storage& storage() const { return *storage_; }

 private:
  std::shared_ptr<Storage> storage_;
  size_t offset_ = 0;
  Shape shape_;
  DType dtype_ = DType::kFloat32;
  Context ctx_;
};

// Checks used by every kernel entry point; they throw typed errors naming `op`.
void requireDType(const Tensor& t, DType want, const char* op, const char* arg);
void requireFloat(const Tensor& t, const char* op, const char* arg);
void requireSameContext(const Tensor& a, const Tensor& b, const char* op);
void requireSameShape(const Tensor& a, const Tensor& b, const char* op);
// Plan kernels receive shapes from the executor's inference; this guards the element counts their
// loops rely on, so a malformed plan raises instead of reading out of bounds.
void requireSize(const Tensor& t, int64_t size, const char* op, const char* arg);

}  // namespace bkt
