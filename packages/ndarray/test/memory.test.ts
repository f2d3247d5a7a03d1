import { describe, expect, it } from 'vitest';

import { array, memoryStats, ones, zeros } from '../src/index.js';

describe('native memory accounting', () => {
  it('creating and disposing 100k arrays leaves the counters where they started', () => {
    const before = memoryStats();
    for (let i = 0; i < 100_000; i++) {
      const a = zeros([i % 7, 3]);
      const v = a.reshape([-1]);
      a.dispose();
      v.dispose();
    }
    const after = memoryStats();
    expect(after.liveHandles).toBe(before.liveHandles);
    expect(after.liveStorages).toBe(before.liveStorages);
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.totalAllocations - before.totalAllocations).toBe(100_000);
    // each iteration made an array and a view of it
    expect(after.totalHandles - before.totalHandles).toBe(200_000);
  });

  it('counts the bytes of live arrays and shares storage between views', () => {
    const before = memoryStats();
    const a = ones([10, 10], { dtype: 'float64' });
    const view = a.slice(2, 4);
    const mid = memoryStats();
    expect(mid.liveBytes - before.liveBytes).toBe(800);
    expect(mid.liveStorages - before.liveStorages).toBe(1);
    expect(mid.liveHandles - before.liveHandles).toBe(2);
    a.dispose();
    expect(memoryStats().liveBytes - before.liveBytes).toBe(800);
    view.dispose();
    expect(memoryStats().liveBytes).toBe(before.liveBytes);
  });

  it('arrays that are never disposed are released after garbage collection', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'tests run with --expose-gc').toBeTypeOf('function');
    const before = memoryStats();
    (() => {
      for (let i = 0; i < 1000; i++) zeros([16]);
    })();
    expect(memoryStats().liveHandles - before.liveHandles).toBe(1000);
    for (let i = 0; i < 50 && memoryStats().liveHandles > before.liveHandles; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(memoryStats().liveHandles).toBe(before.liveHandles);
    expect(memoryStats().liveBytes).toBe(before.liveBytes);
  });

  it('dispose is idempotent', () => {
    const before = memoryStats();
    const a = array([1, 2]);
    a.dispose();
    a.dispose();
    expect(memoryStats().liveHandles).toBe(before.liveHandles);
  });
});
