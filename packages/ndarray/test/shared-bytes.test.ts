// sharedBytes: another addon's window on an array's own memory (no copy), alive as long as it is reachable.
import { describe, expect, it } from 'vitest';

import { array, memoryStats, StateError, zeros } from '../src/index.js';
import { sharedBytes } from '../src/internal.js';

describe('sharedBytes', () => {
  it('reads and writes the array itself, through any number of windows', () => {
    const a = array([1, 2, 3]);
    const first = new Float32Array(sharedBytes(a));
    const second = new Float32Array(sharedBytes(a));
    first[0] = 7;
    expect(second[0]).toBe(7);
    expect(a.toArray()).toEqual([7, 2, 3]);
    a.dispose();
  });

  it('covers exactly a view: a slice is its own rows, a zero-size array is empty', () => {
    const a = array([1, 2, 3, 4]);
    const rows = a.slice(1, 3);
    expect(Array.from(new Float32Array(sharedBytes(rows)))).toEqual([2, 3]);
    expect(sharedBytes(zeros([0])).byteLength).toBe(0);
    rows.dispose();
    a.dispose();
  });

  it('keeps the memory alive after the array is disposed', () => {
    const a = array([5, 6], { dtype: 'float64' });
    const bytes = sharedBytes(a);
    const live = memoryStats().liveStorages;
    a.dispose();
    expect(memoryStats().liveStorages).toBe(live);
    expect(Array.from(new Float64Array(bytes))).toEqual([5, 6]);
  });

  it('a disposed array is a StateError', () => {
    const a = array([1]);
    a.dispose();
    expect(() => sharedBytes(a)).toThrow(StateError);
  });
});
