import { isKernelName, Plan } from '@bkt/ndarray/internal';
import { getOp, listOps } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

describe('kernel coverage', () => {
  const kernels = [...new Set(listOps({ hidden: true }).map((name) => getOp(name).kernels.forward))].sort();

  it('gives every operator of @bkt/symbol a kernel id and a native implementation', () => {
    const missing = kernels.filter((k) => {
      if (!isKernelName(k)) return true;
      try {
        // The Plan constructor rejects a kernel id that no native file registered.
        new Plan([{ kernel: k, inputs: [], outputs: [], attrs: [], node: 0 }], ['probe'], 0).dispose();
        return false;
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
    expect(kernels.length).toBeGreaterThan(100);
  });
});
