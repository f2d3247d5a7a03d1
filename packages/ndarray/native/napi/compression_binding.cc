// 2-bit gradient compression: quantize2bit(grad, residual, threshold) -> compressed handle (residual
// updated in place); dequantize2bit(compressed, threshold, shape) -> new handle;
// dequantize2bitInto(compressed, threshold, out) -> undefined.
#include "bindings.h"
#include "bkt/compression.h"
#include "errors.h"
#include "handle.h"

namespace bkt::napi {
namespace {

BKT_BINDING(jsQuantize2bit) {
  const char* op = "quantize2bit";
  const Tensor& grad = tensorArg(info, 0, op, "grad");
  const Tensor& residual = tensorArg(info, 1, op, "residual");
  const double threshold = numberArg(info, 2, op, "threshold");
  return wrap(info.Env(), quantize2bit(grad, residual, threshold));
}

BKT_BINDING(jsDequantize2bit) {
  const char* op = "dequantize2bit";
  const Tensor& compressed = tensorArg(info, 0, op, "compressed");
  const double threshold = numberArg(info, 1, op, "threshold");
  const Shape shape = shapeArg(info, 2, op, "shape");
  return wrap(info.Env(), dequantize2bit(compressed, threshold, shape));
}

BKT_BINDING(jsDequantize2bitInto) {
  const char* op = "dequantize2bit";
  const Tensor& compressed = tensorArg(info, 0, op, "compressed");
  const double threshold = numberArg(info, 1, op, "threshold");
  const Tensor& out = tensorArg(info, 2, op, "out");
  dequantize2bitInto(compressed, threshold, out);
  return info.Env().Undefined();
}

}  // namespace

void registerCompression(Napi::Env env, Napi::Object exports) {
  exports.Set("quantize2bit", Napi::Function::New(env, jsQuantize2bit));
  exports.Set("dequantize2bit", Napi::Function::New(env, jsDequantize2bit));
  exports.Set("dequantize2bitInto", Napi::Function::New(env, jsDequantize2bitInto));
}

}  // namespace bkt::napi
