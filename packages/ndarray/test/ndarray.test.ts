import { describe, expect, it } from 'vitest';

import { array, cpu, memoryStats, NDArray, ShapeError, StateError, zeros } from '../src/index.js';

describe('NDArray basics', () => {
  it('round-trips data and metadata', () => {
    const a = array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float32');
    expect(a.context.equals(cpu(0))).toBe(true);
    expect(Array.from(a.toTypedArray() as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    a.dispose();
  });

  it('raises StateError on a disposed array and ShapeError on a bad reshape', () => {
    const a = zeros([2, 2]);
    expect(() => a.reshape([3, 1])).toThrow(ShapeError);
    a.dispose();
    expect(() => a.toTypedArray()).toThrow(StateError);
    expect(a).toBeInstanceOf(NDArray);
  });

  it('leaves the counters where they started', () => {
    const before = memoryStats();
    for (let i = 0; i < 1000; i++) zeros([3]).dispose();
    const after = memoryStats();
    expect(after.liveHandles).toBe(before.liveHandles);
    expect(after.liveBytes).toBe(before.liveBytes);
  });
});
