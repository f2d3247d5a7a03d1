// The error classes of every bkt package. Native code throws these same classes (the addon receives
// them at load time), so `instanceof ShapeError` works whichever side detected the problem.

export class BktError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A shape does not fit the operation: wrong rank, mismatched dims, bad axis. */
export class ShapeError extends BktError {}
/** An element type the operation does not accept. */
export class DTypeError extends BktError {}
/** Binding an executor failed: a missing or ill-shaped argument. */
export class BindError extends BktError {}
/** A file is truncated, corrupt or not in the expected format. */
export class FormatError extends BktError {}
/** A call out of order: a disposed array, `forward` before `bind`, `backward` before `forward`. */
export class StateError extends BktError {}
/** An index out of range: a slice bound, a take index in raise mode. */
export class IndexError extends BktError {}
/** Arrays that live on different contexts were combined. */
export class ContextError extends BktError {}
/** An argument with an invalid value: a non-integer count, a negative scale. */
export class ValueError extends BktError {}
/** A failure inside native code that is none of the above (out of memory, I/O). */
export class NativeError extends BktError {}

export const errorClasses = {
  ShapeError,
  DTypeError,
  BindError,
  FormatError,
  StateError,
  IndexError,
  ContextError,
  ValueError,
  NativeError,
} as const;
