// Graphs and helpers shared by several test files.
import { expect } from 'vitest';
import {
  Activation,
  FullyConnected,
  Group,
  SoftmaxOutput,
  Symbol,
  Variable,
  elemwise_add,
  topoOrder,
  type Node,
} from '../src/index.js';

/** MXNet's canonical two-layer MLP: fc1 (128) → relu1 → fc2 (10) → softmax. */
export function mlp(): Symbol {
  const data = Variable('data');
  let net = FullyConnected({ data, name: 'fc1', numHidden: 128 });
  net = Activation({ data: net, name: 'relu1', actType: 'relu' });
  net = FullyConnected({ data: net, name: 'fc2', numHidden: 10 });
  return SoftmaxOutput({ data: net, name: 'softmax' });
}

/** `s + y`: gives the output of `s` a known shape through a second input `y`. */
export const withOut = (s: Symbol, name = 'y'): Symbol => elemwise_add({ lhs: s, rhs: Variable(name), name: 'plus' });

/**
 * `build(x)` in a graph where its output gets a shape from `y` (through `withOut`) before its input
 * gets one from `w` (through a later `x + w`): inference must then check the op's own rule, so a
 * mismatch is reported by that op. Known: `x`, `y`, `w`.
 */
export function conflicting(build: (x: Symbol) => Symbol): Symbol {
  const x = Variable('x');
  return Group([withOut(build(x)), elemwise_add({ lhs: x, rhs: Variable('w'), name: 'feed' })]);
}

/** Checks that toJSON → fromJSON → toJSON is lossless; returns the text. */
export function roundTrip(s: Symbol): string {
  const text = s.toJSON();
  expect(Symbol.fromJSON(text).toJSON()).toBe(text);
  return text;
}

/** The nodes of a graph, in DFS order. */
export const nodes = (s: Symbol): Node[] => topoOrder(s.outputs);

/** The node named `name` in a graph. */
export function nodeNamed(s: Symbol, name: string): Node {
  const n = nodes(s).find((x) => x.name === name);
  if (!n) throw new Error(`no node '${name}'`);
  return n;
}
