#include "bkt/params_io.h"
#include "bkt/sparse.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "bkt/error.h"

namespace bkt {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .params format is little-endian; add byte swaps");

constexpr uint64_t kListMagic = 0x112;
constexpr uint32_t kV1Magic = 0xF993FAC8u;
constexpr uint32_t kV2Magic = 0xF993FAC9u;
constexpr uint32_t kV3Magic = 0xF993FACAu;
constexpr int32_t kMaxDims = 32;
// The smallest record is a V0 "none": a single uint32 ndim of 0.
constexpr uint64_t kMinRecordBytes = 4;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string errnoText(int err) { return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")"; }

void requireNoNul(const std::string& path, const char* op) {
  if (path.find('\0') != std::string::npos) fail(ErrorKind::kValue, std::string(op) + ": the path contains a NUL byte");
}

// ---------------------------------------------------------------------------------------------
// Reading

// A bounded byte stream: every read is checked against the bytes left, and failures name the
// source, the byte offset and the field being read.
class Source {
 public:
  Source(std::string label, uint64_t size) : label_(std::move(label)), size_(size) {}
  virtual ~Source() = default;

  uint64_t offset() const { return offset_; }
  uint64_t remaining() const { return size_ - offset_; }
  void setContext(std::string where) { where_ = std::move(where); }

  [[noreturn]] void bad(uint64_t at, const std::string& what) const {
    std::string msg = "load " + label_ + ": at byte " + std::to_string(at);
    if (!where_.empty()) msg += " (" + where_ + ")";
    fail(ErrorKind::kFormat, msg + ": " + what);
  }

  // Fails unless `n` more bytes exist; `what` names the field for the message.
  void need(uint64_t n, const std::string& what) const {
    if (n > remaining()) {
      bad(offset_, what + ": " + std::to_string(n) + " bytes needed, only " + std::to_string(remaining()) +
                       " left (the file is truncated or corrupt)");
    }
  }

  void read(void* dst, uint64_t n, const std::string& what) {
    need(n, what);
    readRaw(dst, static_cast<size_t>(n));
    offset_ += n;
  }

  template <typename T>
  T get(const char* what) {
    T v;
    read(&v, sizeof v, what);
    return v;
  }

 protected:
  virtual void readRaw(void* dst, size_t n) = 0;
  const std::string& label() const { return label_; }

 private:
  std::string label_;
  std::string where_;
  uint64_t size_;
  uint64_t offset_ = 0;
};

class BufferSource final : public Source {
 public:
  BufferSource(const uint8_t* bytes, size_t len) : Source("<buffer>", len), bytes_(bytes) {}

 protected:
  void readRaw(void* dst, size_t n) override {
    if (n) std::memcpy(dst, bytes_ + offset(), n);
  }

 private:
  const uint8_t* bytes_;
};

// Reads straight into tensor memory so loading a large checkpoint never holds two copies.
class FileSource final : public Source {
 public:
  FileSource(const std::string& path, FILE* f, uint64_t size) : Source("'" + path + "'", size), f_(f) {}
  ~FileSource() override { std::fclose(f_); }

 protected:
  void readRaw(void* dst, size_t n) override {
    if (n == 0 || std::fread(dst, 1, n, f_) == n) return;
    const int err = errno;
    if (std::ferror(f_)) fail(ErrorKind::kNative, "load " + label() + ": read failed: " + errnoText(err));
    bad(offset(), "the file ended early (was it truncated while being read?)");
  }

