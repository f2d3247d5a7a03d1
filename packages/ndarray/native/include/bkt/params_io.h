// MXNet's NDArray-list file format (`mx.nd.save`, `.params`, `.buckets`); see mxnet-module-spec.md §5.1.
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

struct ArrayList {
  std::vector<Tensor> arrays;
  // Empty when the file was saved from a list; otherwise one name per array, bytes untouched.
  std::vector<std::string> names;
};

// Writes `tensors` (with `names`, which is empty or one per tensor) to `path` atomically: the bytes go
// to `<path>.tmp-<pid>-<random>` in the same directory, are fsynced, then renamed over `path`.
// 0-d arrays are refused (ShapeError): V2 reads ndim 0 as a "none" array, so MXNet could not load
// them back. I/O failures raise NativeError naming the path and the system's reason.
void saveArrays(const std::string& path, const std::vector<Tensor>& tensors, const std::vector<std::string>& names);

// Reads a list file. Every array lands on cpu(0), whatever context was recorded (MXNet does the same
// on a machine without that device). A "none" record (V0-V2 ndim 0, V3 unknown shape) becomes a
// float32 array of shape (0,). V3 ndim 0 is a true 0-d array. bool bytes are normalised to 0/1.
// Sparse records (row_sparse, csr) are parsed and then refused with a FormatError.
ArrayList loadArrays(const std::string& path);
ArrayList loadArraysFromBuffer(const uint8_t* bytes, size_t len);

}  // namespace bkt
