import { ContextError } from './errors.js';

/**
 * A device. On this CPU-only build every context is `cpu(i)`: arrays on different `cpu(i)` are
 * separate devices (combining them is a ContextError, `copyTo` moves data), which is what
 * data-parallel training over several CPU contexts needs.
 */
export class Context {
  readonly deviceType = 'cpu' as const;
  /** MXNet's device-type code: 1 is cpu. */
  readonly deviceTypeCode = 1 as const;

  constructor(readonly deviceId: number) {
    if (!Number.isInteger(deviceId) || deviceId < 0) {
      throw new ContextError(`cpu(${deviceId}): the device id must be a non-negative integer`);
    }
  }

  equals(other: Context): boolean {
    return other.deviceId === this.deviceId;
  }

  toString(): string {
    return `cpu(${this.deviceId})`;
  }
}

const cache: Context[] = [];

export function cpu(deviceId = 0): Context {
  return (cache[deviceId] ??= new Context(deviceId));
}

let current = cpu(0);

/** The context used when an array is created without one (MXNet's `current_context()`). */
export function currentContext(): Context {
  return current;
}

export function setCurrentContext(ctx: Context): void {
  // A look-alike object would silently become every later array's context.
  if (!(ctx instanceof Context)) throw new ContextError('setCurrentContext: ctx must be a Context made by cpu(i)');
  current = ctx;
}
