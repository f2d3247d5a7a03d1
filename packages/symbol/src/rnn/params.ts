// MXNet's RNNParams: a cell's variables by name. Cells given the same container share weights,
// and a cell object reused across sym_gen calls (bucketing) reuses its variables.

import { Variable, type VariableOptions } from '../variable.js';
import type { Symbol } from '../symbol.js';

export class RNNParams {
  private readonly vars = new Map<string, Symbol>();

  /** Every variable this container creates is named `<prefix><name>`. */
  constructor(readonly prefix = '') {}

  /** The variable `<prefix><name>`, created with `opts` on first use. */
  get(name: string, opts: VariableOptions = {}): Symbol {
    const full = this.prefix + name;
    let v = this.vars.get(full);
    if (!v) {
      v = Variable(full, opts);
      this.vars.set(full, v);
    }
    return v;
  }

  /** Names of the variables held, in creation order. */
  keys(): string[] {
    return [...this.vars.keys()];
  }

  /** Takes in the other container's variables (MXNet's `_params.update`), so both lists agree. */
  update(other: RNNParams): void {
    for (const [k, v] of other.vars) this.vars.set(k, v);
  }
}
