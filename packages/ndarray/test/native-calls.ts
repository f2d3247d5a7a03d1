// Counts the addon's optimizer-update calls made while fn runs (the single updates `sgdUpdate` ...,
// and `multiUpdate`), by name: the ops look the entry points up on the addon object per call, so
// wrapping them there sees every call.
import { native } from '../src/native.js';

const addon = native as unknown as Record<string, (...args: unknown[]) => unknown>;
const UPDATE_FNS = Object.keys(addon).filter((k) => k.endsWith('Update') || k === 'multiUpdate');

export function countUpdateCalls(fn: () => void): Record<string, number> {
  const counts: Record<string, number> = {};
  const originals = UPDATE_FNS.map((k) => [k, addon[k]!] as const);
  for (const [k, f] of originals) {
    addon[k] = (...args: unknown[]) => {
      counts[k] = (counts[k] ?? 0) + 1;
      return f(...args);
    };
  }
  try {
    fn();
  } finally {
    for (const [k, f] of originals) addon[k] = f;
  }
  return counts;
}
