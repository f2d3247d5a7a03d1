// Splitting a data set between the workers of a distributed job (MXNet's num_parts / part_index of
// its C++ iterators): worker `partIndex` of `numParts` reads only its own part.
import { ValueError } from '@bkt/ndarray';

/** Checks numParts (an integer >= 1) and partIndex (an integer in [0, numParts)). */
export function checkPartition(op: string, numParts: unknown, partIndex: unknown): { numParts: number; partIndex: number } {
  if (!Number.isInteger(numParts) || (numParts as number) < 1)
    throw new ValueError(`${op}: numParts must be an integer >= 1, got ${String(numParts)}`);
  if (!Number.isInteger(partIndex) || (partIndex as number) < 0 || (partIndex as number) >= (numParts as number)) {
    throw new ValueError(`${op}: partIndex must be an integer in [0, ${String(numParts)}), got ${String(partIndex)}`);
  }
  return { numParts: numParts as number, partIndex: partIndex as number };
}

/** The contiguous range [begin, end) of n items that part partIndex of numParts holds (sizes differ by at most 1). */
export function partRange(op: string, n: number, numParts: number, partIndex: number): [number, number] {
  const begin = Math.floor((n * partIndex) / numParts);
  const end = Math.floor((n * (partIndex + 1)) / numParts);
  if (end === begin) throw new ValueError(`${op}: part ${partIndex} of ${numParts} of ${n} examples is empty`);
  return [begin, end];
}
