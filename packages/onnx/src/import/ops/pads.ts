// ONNX pads (all begins, then all ends) as MXNet's one pad per axis; explicit padding only.

import type { ImportContext } from '../context.js';

export function symmetricPads(ctx: ImportContext, n: number): number[] {
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') ctx.fail(`auto_pad ${autoPad} is not read (explicit pads are)`);
  const pads = ctx.ints('pads', new Array<number>(2 * n).fill(0));
  const begin = pads.slice(0, n);
  if (pads.length !== 2 * n || begin.some((p, k) => p !== pads[n + k]))
    ctx.fail(`pads [${pads}] are not the same at both ends of each axis`);
  return begin;
}
