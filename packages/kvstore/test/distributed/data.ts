// The data of the dist_sync tests: each rank's pushes come from @bkt/ndarray's generator seeded with
// its rank and step, so a test recomputes every rank's pushes in one process.
import { type Context, cpu, fromTypedArray, type NDArray, random, seed } from '@bkt/ndarray';

export const SHAPE = [4, 5];
export const N = 20;

function uniform(seedValue: number, n: number): number[] {
  seed(seedValue);
  const a = random.uniform(-1, 1, [n]);
  const xs = Array.from(a.toArray());
  a.dispose();
  return xs;
}

/** What rank r pushes from device d at step s: N float32 values in [-1, 1). */
export const gradient = (rank: number, step: number, device: number): number[] =>
  uniform(1000 * rank + 10 * step + device + 1, N);

/** The second key of the fused push of rank r: 300 values. */
export const longGradient = (rank: number): number[] => uniform(rank + 77, 300);

/** A float32 array of `shape` on `ctx` (the workers cannot use store-helpers: it imports vitest). */
export function f32(xs: ArrayLike<number>, shape: readonly number[], ctx: Context = cpu(0)): NDArray {
  return fromTypedArray(Float32Array.from(xs), shape, { ctx });
}
