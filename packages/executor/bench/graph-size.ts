// Inference and bind time against graph size, to show both grow linearly:
//   pnpm bench:graph-size -- --graph slice --n 100000 --phase bind
// graph: slice (SliceChannel, every part an output), split-join (SliceChannel -> Concat), chain
// (n Activations in a row), group (n Activations of one input, grouped); phase: infer, bind
// (no gradients) or bind-grad. One JSON line: graph, n, phase, seconds (build time excluded).
import { Activation, Concat, Group, SliceChannel, type Symbol, Variable } from '@bkt/symbol';

import { Executor } from '../src/index.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1]!;
};
const graph = arg('graph', 'slice');
const n = Number(arg('n', '10000'));
const phase = arg('phase', 'bind');

function build(): { sym: Symbol; shapes: Record<string, number[]> } {
  const data = Variable('data');
  if (graph === 'slice' || graph === 'split-join') {
    const parts = SliceChannel({ data, numOutputs: n, axis: 1, name: 'split' });
    const sym =
      graph === 'slice' ? parts : Concat({ data: Array.from({ length: n }, (_, i) => parts.at(i)), dim: 1, name: 'join' });
    return { sym, shapes: { data: [2, n] } };
  }
  if (graph === 'chain') {
    let sym: Symbol = data;
    for (let i = 0; i < n; i++) sym = Activation({ data: sym, actType: 'relu', name: `a${i}` });
    return { sym, shapes: { data: [2, 3] } };
  }
  if (graph === 'group')
    return {
      sym: Group(Array.from({ length: n }, (_, i) => Activation({ data, actType: 'relu', name: `a${i}` }))),
      shapes: { data: [2, 3] },
    };
  throw new Error(`unknown --graph '${graph}' (slice, split-join, chain, group)`);
}

const { sym, shapes } = build();
const t0 = performance.now();
if (phase === 'infer') sym.inferShape(shapes);
else Executor.simpleBind(sym, { shapes, gradReq: phase === 'bind-grad' ? 'write' : 'null' }).dispose();
console.log(JSON.stringify({ graph, n, phase, seconds: Math.round(performance.now() - t0) / 1000 }));
