// A small matcher of expression trees over a bkt graph, for recognising the step of an unrolled
// RNN cell. A pattern names an op (with the output index and a check of its parameters) and the
// patterns of its inputs, or captures whatever entry stands there; a capture seen twice must be
// the same entry both times.

import type { NodeEntry } from '@bkt/symbol';

export type Pattern =
  | { op: string; inputs: readonly Pattern[]; out?: number; node?: string; check?: (params: Record<string, unknown>) => boolean }
  | { capture: string };

export type Captures = Map<string, NodeEntry>;

const same = (a: NodeEntry, b: NodeEntry): boolean => a.node === b.node && a.index === b.index;

/** Matches `p` at `e`, adding to `caps`; false (caps then partial) when it does not match. */
export function match(e: NodeEntry, p: Pattern, caps: Captures): boolean {
  if ('capture' in p) {
    const known = caps.get(p.capture);
    if (known) return same(known, e);
    caps.set(p.capture, e);
    return true;
  }
  const n = e.node;
  if (!n.op || n.op.name !== p.op || e.index !== (p.out ?? 0) || n.inputs.length !== p.inputs.length) return false;
  if (p.check && !p.check(n.params())) return false;
  if (p.node) {
    const whole = { node: n, index: 0, version: 0 };
    const known = caps.get(p.node);
    if (known && known.node !== n) return false;
    caps.set(p.node, whole);
  }
  return p.inputs.every((q, i) => match(n.inputs[i]!, q, caps));
}

export const cap = (name: string): Pattern => ({ capture: name });
export const op = (
  name: string,
  inputs: readonly Pattern[],
  extra: { out?: number; node?: string; check?: (params: Record<string, unknown>) => boolean } = {},
): Pattern => ({ op: name, inputs, ...extra });
