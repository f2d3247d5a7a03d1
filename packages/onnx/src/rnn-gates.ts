// How MXNet's fused RNN stacks its gates against ONNX's: for each ONNX gate position, the MXNet
// gate it holds. MXNet: LSTM i,f,c,o, GRU r,z,n; ONNX: LSTM i,o,f,c, GRU z,r,h.

export const ONNX_GATE_SOURCES = { lstm: [0, 3, 1, 2], gru: [1, 0, 2], rnn_relu: [0], rnn_tanh: [0] } as const;

export type RNNModeName = keyof typeof ONNX_GATE_SOURCES;

/** Copies the `order.length` gate blocks of `block` values from `src` at `offset` into `dst` at `at`, block k from src block order[k]. */
export function permuteGates(
  src: Float32Array,
  offset: number,
  dst: Float32Array,
  at: number,
  order: readonly number[],
  block: number,
): void {
  order.forEach((g, k) => dst.set(src.subarray(offset + g * block, offset + (g + 1) * block), at + k * block));
}

/** The inverse permutation: for each MXNet gate, the ONNX position holding it. */
export function inverseOrder(order: readonly number[]): number[] {
  const inv = new Array<number>(order.length);
  order.forEach((g, k) => (inv[g] = k));
  return inv;
}