 private:
  FILE* f_;
};

struct ParsedShape {
  Shape dims;
  bool unknown = false;  // MXNet's "none" array: no context, dtype or data follow
};

// `legacyU32` reads a V0 shape (dims are uint32, ndim already read as the record's first word).
ParsedShape readShape(Source& s, const char* what, bool legacyU32, int64_t ndim, bool unknownDimMeansNone) {
  const uint64_t at = s.offset();
  ParsedShape out;
  if (ndim == -1) {
    out.unknown = true;
    return out;
  }
  if (ndim < 0 || ndim > kMaxDims) {
    s.bad(at, std::string(what) + " has " + std::to_string(ndim) + " dimensions; 0 to " + std::to_string(kMaxDims) +
                  " are allowed");
  }
  const uint64_t dimBytes = legacyU32 ? 4 : 8;
  s.need(static_cast<uint64_t>(ndim) * dimBytes, std::string(what) + " dims");
  out.dims.resize(static_cast<size_t>(ndim));
  int64_t elements = 1;
  for (int64_t i = 0; i < ndim; ++i) {
    const uint64_t dimAt = s.offset();
    const int64_t d = legacyU32 ? static_cast<int64_t>(s.get<uint32_t>(what)) : s.get<int64_t>(what);
    if (d == -1 && unknownDimMeansNone)
      out.unknown = true;
    else if (d < 0)
      s.bad(dimAt, std::string(what) + " dim " + std::to_string(i) + " is negative (" + std::to_string(d) + ")");
    out.dims[static_cast<size_t>(i)] = d;
    // Count zero dims as 1 so a corrupt huge dim next to a 0 is still caught.
    const int64_t factor = d > 1 ? d : 1;
    if (elements > kMaxElements / factor) {
      s.bad(dimAt, std::string(what) + " has more than 2^53 elements; the file is corrupt");
    }
    elements *= factor;
  }
  return out;
}

ParsedShape readTShape(Source& s, const char* what, bool unknownDimMeansNone) {
  const int32_t ndim = s.get<int32_t>(what);
  return readShape(s, what, false, ndim, unknownDimMeansNone);
}

const char* unsupportedDTypeName(int32_t code) {
  switch (code) {
    case 8:
      return "int16";
    case 9:
      return "uint16";
    case 10:
      return "uint32";
    case 11:
      return "uint64";
    default:
      return nullptr;
  }
}

DType readDType(Source& s, const char* what) {
  const uint64_t at = s.offset();
  const int32_t code = s.get<int32_t>(what);
  if (isKnownDType(code)) return static_cast<DType>(code);
  if (const char* name = unsupportedDTypeName(code)) {
    s.bad(at, std::string(what) + " code " + std::to_string(code) + " (" + name + ") is not supported");
  }
  s.bad(at, std::string("unknown ") + what + " code " + std::to_string(code));
}

// The recorded device is validated but not honoured: every array loads onto cpu(0), as in MXNet
// on a machine without that device.
void readContext(Source& s) {
  const uint64_t at = s.offset();
  const int32_t devType = s.get<int32_t>("the context device type");
  const int32_t devId = s.get<int32_t>("the context device id");
  if (devType != 1 && devType != 2 && devType != 3 && devType != 5) {
    s.bad(at, "unknown context device type " + std::to_string(devType));
  }
  if (devId < 0) s.bad(at + 4, "negative context device id " + std::to_string(devId));
}

uint64_t byteSize(const Shape& shape, DType dtype) {
  return static_cast<uint64_t>(shapeSize(shape)) * dtypeSize(dtype);
}

Tensor noneArray() { return Tensor::empty({0}, DType::kFloat32); }

Tensor readDenseData(Source& s, const Shape& shape, DType dtype) {
  s.need(byteSize(shape, dtype), "the " + std::string(dtypeName(dtype)) + " data of shape " + shapeStr(shape));
  Tensor t = Tensor::empty(shape, dtype, {}, "load");
  s.read(t.raw(), t.nbytes(), "the data");
  if (dtype == DType::kBool) {
    // Any other byte in a C++ bool is undefined behaviour in the kernels.
    auto* p = static_cast<uint8_t*>(t.raw());
    for (size_t i = 0; i < t.nbytes(); ++i) p[i] = p[i] != 0;
  }
  return t;
}

Tensor readLegacyRecord(Source& s, uint32_t magic) {
  const bool v1 = magic == kV1Magic;
  const ParsedShape shape = v1 ? readTShape(s, "the shape", false) : readShape(s, "the shape", true, magic, false);
  if (shape.unknown || shape.dims.empty()) return noneArray();
  readContext(s);
  const DType dtype = readDType(s, "dtype");
  return readDenseData(s, shape.dims, dtype);
}

// The aux types and shapes, values and aux data of a sparse record (after its dtype), checked as
// sparse.h checks a live array: any defect is a FormatError at the record's offset.
Tensor readSparse(Source& s, uint64_t start, int32_t stype, const Shape& shape, DType dtype, const Shape& storageShape,
                  SparseRecord& out) {
  const int nAux = stype == 1 ? 1 : 2;
  std::vector<Shape> auxShapes;
  for (int i = 0; i < nAux; ++i) {
    const uint64_t at = s.offset();
    const DType auxType = readDType(s, "aux dtype");
    if (auxType != DType::kInt64) s.bad(at, std::string("sparse aux arrays must be int64, got ") + dtypeName(auxType));
    const ParsedShape auxShape = readTShape(s, "the aux shape", false);
    if (auxShape.unknown) s.bad(s.offset(), "an aux shape is unknown");
    auxShapes.push_back(auxShape.dims);
  }
  if (!isFloat(dtype)) s.bad(start, std::string("sparse values must be float32 or float64, got ") + dtypeName(dtype));
  Tensor data = readDenseData(s, storageShape, dtype);
  for (const Shape& a : auxShapes) out.aux.push_back(readDenseData(s, a, DType::kInt64));
  out.stype = stype;
  out.shape = shape;
  try {
    if (stype == 1)
      checkRsp(data, out.aux[0], shape, "load");
    else
      checkCsr(data, out.aux[1], out.aux[0], shape, "load");
  } catch (const Error& e) {
    s.bad(start,
          std::string(stype == 1 ? "row_sparse" : "csr") + " array of shape " + shapeStr(shape) + ": " + e.what());
  }
  return data;
}

Tensor readRecord(Source& s, SparseRecord& sparseOut) {
  const uint64_t start = s.offset();
  const uint32_t magic = s.get<uint32_t>("the record magic");
  if (magic == kV1Magic) return readLegacyRecord(s, magic);
  if (magic != kV2Magic && magic != kV3Magic) {
    if (magic > static_cast<uint32_t>(kMaxDims)) {
      s.bad(start, "unknown record magic " + hex(magic) + " (neither a V1-V3 magic nor a V0 ndim of at most 32)");
    }
    return readLegacyRecord(s, magic);
  }
  const bool v3 = magic == kV3Magic;
  const uint64_t stypeAt = s.offset();
  const int32_t stype = s.get<int32_t>("the storage type");
  // -1 (undefined) is what a "none" array records; MXNet reads anything without aux data as dense.
  if (stype < -1 || stype > 2) s.bad(stypeAt, "unknown storage type " + std::to_string(stype));
  const bool sparse = stype == 1 || stype == 2;
  ParsedShape storageShape;
  if (sparse) {
    storageShape = readTShape(s, "the storage shape", false);
    if (storageShape.unknown) s.bad(stypeAt + 4, "the storage shape of a sparse array is unknown");
  }
  // V2 spells "none" as ndim 0 (MXNet >= 1.5 may write its unknown ndim, -1); V3 as any unknown
  // ndim or dim, and there ndim 0 is a real 0-d array.
  const ParsedShape shape = readTShape(s, "the shape", v3);
  if (shape.unknown || (!v3 && shape.dims.empty())) return noneArray();
  readContext(s);
  const DType dtype = readDType(s, "dtype");
  if (sparse) return readSparse(s, start, stype, shape.dims, dtype, storageShape.dims, sparseOut);
  return readDenseData(s, shape.dims, dtype);
}

ArrayList readList(Source& s) {
  s.setContext("header");
  const uint64_t header = s.get<uint64_t>("the header");
  if (header != kListMagic) {
    s.bad(0, "not an MXNet NDArray list file (header " + hex(header) + ", expected 0x112)");
  }
  s.get<uint64_t>("the reserved word");  // MXNet ignores it too
  const uint64_t countAt = s.offset();
  const uint64_t count = s.get<uint64_t>("the array count");
  if (count > s.remaining() / kMinRecordBytes) {
    s.bad(countAt, "the array count " + std::to_string(count) + " cannot fit in the " + std::to_string(s.remaining()) +
                       " bytes that follow");
  }
  // The count is only bounded by the file size, so reserving all of it up front could ask for far
  // more memory than the file holds: grow as records actually parse.
  constexpr uint64_t kReserveCap = 4096;
  ArrayList out;
  out.arrays.reserve(static_cast<size_t>(std::min(count, kReserveCap)));
  for (uint64_t i = 0; i < count; ++i) {
    s.setContext("array " + std::to_string(i));
    SparseRecord sp;
    out.arrays.push_back(readRecord(s, sp));
    out.sparse.push_back(std::move(sp));
  }
  s.setContext("names");
  const uint64_t nameCountAt = s.offset();
  const uint64_t nameCount = s.get<uint64_t>("the name count");
  if (nameCount != 0 && nameCount != count) {
    s.bad(nameCountAt, "the file has " + std::to_string(count) + " arrays but " + std::to_string(nameCount) +
                           " names; it must have 0 or one per array");
  }
  out.names.reserve(static_cast<size_t>(std::min(nameCount, kReserveCap)));
  for (uint64_t i = 0; i < nameCount; ++i) {
    s.setContext("name " + std::to_string(i));
    const uint64_t len = s.get<uint64_t>("the name length");
    s.need(len, "the name");
    std::string name(static_cast<size_t>(len), '\0');
    s.read(name.data(), len, "the name");
    out.names.push_back(std::move(name));
  }
  s.setContext("");
  if (s.remaining() != 0) {
    s.bad(s.offset(), std::to_string(s.remaining()) + " unexpected bytes after the names");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing

// Writes to a fresh temporary file next to the target and renames it into place on commit, so a
// reader (or a crash) sees the old file or the new one, never a mixture. The destructor removes the
// temporary file unless commit() succeeded. The same protocol as writeFileAtomic (src/atomic-write.ts,
// which lists its steps); change both together.
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path) : path_(path) {
    std::random_device rd;
    for (int attempt = 0;; ++attempt) {
      const uint64_t r = (static_cast<uint64_t>(rd()) << 32) ^ rd();
      char suffix[64];
      std::snprintf(suffix, sizeof suffix, ".tmp-%ld-%016llx", static_cast<long>(::getpid()),
                    static_cast<unsigned long long>(r));
      tmp_ = path + suffix;
      fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0) break;
      const int err = errno;
      if (err != EEXIST || attempt >= 8) ioFail(err, "cannot create the temporary file '" + tmp_ + "'");
    }
  }

