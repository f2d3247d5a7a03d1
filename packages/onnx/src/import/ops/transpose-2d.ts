// The transpose of a constant matrix (ONNX stores x·W weights as (in, out); FullyConnected wants (out, in)).

import type { Constant } from '../context.js';

export function transpose2d(m: Constant): Constant {
  const [rows, cols] = m.dims as [number, number];
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = m.data[r * cols + c]!;
  return { dims: [cols, rows], data };
}
