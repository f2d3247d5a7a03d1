// Host-side weight arrays for packing and unpacking RNN parameters (MXNet's pack_weights /
// unpack_weights), which only cut and join arrays: plain Float32Arrays with their shapes, so that
// checkpoints can be converted without an executor.

import { ShapeError, ValueError } from '@bkt/ndarray/core';

export interface Weight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Arrays by parameter name, as in a checkpoint's `arg:` entries. */
export type WeightDict = Readonly<Record<string, Weight>>;

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

function checkWeight(name: string, w: Weight): void {
  if (w.data.length !== size(w.shape)) {
    throw new ShapeError(`weight '${name}': ${w.data.length} values for shape (${w.shape.join(', ')})`);
  }
}

/** Removes and returns `args[name]`; ValueError when it is missing. */
export function take(args: Record<string, Weight>, name: string): Weight {
  const w = args[name];
  if (w === undefined) throw new ValueError(`weight '${name}' is missing (have: ${Object.keys(args).join(', ') || 'none'})`);
  checkWeight(name, w);
  delete args[name];
  return w;
}

/** `w` cut along its first axis into `parts` equal blocks (copies). */
export function splitRows(name: string, w: Weight, parts: number): Weight[] {
  const rows = w.shape[0] ?? 0;
  if (w.shape.length === 0 || rows % parts !== 0) {
    throw new ShapeError(`weight '${name}' of shape (${w.shape.join(', ')}) cannot be cut into ${parts} row blocks`);
  }
  const block = (rows / parts) * size(w.shape.slice(1));
  return Array.from({ length: parts }, (_, j) => ({
    shape: [rows / parts, ...w.shape.slice(1)],
    data: w.data.slice(j * block, (j + 1) * block),
  }));
}

/** The blocks joined along their first axis (MXNet's ndarray.concatenate). */
export function joinRows(name: string, blocks: readonly Weight[]): Weight {
  const rest = blocks[0]?.shape.slice(1) ?? [];
  for (const b of blocks) {
    if (b.shape.length !== rest.length + 1 || b.shape.slice(1).some((d, i) => d !== rest[i])) {
      throw new ShapeError(
        `weight '${name}': blocks of shapes ${blocks.map((x) => `(${x.shape.join(', ')})`).join(', ')} cannot be joined`,
      );
    }
  }
  const data = new Float32Array(blocks.reduce((n, b) => n + b.data.length, 0));
  let at = 0;
  for (const b of blocks) {
    data.set(b.data, at);
    at += b.data.length;
  }
  return { shape: [blocks.reduce((n, b) => n + b.shape[0]!, 0), ...rest], data };
}
