// MXNet's AttrScope: attributes (ctx_group, lr_mult, __custom__ ...) attached to every symbol
// created inside the scope. Nested scopes merge, the inner value winning.

import { ValueError } from '@bkt/ndarray/core';

export class AttrScope {
  readonly attrs: Readonly<Record<string, string>>;

  constructor(attrs: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(attrs)) {
      if (typeof v !== 'string') throw new ValueError(`AttrScope: attribute '${k}' must be a string`);
    }
    this.attrs = { ...attrs };
  }

  /** The scope's attributes updated with `attr` (MXNet's AttrScope.get). */
  get(attr?: Record<string, string>): Record<string, string> {
    return { ...this.attrs, ...(attr ?? {}) };
  }

  static get current(): AttrScope {
    return stack[stack.length - 1] ?? root;
  }
}

const root = new AttrScope();
const stack: AttrScope[] = [];

/** Runs `fn` with `attrs` added to the current scope's attributes. Synchronous code only. */
export function withAttrScope<T>(attrs: Record<string, string>, fn: () => T): T {
  stack.push(new AttrScope(AttrScope.current.get(attrs)));
  try {
    return fn();
  } finally {
    stack.pop();
  }
}
