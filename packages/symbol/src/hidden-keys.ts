// MXNet's "hidden keys": attributes that belong to the graph machinery rather than to an operator
// (device group, learning-rate and weight-decay multipliers, mirroring). The C API stores them as
// `__key__`; these helpers apply its spelling rules in one place.

import { ValueError } from '@bkt/ndarray/core';

export const HIDDEN_KEYS = ['ctx_group', 'lr_mult', 'wd_mult', 'force_mirroring', 'mirror_stage'] as const;

function deprecated(key: string, hidden: string, value: string): ValueError {
  const input = key.slice(0, key.length - hidden.length - 1);
  return new ValueError(
    `setting variable attributes with '${key}' is no longer supported: ` +
      `create the input as Variable('${input}', { ${hidden}: ${value} }) and pass it as ${input}`,
  );
}

/**
 * Key conversion for attributes passed to an operator creator (MXSymbolCreateAtomicSymbol): a key
 * starting with a hidden key becomes `__key__`; `<input>_<hidden key>` is rejected.
 */
export function hiddenOpKey(key: string, value: string): string {
  for (const k of HIDDEN_KEYS) {
    const pos = key.lastIndexOf(k);
    if (pos === 0) return `__${key}__`;
    if (pos > 0 && pos === key.length - k.length) throw deprecated(key, k, value);
  }
  return key;
}

/** Key conversion for `setAttr` (MXSymbolSetAttr): exactly a hidden key becomes `__key__`. */
export function hiddenSetAttrKey(key: string, value: string): string {
  for (const k of HIDDEN_KEYS) {
    const pos = key.lastIndexOf(k);
    if (pos === 0 && key.length === k.length) return `__${key}__`;
    if (pos > 0 && pos === key.length - k.length) throw deprecated(key, k, value);
  }
  return key;
}

/** For `__lr_mult__`-style keys of a hidden key, the plain spelling (`lr_mult`); else undefined. */
export function unhiddenKey(key: string): string | undefined {
  for (const k of HIDDEN_KEYS) if (key === `__${k}__`) return k;
  return undefined;
}

export function isHiddenName(key: string): boolean {
  return (HIDDEN_KEYS as readonly string[]).includes(key);
}
