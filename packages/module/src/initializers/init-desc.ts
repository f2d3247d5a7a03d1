// MXNet's InitDesc: the name of the array to initialize, the attributes of its variable (where an
// `__init__` entry names a specific initializer), and the initializer the call started from
// (`globalInit`, which composite initializers such as FusedRNN fall back to).

import type { Initializer } from './initializer.js';

export class InitDesc {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly globalInit: Initializer | undefined;

  constructor(name: string, attrs: Readonly<Record<string, string>> = {}, globalInit?: Initializer) {
    this.name = name;
    this.attrs = attrs;
    this.globalInit = globalInit;
  }

  /** The same desc with `globalInit` set. */
  withGlobalInit(init: Initializer): InitDesc {
    return new InitDesc(this.name, this.attrs, init);
  }

  toString(): string {
    return this.name;
  }
}
