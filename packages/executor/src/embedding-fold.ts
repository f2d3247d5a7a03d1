// In inference the RNN kernel may replace its first layer's input projection of an Embedding's output
// by a lookup in a kept table (the projection of the whole embedding table, @bkt/ndarray's
// rnn_embedding_fold.h). It needs the Embedding's ids and weight, which it gets here as two inputs
// after its states, when its data is exactly the Embedding's output on the same context. The Embedding
// still runs: its output stays what any reader (a monitor) expects.
import type { PlanInstruction } from '@bkt/ndarray/internal';
import type { Node } from '@bkt/symbol';

import type { Slot } from './compile.js';

/** Appends the ids and weight of the Embedding feeding each RNN instruction to its inputs (in place). */
export function passEmbeddingsToRnns(instructions: PlanInstruction[], nodes: readonly (Node | null)[], slots: Slot[]): void {
  const producer = new Map<Node, PlanInstruction>();
  for (const ins of instructions) {
    const node = nodes[ins.node];
    if (node) producer.set(node, ins);
  }
  instructions.forEach((ins, pc) => {
    const data = ins.kernel === 'rnn' ? nodes[ins.node]?.inputs[0] : undefined;
    const embedding = data && data.index === 0 && data.node.op?.name === 'Embedding' ? producer.get(data.node) : undefined;
    // A cross-device copy between the two leaves the RNN another slot than the Embedding's output.
    if (!embedding || ins.inputs[0] !== embedding.outputs[0]) return;
    const extra = embedding.inputs.slice(0, 2);
    for (const s of extra) slots[s]!.lastUse = Math.max(slots[s]!.lastUse, pc);
    instructions[pc] = { ...ins, inputs: [...ins.inputs, ...extra] };
  });
}
