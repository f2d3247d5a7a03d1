// mx.sym.Variable: a named graph input. Options become hidden attributes, spelled as MXNet's
// Python front end spells them (`__shape__` "(2, 3)", `__dtype__` "0", `__lr_mult__` "0.5").

import { checkDType, DTYPE_CODES, setOwn, ValueError, type DType } from '@bkt/ndarray/core';
import { AttrScope } from './attr-scope.js';
import { entry, Node } from './graph.js';
import { hiddenSetAttrKey } from './hidden-keys.js';
import { pyNumber, pyTuple } from './pyrepr.js';
import { Symbol } from './symbol.js';

/** MXNet's storage type ids (`__storage_type__`). */
export const STORAGE_TYPE_IDS = { default: 0, row_sparse: 1, csr: 2 } as const;

export interface VariableOptions {
  /** Shape; 0 marks an unknown dimension (e.g. the batch axis of an RNN begin state). */
  shape?: readonly number[];
  dtype?: DType;
  lrMult?: number;
  wdMult?: number;
  /** An initializer: its JSON description, or an object with `dumps()` (MXNet's Initializer). */
  init?: string | { dumps(): string };
  stype?: keyof typeof STORAGE_TYPE_IDS;
  /** Further attributes; `ctx_group`, `lr_mult` ... are stored as `__ctx_group__` ... */
  attr?: Record<string, string>;
}

export function Variable(name: string, opts: VariableOptions = {}): Symbol {
  if (typeof name !== 'string') throw new ValueError('Variable: name must be a string');
  const attrs: Record<string, string> = AttrScope.current.get(opts.attr);
  if (opts.shape !== undefined) {
    if (!opts.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ValueError(`Variable '${name}': invalid shape ${JSON.stringify(opts.shape)}`);
    }
    attrs.__shape__ = pyTuple(opts.shape);
  }
  if (opts.lrMult !== undefined) attrs.__lr_mult__ = pyNumber(opts.lrMult);
  if (opts.wdMult !== undefined) attrs.__wd_mult__ = pyNumber(opts.wdMult);
  if (opts.dtype !== undefined) attrs.__dtype__ = String(DTYPE_CODES[checkDType(opts.dtype, `Variable '${name}'`)]);
  if (opts.init !== undefined) attrs.__init__ = typeof opts.init === 'string' ? opts.init : opts.init.dumps();
  if (opts.stype !== undefined) {
    const id = STORAGE_TYPE_IDS[opts.stype];
    if (id === undefined) throw new ValueError(`Variable '${name}': unknown storage type '${opts.stype}'`);
    attrs.__storage_type__ = String(id);
  }
  const dict: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v !== 'string') throw new ValueError(`Variable '${name}': attribute '${k}' must be a string`);
    setOwn(dict, hiddenSetAttrKey(k, v), v);
  }
  return new Symbol([entry(Node.variable(name, dict))]);
}
