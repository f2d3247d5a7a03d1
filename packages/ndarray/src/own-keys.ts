// Records keyed by names users choose (parameters, arrays in a file): a name such as `toString` or
// `__proto__` must behave as any other key, neither read from Object.prototype nor, assigned, replace
// the record's prototype.

/** The record's own value under `key`; undefined when it has none, whatever the prototype holds. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets `record[key]` as an own property, also for `__proto__`, whose plain assignment sets the prototype. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
