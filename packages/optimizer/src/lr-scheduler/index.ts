// The schedulers by name, so configuration files can pick one: createLRScheduler('cosine', {...}).
import { ValueError } from '@bkt/ndarray';

import { CosineScheduler, type CosineSchedulerOptions } from './cosine.js';
import { FactorScheduler, type FactorSchedulerOptions } from './factor.js';
import { MultiFactorScheduler, type MultiFactorSchedulerOptions } from './multi-factor.js';
import { PolyScheduler, type PolySchedulerOptions } from './poly.js';
import type { LRScheduler } from './scheduler.js';

export { LRScheduler, type LRSchedulerOptions, type WarmupMode } from './scheduler.js';
export { FactorScheduler, type FactorSchedulerOptions } from './factor.js';
export { MultiFactorScheduler, type MultiFactorSchedulerOptions } from './multi-factor.js';
export { PolyScheduler, type PolySchedulerOptions } from './poly.js';
export { CosineScheduler, type CosineSchedulerOptions } from './cosine.js';

export interface LRSchedulerOptionsByName {
  factor: FactorSchedulerOptions;
  multifactor: MultiFactorSchedulerOptions;
  poly: PolySchedulerOptions;
  cosine: CosineSchedulerOptions;
}

const SCHEDULERS: { [K in keyof LRSchedulerOptionsByName]: (o: LRSchedulerOptionsByName[K]) => LRScheduler } = {
  factor: (o) => new FactorScheduler(o),
  multifactor: (o) => new MultiFactorScheduler(o),
  poly: (o) => new PolyScheduler(o),
  cosine: (o) => new CosineScheduler(o),
};

/** The scheduler names createLRScheduler accepts. */
export const knownLRSchedulers = (): string[] => Object.keys(SCHEDULERS);

/**
 * A scheduler by name, case-insensitive, with or without the 'Scheduler' suffix ('factor',
 * 'MultiFactorScheduler' ...). An unknown name is a ValueError listing the known ones.
 */
export function createLRScheduler<K extends keyof LRSchedulerOptionsByName>(
  name: K,
  options: LRSchedulerOptionsByName[K],
): LRScheduler;
export function createLRScheduler(name: string, options: object): LRScheduler;
export function createLRScheduler(name: string, options: object): LRScheduler {
  const key = String(name)
    .toLowerCase()
    .replace(/scheduler$/, '') as keyof LRSchedulerOptionsByName;
  if (!Object.hasOwn(SCHEDULERS, key)) {
    throw new ValueError(`createLRScheduler: unknown scheduler '${name}'; known schedulers: ${knownLRSchedulers().join(', ')}`);
  }
  return (SCHEDULERS[key] as (o: object) => LRScheduler)(options);
}
