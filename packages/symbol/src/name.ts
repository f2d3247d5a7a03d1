// MXNet's NameManager and Prefix: automatic names for operators created without one. A manager
// counts per hint (`fullyconnected0`, `fullyconnected1`, ...); entering a new manager starts
// fresh counters, and a Prefix prepends its prefix to every name, given or generated.

export class NameManager {
  private readonly counter = new Map<string, number>();

  /** `name` if given, else `<hint><n>` with a per-hint counter. */
  get(name: string | undefined, hint: string): string {
    if (name) return name;
    const n = this.counter.get(hint) ?? 0;
    this.counter.set(hint, n + 1);
    return `${hint}${n}`;
  }

  /** The manager in effect (a process-wide default outside any scope). */
  static get current(): NameManager {
    return stack[stack.length - 1] ?? root;
  }
}

export class Prefix extends NameManager {
  constructor(readonly prefix: string) {
    super();
  }

  override get(name: string | undefined, hint: string): string {
    return this.prefix + super.get(name, hint);
  }
}

const root = new NameManager();
const stack: NameManager[] = [];

/** Runs `fn` with `manager` in effect (MXNet's `with NameManager():`). Synchronous code only. */
export function withNameManager<T>(manager: NameManager, fn: () => T): T {
  stack.push(manager);
  try {
    return fn();
  } finally {
    stack.pop();
  }
}

/** Runs `fn` under a fresh `Prefix(prefix)` (MXNet's `with mx.name.Prefix(prefix):`). */
export function withPrefix<T>(prefix: string, fn: () => T): T {
  return withNameManager(new Prefix(prefix), fn);
}