  ~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }

  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  template <typename T>
  void put(T v) {
    append(&v, sizeof v);
  }

  void append(const void* data, size_t n) {
    if (n >= kBuffer) {  // large blocks (tensor data) skip the copy
      flush();
      writeAll(data, n);
      return;
    }
    if (buf_.size() + n > kBuffer) flush();
    const auto* p = static_cast<const char*>(data);
    buf_.insert(buf_.end(), p, p + n);
  }

  void commit() {
    flush();
    if (::fsync(fd_) != 0) ioFail(errno, "fsync of '" + tmp_ + "' failed");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) ioFail(errno, "closing '" + tmp_ + "' failed");
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) ioFail(errno, "cannot rename '" + tmp_ + "' over it");
    committed_ = true;
    syncDirectory();
  }

 private:
  static constexpr size_t kBuffer = 1 << 16;

  // `err` is captured by the caller before building `what`, which may allocate.
  [[noreturn]] void ioFail(int err, const std::string& what) const {
    fail(ErrorKind::kNative, "save '" + path_ + "': " + what + ": " + errnoText(err));
  }

  void flush() {
    writeAll(buf_.data(), buf_.size());
    buf_.clear();
  }

  void writeAll(const void* data, size_t n) {
    const auto* p = static_cast<const char*>(data);
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        const int err = errno;
        if (err == EINTR) continue;
        ioFail(err, "writing '" + tmp_ + "' failed");
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
  }

  // Makes the rename itself durable. Best effort: the new content is already in place, so a
  // failure here is not reported as a failed save.
  void syncDirectory() const {
    const size_t slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
  }

  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  bool committed_ = false;
  std::vector<char> buf_;
};

