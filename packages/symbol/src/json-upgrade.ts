// Upgraders for symbol JSON written by older MXNet versions (legacy_json_util.cc). Each runs when
// the file's mxnet_version is older than the upgrader's; versions are major*10000+minor*100+patch.

import { ValueError } from '@bkt/ndarray/core';
import { dfsPostOrder, entry, Node, type NodeEntry } from './graph.js';
import { HIDDEN_KEYS } from './hidden-keys.js';

/** The MXNet version this package writes (1.9.1). */
export const MXNET_VERSION = 10901;
/** The version assumed for files without one (0.8.0). */
export const LEGACY_VERSION = 800;

/**
 * Before 1.x: hidden keys were plain attributes. `lr_mult` on a node becomes `__lr_mult__`; an op
 * attribute `<input>_<hidden key>` (e.g. `weight_lr_mult` on fc1) moves onto that input, when the
 * input is a variable, as `__lr_mult__`. Anything else is left as it was.
 */
export function fixHiddenKeys(heads: readonly NodeEntry[]): void {
  dfsPostOrder(heads, (n) => {
    const taken: [string, string][] = [];
    for (const [k, v] of Object.entries(n.attrs)) {
      const matches = HIDDEN_KEYS.some((h) => {
        const pos = k.lastIndexOf(h);
        return pos === 0 || (pos > 0 && pos === k.length - h.length);
      });
      if (matches) {
        taken.push([k, v]);
        n.deleteAttr(k);
      }
    }
    for (const [k, v] of taken) {
      let placed = false;
      for (const h of HIDDEN_KEYS) {
        const pos = k.lastIndexOf(h);
        if (pos === 0 && k.length === h.length) {
          n.setAttr(`__${h}__`, v);
          placed = true;
          break;
        }
        if (pos > 1 && pos === k.length - h.length) {
          if (n.isVariable) break;
          const names = inputNamesOf(n);
          const idx = names.indexOf(k.slice(0, pos - 1));
          const target = idx >= 0 ? n.inputs[idx]?.node : undefined;
          if (target?.isVariable) {
            target.setAttr(`__${h}__`, v);
            placed = true;
          }
          break;
        }
      }
      if (!placed) n.setAttr(k, v);
    }
  });
}

// Input names of an op node whose dict may still hold keys the schema rejects (legacy files).
function inputNamesOf(n: Node): string[] {
  try {
    return n.inputNames();
  } catch (e) {
    if (e instanceof ValueError) return [];
    throw e;
  }
}

/** Before 0.9.0 auxiliary states were not stored: add them as variables `<node>_<name>`. */
export function addMissingInputs(heads: readonly NodeEntry[]): void {
  dfsPostOrder(heads, (n) => {
    if (n.isVariable) return;
    const names = n.inputNames();
    for (let i = n.inputs.length; i < names.length; i++) {
      const name = n.name.length === 0 ? names[i]! : `${n.name}_${names[i]}`;
      n.inputs.push(entry(Node.variable(name, n.attrs as Record<string, string>)));
    }
  });
}

/** Before 0.9.4: let each op annotate its variable inputs (initializers of auxiliary states). */
export function setInputVarAttrs(heads: readonly NodeEntry[]): void {
  dfsPostOrder(heads, (n) => {
    const hook = n.op?.setInputVarAttrOnCompose;
    if (!hook) return;
    const params = n.params();
    n.inputs.forEach((e, i) => {
      if (e.node.isVariable) hook(params, e.node, i);
    });
  });
}

/** Before 0.9.5: argmax/argmin wrote axis -1 for "no axis". */
export function dropArgmaxAxis(heads: readonly NodeEntry[]): void {
  dfsPostOrder(heads, (n) => {
    const op = n.op?.name;
    if ((op === 'argmax' || op === 'argmin') && n.attrs.axis === '-1') n.deleteAttr('axis');
  });
}
