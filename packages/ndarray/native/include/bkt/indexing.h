// Gather/scatter, indexing, joining and transpose (MXNet's take, Embedding, one_hot, pick, Concat,
// stack, split/SliceChannel and transpose). Every function validates its inputs, allocates its output
// on the inputs' context and returns it; the copy-only ops accept every dtype.
#pragma once
#include <vector>

#include "bkt/kernel_enums.gen.h"
#include "bkt/tensor.h"

namespace bkt {

// IndexMode (kernel_enums.gen.h, from take's mode table): how out-of-range indices behave: clamp to
// [0, n-1], wrap modulo n, or raise IndexError.

// Gathers slices of data along `axis`; the output has indices.shape in place of that axis. Indices of
// any dtype are truncated toward zero.
Tensor take(const Tensor& data, const Tensor& indices, int64_t axis, IndexMode mode);

// Embedding forward: rows of weight (inputDim, outputDim) at `indices`, clipped into range.
Tensor embedding(const Tensor& indices, const Tensor& weight);

// Embedding backward: the (inputDim, outputDim) weight gradient, summing gradOut rows that share an index.
Tensor embeddingBackward(const Tensor& indices, const Tensor& gradOut, int64_t inputDim);

// The write-into forms the executor's plan kernels use: `out` already has the result's shape.
void gatherInto(const Tensor& data, const Tensor& indices, int axis, IndexMode mode, const char* op, const Tensor& out);
void embeddingBackwardInto(const Tensor& indices, const Tensor& gradOut, const Tensor& grad);
// Embedding's lookup into `out` (indices.size() rows of table's width): the rows of a 2-D float `table`
// at `indices`, read as Embedding reads them (truncated, clipped into range). The RNN's folded input
// projection (rnn_embedding_fold.h) looks its rows up with it, so it sees the ids exactly as Embedding does.
void embeddingLookupInto(const Tensor& table, const Tensor& indices, const Tensor& out, const char* op);
// take's gradient: `grad` (data's shape, float) = zeros plus gradOut's slices added at their indices
// along `axis` (duplicates accumulate); gradOut has take's output shape.
void takeBackwardInto(const Tensor& gradOut, const Tensor& indices, int axis, IndexMode mode, const char* op,
                      const Tensor& grad);

// indices.shape + (depth,); rows of out-of-range indices are all offValue.
Tensor oneHot(const Tensor& indices, int64_t depth, double onValue, double offValue, DType dtype);
// Its write-into form: out holds indices.size() * depth elements of its own dtype.
void oneHotInto(const Tensor& indices, int64_t depth, double onValue, double offValue, const Tensor& out);

// out[..., i, ...] = data[..., index[..., i, ...], ...] along `axis` (clip or wrap).
Tensor pick(const Tensor& data, const Tensor& index, int64_t axis, bool keepdims, IndexMode mode);
// Its write-into form: index and out hold one element per position of data's other axes.
void pickInto(const Tensor& data, const Tensor& index, int axis, IndexMode mode, const Tensor& out);
// MXNet's pick(..., out=): pick's checks, then into `out` of the result's shape, dtype and context,
// sharing no bytes with data or index (a ValueError).
void pickToOut(const Tensor& data, const Tensor& index, int64_t axis, bool keepdims, IndexMode mode, const Tensor& out);

// Joins arrays of equal dtype, context and rank along an existing axis.
Tensor concat(const std::vector<Tensor>& arrays, int64_t dim);

// Joins arrays of one shape along a new axis.
Tensor stack(const std::vector<Tensor>& arrays, int64_t axis);

// Splits data into numOutputs equal parts along `axis`, optionally dropping that axis when it becomes 1.
std::vector<Tensor> split(const Tensor& data, int64_t numOutputs, int64_t axis, bool squeezeAxis);

// The write-into forms of concat and split for the plan kernels (Concat, SliceChannel and their
// gradients). Viewed as `outer` rows (the product of the dimensions before the joined axis), each row
// of `joined` is the parts' rows laid end to end. The caller validates the shapes; these check dtype,
// context and that the parts' elements add up to joined's, naming `op`.
void concatInto(const Tensor* const* parts, int numParts, int64_t outer, const Tensor& joined, const char* op);
void splitInto(const Tensor& joined, int64_t outer, const Tensor* const* parts, int numParts, const char* op);

// A contiguous copy with permuted axes; an empty `axes` reverses them. Negative axes count from the end.
Tensor transpose(const Tensor& a, const std::vector<int64_t>& axes);
// Its write-into form: `out` has a's dtype and the permuted shape, and must not overlap a.
void transposeInto(const Tensor& a, const std::vector<int64_t>& axes, const Tensor& out);

}  // namespace bkt