std::string arrayLabel(const std::vector<std::string>& names, size_t i) {
  return names.empty() ? "array " + std::to_string(i) : "array '" + names[i] + "' (index " + std::to_string(i) + ")";
}

void validateForSave(const std::vector<Tensor>& tensors, const std::vector<std::string>& names) {
  if (!names.empty() && names.size() != tensors.size()) {
    fail(ErrorKind::kValue, "save: " + std::to_string(names.size()) + " names were given for " +
                                std::to_string(tensors.size()) + " arrays; give none or one per array");
  }
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (!t.defined()) fail(ErrorKind::kState, "save: " + arrayLabel(names, i) + " has no data");
    if (t.ndim() == 0) {
      fail(ErrorKind::kShape, "save: " + arrayLabel(names, i) +
                                  " is 0-d; MXNet's V2 format reads ndim 0 as a 'none' array, so reshape it to (1,) "
                                  "first");
    }
    if (t.ndim() > kMaxDims) {
      fail(ErrorKind::kShape, "save: " + arrayLabel(names, i) + " has shape " + shapeStr(t.shape()) +
                                  "; at most 32 dimensions are allowed");
    }
  }
}

void writeShape(AtomicFile& f, const Shape& shape) {
  f.put<int32_t>(static_cast<int32_t>(shape.size()));
  for (int64_t d : shape) f.put<int64_t>(d);
}

