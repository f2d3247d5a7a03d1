// MXNet's Mixed: the first initializer whose pattern matches the start of the array's name (Python's
// re.match) does the whole job; no match is a ValueError (end with '.*' for a default).

import { type NDArray, ValueError } from '@bkt/ndarray';
import { InitDesc } from './init-desc.js';
import { Initializer } from './initializer.js';

export class Mixed extends Initializer {
  readonly patterns: readonly string[];
  readonly initializers: readonly Initializer[];
  private readonly regexes: RegExp[];

  constructor(patterns: readonly string[], initializers: readonly Initializer[]) {
    if (patterns.length !== initializers.length) {
      throw new ValueError(`Mixed: ${patterns.length} patterns but ${initializers.length} initializers`);
    }
    super('mixed');
    this.patterns = patterns;
    this.initializers = initializers;
    this.regexes = patterns.map((p) => new RegExp(`^(?:${p})`));
  }

  override init(desc: InitDesc | string, arr: NDArray): void {
    const d = typeof desc === 'string' ? new InitDesc(desc) : desc;
    for (let i = 0; i < this.regexes.length; i++) {
      if (this.regexes[i]!.test(d.name)) {
        this.initializers[i]!.init(d, arr);
        return;
      }
    }
    throw new ValueError(
      `Mixed: parameter name '${d.name}' did not match any pattern; add a '.*' pattern at the end with a default initializer`,
    );
  }

  initWeight(desc: InitDesc, arr: NDArray): void {
    this.init(desc, arr);
  }
}
