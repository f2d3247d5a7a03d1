import type { OptimizerOptions } from '../optimizer.js';
import { SGD } from './sgd.js';
import { finite, type OptionSpec } from '../option-spec.js';

export interface NAGOptions extends OptimizerOptions {
  /** 0 by default (then it is plain SGD). */
  momentum?: number;
}

/** MXNet NAG (Nesterov): t = clip(rescale·g) + wd·w; mom = momentum·mom - lr·t; w += momentum·mom - lr·t. */
export class NAG extends SGD {
  static override readonly optionSpec: OptionSpec = { momentum: finite({ min: 0 }) };

  // Narrows the options to NAG's own: lazyUpdate is an SGD-only compatibility flag.
  constructor(opts: NAGOptions = {}) {
    super(opts);
  }

  protected override get momentumOp(): 'nagMomUpdate' {
    return 'nagMomUpdate';
  }
}