// A dense record, or MXNet's sparse one when `sp.stype` is 1 or 2 (`t` holds the stored values).
void writeRecord(AtomicFile& f, const Tensor& t, const SparseRecord& sp) {
  const bool sparse = sp.stype != 0;
  f.put<uint32_t>(kV2Magic);
  f.put<int32_t>(sp.stype);
  if (sparse) writeShape(f, t.shape());
  writeShape(f, sparse ? sp.shape : t.shape());
  f.put<int32_t>(t.ctx().devType);
  f.put<int32_t>(t.ctx().devId);
  f.put<int32_t>(static_cast<int32_t>(t.dtype()));
  for (const Tensor& a : sp.aux) {
    f.put<int32_t>(static_cast<int32_t>(a.dtype()));
    writeShape(f, a.shape());
  }
  f.append(t.raw(), t.nbytes());
  for (const Tensor& a : sp.aux) f.append(a.raw(), a.nbytes());
}

}  // namespace

void saveArrays(const std::string& path, const std::vector<Tensor>& tensors, const std::vector<std::string>& names,
                const std::vector<SparseRecord>& sparse) {
  requireNoNul(path, "save");
  validateForSave(tensors, names);
  if (!sparse.empty() && sparse.size() != tensors.size()) {
    fail(ErrorKind::kValue, "save: " + std::to_string(sparse.size()) + " storage records for " +
                                std::to_string(tensors.size()) + " arrays");
  }
  for (size_t i = 0; i < sparse.size(); ++i) {
    const SparseRecord& sp = sparse[i];
    if (sp.stype == 1)
      checkRsp(tensors[i], sp.aux.at(0), sp.shape, "save");
    else if (sp.stype == 2)
      checkCsr(tensors[i], sp.aux.at(1), sp.aux.at(0), sp.shape, "save");
    else if (sp.stype != 0 || !sp.aux.empty())
      fail(ErrorKind::kValue, "save: " + arrayLabel(names, i) + " has an unknown storage type");
  }
  AtomicFile f(path);
  f.put<uint64_t>(kListMagic);
  f.put<uint64_t>(0);
  f.put<uint64_t>(tensors.size());
  const SparseRecord dense;
  for (size_t i = 0; i < tensors.size(); ++i) writeRecord(f, tensors[i], sparse.empty() ? dense : sparse[i]);
  f.put<uint64_t>(names.size());
  for (const std::string& name : names) {
    f.put<uint64_t>(name.size());
    f.append(name.data(), name.size());
  }
  f.commit();
}

ArrayList loadArrays(const std::string& path) {
  requireNoNul(path, "load");
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    const int err = errno;
    fail(ErrorKind::kNative, "load '" + path + "': cannot open: " + errnoText(err));
  }
  struct stat st {};
  if (::fstat(::fileno(f), &st) != 0) {
    const int err = errno;
    std::fclose(f);
    fail(ErrorKind::kNative, "load '" + path + "': cannot stat: " + errnoText(err));
  }
  if (!S_ISREG(st.st_mode)) {
    std::fclose(f);
    fail(ErrorKind::kNative,
         "load '" + path + "': " + (S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file"));
  }
  FileSource source(path, f, static_cast<uint64_t>(st.st_size));
  return readList(source);
}

ArrayList loadArraysFromBuffer(const uint8_t* bytes, size_t len) {
  BufferSource source(bytes, len);
  return readList(source);
}

}  // namespace bkt
