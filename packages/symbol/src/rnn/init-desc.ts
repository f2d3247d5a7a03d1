// MXNet's Initializer.dumps(): the `__init__` attribute text of a variable, `["<name>", {kwargs}]`
// as Python's json.dumps writes it, so that MXNet's initializers read bkt's checkpoints.

/** `kwargs` values are JSON texts (`1.0`, `null`, `"lstm"`), in Python's keyword order. */
export function initDesc(name: string, kwargs: readonly (readonly [string, string])[]): string {
  const body = kwargs.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ');
  return `[${JSON.stringify(name)}, {${body}}]`;
}
