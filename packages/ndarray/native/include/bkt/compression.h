// MXNet 1.x's 2-bit gradient compression (kvstore gradient_compression, type '2bit').
//
// quantize2bit adds each gradient element to its residual, then emits one 2-bit code per element:
// `11` when the residual reached +threshold (the residual loses one threshold), `10` when it reached
// -threshold (it gains one), `00` otherwise (the residual keeps the value for later pushes). Sixteen
// codes fill one float32 word: element j of a word sits in byte j / 4 (bytes in memory order) at bit
// pair j % 4 counted from the most significant pair, so the masks are 0xC0, 0x30, 0x0C, 0x03. Tail bits
// of the last word stay 0. dequantize2bit turns `11` into +threshold, `10` into -threshold, anything
// else into 0.
//
// Only float32 is supported (as in MXNet). The threshold arrives as double and is used as float.
#pragma once
#include "bkt/tensor.h"

namespace bkt {

// Words needed for n values: ceil(n / 16).
int64_t compressedSize2bit(int64_t n);

// Returns the compressed words (float32, shape {ceil(n / 16)}, grad's context) and updates `residual`
// (float32, grad's shape and context) in place.
Tensor quantize2bit(const Tensor& grad, const Tensor& residual, double threshold);

// Decodes `compressed` into `out` (float32, ceil(out.size / 16) words, same context).
void dequantize2bitInto(const Tensor& compressed, double threshold, const Tensor& out);

// Decodes into a new float32 array of `shape` on compressed's context.
Tensor dequantize2bit(const Tensor& compressed, double threshold, const Shape& shape);

}  // namespace bkt
