// The operator registry: name (or alias) -> OpDef.

import { ValueError } from '@bkt/ndarray/core';
import type { AnyOpDef } from './op-def.js';

const byName = new Map<string, AnyOpDef>();

/** Registers an operator under its name and aliases. Registering a different def twice is an error. */
export function registerOp(def: AnyOpDef): void {
  for (const n of [def.name, ...(def.aliases ?? [])]) {
    const prev = byName.get(n);
    if (prev && prev !== def) throw new ValueError(`registerOp: '${n}' is already registered (as ${prev.name})`);
    byName.set(n, def);
  }
}

/** The operator registered as `name` (canonical name or alias), or undefined. */
export function findOp(name: string): AnyOpDef | undefined {
  return byName.get(name);
}

/** The operator registered as `name`; ValueError when there is none. */
export function getOp(name: string): AnyOpDef {
  const def = byName.get(name);
  if (!def) throw new ValueError(`unknown operator '${name}'`);
  return def;
}

/** Canonical names of all registered operators (hidden backward ops included unless asked), sorted. */
export function listOps(opts: { hidden?: boolean } = {}): string[] {
  const hidden = opts.hidden ?? true;
  const names = new Set<string>();
  for (const def of byName.values()) if (hidden || !def.backward) names.add(def.name);
  return [...names].sort();
}
