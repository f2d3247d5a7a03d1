// Helpers for the part-2B operator tests.
import { ShapeError } from '@bkt/ndarray';
import { expect } from 'vitest';
import { Group, MakeLoss, Symbol, Variable, elemwise_add, topoOrder } from '../src/index.js';

/** `s + y`: gives the output of `s` a known shape through the variable `y`. */
export const withOut = (s: Symbol, name = 'y'): Symbol => elemwise_add({ lhs: s, rhs: Variable(name), name: 'plus' });

/** toJSON → fromJSON → toJSON is identical; returns the JSON attrs of node `name`. */
export function roundTrip(s: Symbol, name: string): Record<string, string> {
  const text = s.toJSON();
  expect(Symbol.fromJSON(text).toJSON()).toBe(text);
  const node = (JSON.parse(text).nodes as { name: string; attrs?: Record<string, string> }[]).find((n) => n.name === name);
  expect(node).toBeDefined();
  return node!.attrs ?? {};
}

/**
 * Differentiates MakeLoss(s) with respect to `wrt`, checks that every gradient infers to its
 * argument's shape, and returns the names of the ops of the gradient graph.
 */
export function gradientShapes(s: Symbol, wrt: string[], known: Record<string, number[]>): string[] {
  const loss = MakeLoss({ data: s, name: 'loss' });
  const g = loss.gradient(wrt);
  const fwd = loss.inferShape(known);
  const byName = Object.fromEntries(loss.listArguments().map((n, i) => [n, fwd.argShapes[i]]));
  const both = Group([loss, g]).inferShape(known);
  expect(both.outShapes.slice(1)).toEqual(wrt.map((n) => byName[n]));
  return topoOrder(g.outputs).flatMap((n) => (n.op ? [n.op.name] : []));
}

/** `fn` raises a ShapeError (or DTypeError with `cls`) naming op and node first, then saying `what`. */
export function expectInferError(
  fn: () => unknown,
  op: string,
  node: string,
  what: RegExp,
  cls: new (...a: never[]) => Error = ShapeError,
): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  const msg = (err as Error).message;
  expect(msg.startsWith(`${op} '${node}': `), msg).toBe(true);
  expect(msg).toMatch(what);
}
