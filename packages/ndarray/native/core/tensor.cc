#include "bkt/tensor.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

#include "bkt/error.h"

namespace bkt {

namespace {
thread_local std::shared_ptr<MemoryAccount> tAccount;

const std::shared_ptr<MemoryAccount>& threadAccount() {
  static const auto processAccount = std::make_shared<MemoryAccount>();
  if (!tAccount) tAccount = processAccount;
  return tAccount;
}
constexpr size_t kAlign = 64;  // cache line, and enough for any SIMD load
// numpy's threshold for asking the kernel for transparent huge pages: large arrays then take one
// page fault per 2 MB instead of per 4 kB when first touched.
constexpr size_t kHugePageMin = size_t{1} << 22;

// malloc plus manual alignment, with the malloc'd pointer stashed just below the aligned block.
// aligned_alloc would make glibc request size + alignment, so a block it frees never fits the next
// request of the same size: loops that allocate and free one result then grow the heap and touch
// fresh pages on every iteration (a page fault per 4 kB of every GEMM output, measured).
// The block is rounded up to whole cache lines so vector loops may read to the end of the last line.
void* allocAligned(size_t bytes) {
  if (bytes > SIZE_MAX - 2 * kAlign) return nullptr;
  const size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
  void* base = std::malloc(rounded + kAlign);
  if (!base) return nullptr;
  const auto addr = reinterpret_cast<uintptr_t>(base);
  void* data = reinterpret_cast<void*>((addr + kAlign) & ~(uintptr_t{kAlign} - 1));
  static_cast<void**>(data)[-1] = base;
  if (bytes >= kHugePageMin) {
    const uintptr_t page = 4096;
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
    const uintptr_t end = reinterpret_cast<uintptr_t>(data) + bytes;
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
  return data;
}

void freeAligned(void* data) { std::free(static_cast<void**>(data)[-1]); }
}  // namespace

std::string Context::str() const {
  const char* kind = devType == 1 ? "cpu" : devType == 2 ? "gpu" : devType == 3 ? "cpu_pinned" : "cpu_shared";
  return std::string(kind) + "(" + std::to_string(devId) + ")";
}

void setThreadMemoryAccount(std::shared_ptr<MemoryAccount> account) { tAccount = std::move(account); }

namespace {
std::atomic<uint64_t> nextStorageId{0};
}  // namespace

Storage::Storage(size_t bytes)
    : data_(nullptr),
      bytes_(bytes),
      account_(threadAccount()),
      id_(nextStorageId.fetch_add(1, std::memory_order_relaxed)) {
  data_ = allocAligned(bytes);
  if (!data_) throw std::bad_alloc();
  account_->liveStorages++;
  account_->liveBytes += static_cast<int64_t>(bytes);
  account_->totalAllocations++;
}

Storage::~Storage() {
  freeAligned(data_);
  account_->liveStorages--;
  account_->liveBytes -= static_cast<int64_t>(bytes_);
}

MemoryStats memoryStats() {
  const MemoryAccount& a = *threadAccount();
  return {a.liveStorages.load(), a.liveBytes.load(), a.totalAllocations.load()};
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Context ctx, const char* op) {
  const uint64_t bytes = checkShapeBytes(shape, dtypeSize(dtype), op, "shape");
  static_assert(sizeof(size_t) >= sizeof(uint64_t), "kMaxBytes must fit in size_t");
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.ctx_ = ctx;
  try {
    t.storage_ = std::make_shared<Storage>(static_cast<size_t>(bytes));
  } catch (const std::bad_alloc&) {
    fail(ErrorKind::kNative, std::string(op) + ": out of memory allocating " + std::to_string(bytes) +
                                 " bytes for shape " + shapeStr(shape) + " of " + dtypeName(dtype));
  }
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Context ctx, const char* op) {
  Tensor t = empty(shape, dtype, ctx, op);
  std::memset(t.raw(), 0, t.nbytes());
  return t;
}

Tensor Tensor::reshaped(const Shape& shape) const {
  if (checkShape(shape, "reshape", "shape") != size()) {
    fail(ErrorKind::kShape, "reshape: cannot view an array of shape " + shapeStr(shape_) + " as " + shapeStr(shape));
  }
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::sliceRows(int64_t begin, int64_t end) const {
  if (ndim() == 0) fail(ErrorKind::kShape, "slice: cannot slice a 0-d array");
  if (begin < 0 || end < begin || end > shape_[0]) {
    fail(ErrorKind::kIndex, "slice: range [" + std::to_string(begin) + ", " + std::to_string(end) +
                                ") is out of bounds for axis 0 of shape " + shapeStr(shape_));
  }
  Tensor t = *this;
  const int64_t rowElems = shape_[0] == 0 ? 0 : size() / shape_[0];
  t.offset_ += static_cast<size_t>(begin * rowElems) * dtypeSize(dtype_);
  t.shape_[0] = end - begin;
  return t;
}

Tensor Tensor::viewBytes(size_t byteOffset, const Shape& shape, DType dtype) const {
  const uint64_t bytes = checkShapeBytes(shape, dtypeSize(dtype), "view", "shape");
  if (byteOffset > nbytes() || bytes > nbytes() - byteOffset) {
    fail(ErrorKind::kIndex, "view: bytes [" + std::to_string(byteOffset) + ", " + std::to_string(byteOffset + bytes) +
                                ") exceed a buffer of " + std::to_string(nbytes()) + " bytes");
  }
  Tensor t = *this;
  t.offset_ += byteOffset;
  t.shape_ = shape;
  t.dtype_ = dtype;
  return t;
}

void requireSize(const Tensor& t, int64_t size, const char* op, const char* arg) {
  if (t.size() != size) {
    fail(ErrorKind::kShape, std::string(op) + ": " + arg + " has shape " + shapeStr(t.shape()) + ", expected " +
                                std::to_string(size) + " elements");
  }
}

void requireDType(const Tensor& t, DType want, const char* op, const char* arg) {
  if (t.dtype() != want) {
    fail(ErrorKind::kDType, std::string(op) + ": " + arg + " must be " + dtypeName(want) + ", got " +
                                dtypeName(t.dtype()) + " with shape " + shapeStr(t.shape()));
  }
}

void requireFloat(const Tensor& t, const char* op, const char* arg) {
  if (!isFloat(t.dtype())) {
    fail(ErrorKind::kDType, std::string(op) + ": " + arg + " must be float32 or float64, got " + dtypeName(t.dtype()) +
                                " with shape " + shapeStr(t.shape()));
  }
}

void requireSameContext(const Tensor& a, const Tensor& b, const char* op) {
  if (a.ctx() != b.ctx()) {
    fail(ErrorKind::kContext, std::string(op) + ": inputs live on different contexts, " + a.ctx().str() + " and " +
                                  b.ctx().str() + "; copy one with copyTo first");
  }
}

void requireSameShape(const Tensor& a, const Tensor& b, const char* op) {
  if (a.shape() != b.shape()) {
    fail(ErrorKind::kShape,
         std::string(op) + ": shapes " + shapeStr(a.shape()) + " and " + shapeStr(b.shape()) + " must be equal");
  }
}

}  // namespace bkt
