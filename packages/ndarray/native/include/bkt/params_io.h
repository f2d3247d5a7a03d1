// MXNet's NDArray-list file format (`mx.nd.save`, `.params`, `.buckets`); the layout of `ndarray.cc`'s
// NDArray::Save/Load.
//
// Writing produces V2 dense records, byte for byte what MXNet 1.x writes. Reading accepts V0, V1, V2
// and V3 records and validates every field against the bytes that are left before allocating, so a
// corrupt or hostile file raises a FormatError and never crashes, hangs or allocates a huge buffer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bkt/tensor.h"

namespace bkt {

// What a sparse record adds to its data tensor (which then holds the stored values: the storage
// shape). Dense records have stype 0 and nothing else.
struct SparseRecord {
  int32_t stype = 0;        // 0 default, 1 row_sparse, 2 csr (MXNet's codes)
  Shape shape;              // the dense shape
  std::vector<Tensor> aux;  // row_sparse: {row idx}; csr: {indptr, col idx}; int64
};

struct ArrayList {
  std::vector<Tensor> arrays;
  // Empty when the file was saved from a list; otherwise one name per array, bytes untouched.
  std::vector<std::string> names;
  // One per array.
  std::vector<SparseRecord> sparse;
};

// Writes `tensors` (with `names`, which is empty or one per tensor) to `path` atomically: the bytes go
// to `<path>.tmp-<pid>-<random>` in the same directory, are fsynced, then renamed over `path`.
// 0-d arrays are refused (ShapeError): V2 reads ndim 0 as a "none" array, so MXNet could not load
// them back. I/O failures raise NativeError naming the path and the system's reason.
// `sparse` is empty (all dense) or one per tensor: a sparse entry writes MXNet's sparse V2 record
// (storage shape, aux types and shapes, values, aux data), its tensor holding the stored values.
void saveArrays(const std::string& path, const std::vector<Tensor>& tensors, const std::vector<std::string>& names,
                const std::vector<SparseRecord>& sparse = {});

// Reads a list file. Every array lands on cpu(0), whatever context was recorded (MXNet does the same
// on a machine without that device). A "none" record (V0-V2 ndim 0, V3 unknown shape) becomes a
// float32 array of shape (0,). V3 ndim 0 is a true 0-d array. bool bytes are normalised to 0/1.
// Sparse records (row_sparse, csr) load into `sparse`; a malformed one (bad aux type, indices out of
// range or unsorted, a wrong indptr) raises FormatError naming the record.
ArrayList loadArrays(const std::string& path);
ArrayList loadArraysFromBuffer(const uint8_t* bytes, size_t len);

}  // namespace bkt
