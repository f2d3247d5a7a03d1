// The parameters that Modules bound against one another share (BucketingModule's buckets, MXNet's
// sharedModule): one store that each of them holds. The executor groups registered here share the
// first group's device arrays (parameters and gradients) for every name they have in common; the
// CPU dicts hold every name any of them has, including names only some buckets use (MXNet #11384).
// A module bound with a sharedModule takes that module's store, so everything it shares is here.

import type { Initializer } from '../initializers/initializer.js';
import type { ParamDict } from './base-module.js';
import type { DataParallelExecutorGroup } from './executor-group.js';

export class ParamStore {
  /** CPU copies of the parameters (null until the first module binds, or a checkpoint is preloaded). */
  argParams: ParamDict | null = null;
  auxParams: ParamDict | null = null;
  /** Optimizer index of every parameter name: the first module's in order, then the names later modules add. */
  readonly paramIndex = new Map<string, number>();
  /** What initParams initialized with, for the parameters a later module introduces. */
  initializer: Initializer | null = null;
  /** Set by update and by setParams on the devices: the devices hold newer values than the CPU dicts. */
  dirty = false;
  /** Set by preload: the CPU dicts hold a checkpoint's values that the next bind puts on the devices. */
  preloaded = false;
  /** The bound executor groups, in the order they were bound. */
  readonly #groups = new Set<DataParallelExecutorGroup>();

  /** The names of `paramNames` in optimizer-index order, after any already indexed. */
  index(paramNames: readonly string[]): void {
    for (const n of paramNames) if (!this.paramIndex.has(n)) this.paramIndex.set(n, this.paramIndex.size);
  }

  /** Parameters for modules not bound yet (a loaded checkpoint); binding puts them on the devices. */
  preload(argParams: ParamDict, auxParams: ParamDict): void {
    this.argParams = argParams;
    this.auxParams = auxParams;
    this.preloaded = true;
  }

  register(group: DataParallelExecutorGroup): void {
    this.#groups.add(group);
  }

  /** Forgets a group being disposed, first copying its parameters off the devices when they changed. */
  unregister(group: DataParallelExecutorGroup): void {
    if (this.dirty && this.argParams !== null) group.getParams(this.argParams, this.auxParams!);
    this.#groups.delete(group);
  }

  /** Whether some bound group holds `name` on its devices (there, its newest value). */
  onDevice(name: string): boolean {
    for (const g of this.#groups) if (g.paramNames.includes(name) || g.auxNames.includes(name)) return true;
    return false;
  }

  /** Copies the CPU parameters to every bound group (each takes the names it has). */
  push(): void {
    for (const g of this.#groups) g.setParams(this.argParams!, this.auxParams!, true);
  }

  /**
   * Copies the parameters from the devices into the CPU dicts when they changed. Shared names are
   * the same arrays in every group, so a group is read only for names no group read so far has.
   */
  sync(): void {
    if (!this.dirty) return;
    const covered = new Set<string>();
    for (const g of this.#groups) {
      const names = [...g.paramNames, ...g.auxNames];
      if (names.every((n) => covered.has(n))) continue;
      g.getParams(this.argParams!, this.auxParams!);
      for (const n of names) covered.add(n);
    }
    this.dirty = false;
  }
}
