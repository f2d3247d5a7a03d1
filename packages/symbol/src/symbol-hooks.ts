// Symbol's methods that other modules implement: creating operator nodes (creator.ts), the
// gradient (autodiff.ts) and JSON (json.ts). Those modules import Symbol, so symbol.ts cannot import
// them; each installs its part here when it loads (index.ts loads them all), as tfjs-core's ops
// reach their kernels through its kernel registry.

import { StateError } from '@bkt/ndarray/core';
import type { GradientOptions } from './autodiff.js';
import type { AnyOpDef } from './op-def.js';
import type { Symbol } from './symbol.js';

export interface SymbolHooks {
  createSymbol(op: AnyOpDef, funcName: string, args: Record<string, unknown>): Symbol;
  gradient(heads: Symbol, wrt: readonly string[], opts: GradientOptions): Symbol;
  toJSON(sym: Symbol): string;
  fromJSON(text: string): Symbol;
  save(sym: Symbol, path: string): void;
  load(path: string): Symbol;
}

const installed: Partial<SymbolHooks> = {};

/** @internal Called by creator.ts, autodiff.ts and json.ts when they load. */
export function installSymbolHooks(hooks: Partial<SymbolHooks>): void {
  Object.assign(installed, hooks);
}

/** The installed implementation of `name`; StateError when the module providing it is not loaded. */
export function symbolHook<K extends keyof SymbolHooks>(name: K): SymbolHooks[K] {
  const hook = installed[name];
  if (hook === undefined) throw new StateError(`Symbol: '${name}' is not loaded (import from '@bkt/symbol')`);
  return hook as SymbolHooks[K];
}
