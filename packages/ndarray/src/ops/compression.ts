// MXNet's 2-bit gradient compression (kvstore `set_gradient_compression({type: '2bit'})`), exposed for
// the stores and for tests. Codes per element: `11` = +threshold, `10` = -threshold, `00` = 0; sixteen
// codes per float32 word, element j of a word in byte j >> 2 at bit pair j & 3 counted from the most
// significant pair (masks 0xC0, 0x30, 0x0C, 0x03); unused tail bits are 0. float32 only, as in MXNet.
import { native } from '../native.js';
import { NDArray } from '../ndarray.js';

/** How many float32 words 2-bit compression packs `n` values into: ceil(n / 16). */
export function compressedSize2bit(n: number): number {
  return Math.ceil(n / 16);
}

/**
 * MXNet quantize_2bit: residual += grad (in place), then per element `11` and residual -= threshold
 * when residual >= threshold, `10` and residual += threshold when residual <= -threshold, else `00`.
 * Returns the packed codes, a float32 array of shape (ceil(n / 16),) on grad's context.
 */
export function quantize2bit(grad: NDArray, residual: NDArray, threshold: number): NDArray {
  return NDArray.fromHandle(native.quantize2bit(grad.handle, residual.handle, threshold));
}

/**
 * MXNet dequantize_2bit: `11` -> +threshold, `10` -> -threshold, else 0. `out` is either the shape of
 * a new float32 array (on compressed's context) or an existing float32 array written in place.
 */
export function dequantize2bit(compressed: NDArray, threshold: number, out: readonly number[] | NDArray): NDArray {
  if (out instanceof NDArray) {
    native.dequantize2bitInto(compressed.handle, threshold, out.handle);
    return out;
  }
  return NDArray.fromHandle(native.dequantize2bit(compressed.handle, threshold, out));
}
