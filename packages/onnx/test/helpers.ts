// Shared by the tests: bkt's forward pass, onnxruntime-node's, and their comparison.

import { type NDArray, fromTypedArray, random } from '@bkt/ndarray';
import { Executor } from '@bkt/executor';
import type { Symbol } from '@bkt/symbol';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

export interface Feed {
  shape: readonly number[];
  data: Float32Array;
}

/** Random parameters for every argument that is neither in `shapes` nor a label, and the auxiliary states. */
export function randomParams(
  sym: Symbol,
  shapes: Record<string, readonly number[]>,
  scale = 0.5,
): { argParams: Record<string, NDArray>; auxParams: Record<string, NDArray> } {
  const { argShapes, auxShapes } = sym.inferShape(shapes);
  const argParams: Record<string, NDArray> = {};
  sym.listArguments().forEach((name, i) => {
    if (!(name in shapes) && !name.endsWith('_label')) argParams[name] = random.uniform(-scale, scale, argShapes[i]!);
  });
  const auxParams: Record<string, NDArray> = {};
  sym.listAuxiliaryStates().forEach((name, i) => {
    // moving variances must be positive; means any value
    auxParams[name] = name.endsWith('var')
      ? random.uniform(0.5, 1.5, auxShapes[i]!)
      : random.uniform(-scale, scale, auxShapes[i]!);
  });
  return { argParams, auxParams };
}

/** bkt's inference forward pass; every output as float32. */
export function bktForward(
  sym: Symbol,
  argParams: Record<string, NDArray>,
  auxParams: Record<string, NDArray>,
  feeds: Record<string, Feed>,
  extraShapes: Record<string, readonly number[]> = {},
): Float32Array[] {
  const shapes = { ...extraShapes, ...Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.shape])) };
  const exec = Executor.simpleBind(sym, { shapes, gradReq: 'null' });
  try {
    exec.copyParamsFrom(argParams, auxParams, true);
    for (const [name, f] of Object.entries(feeds)) fromTypedArray(f.data, f.shape).copyTo(exec.argDict[name]!);
    return exec.forward({ isTrain: false }).map((o) => Float32Array.from(o.toTypedArray() as Float32Array));
  } finally {
    exec.dispose();
  }
}

/** onnxruntime-node's CPU run of a model; the outputs in the graph's order. */
export async function ortForward(
  model: Uint8Array,
  feeds: Record<string, Feed>,
): Promise<{ dims: readonly number[]; data: Float32Array }[]> {
  const session = await ort.InferenceSession.create(model);
  try {
    const inputs = Object.fromEntries(
      Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, [...v.shape])]),
    );
    const result = await session.run(inputs);
    return session.outputNames.map((n) => ({ dims: result[n]!.dims, data: result[n]!.data as Float32Array }));
  } finally {
    await session.release();
  }
}

/** max |a - b| over max |b|: the error relative to the reference's scale. */
export function relativeError(actual: Float32Array, reference: Float32Array): number {
  expect(actual.length).toBe(reference.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - reference[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return diff / scale;
}

export function uniformFeed(shape: readonly number[], low: number, high: number): Feed {
  return { shape, data: Float32Array.from(random.uniform(low, high, shape).toTypedArray() as Float32Array) };
}

/** Token ids in [1, vocab) as float32, as bkt feeds them. */
export function tokenFeed(shape: readonly number[], vocab: number): Feed {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = 1 + ((i * 7919 + 13) % (vocab - 1));
  return { shape, data };
}
