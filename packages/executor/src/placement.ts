// MXNet's context assignment for model parallelism (AssignContext + nnvm's PlaceDevice): with a
// group2ctx map, a node carrying `__ctx_group__` runs on its group's context; an ungrouped gradient
// node follows the forward node it differentiates, any other node follows its first placed input, and
// what is still unplaced follows its first consumer, else the executor's context. Arguments and aux
// states without a group live on the executor's context; a head gradient lives with its output.
import { BindError, type Context } from '@bkt/ndarray';
import { type Node, type Symbol, topoOrder } from '@bkt/symbol';

export type Group2Ctx = Readonly<Record<string, Context>>;

export interface PlacementOptions {
  ctx: Context;
  group2ctx?: Group2Ctx | undefined;
  /** Head-gradient variable name → index of the forward output it belongs to. */
  headGradOutputs: ReadonlyMap<string, number>;
}

/** The context of every node of `whole` (the forward symbol plus its gradient graph). */
export function placeNodes(forward: Symbol, whole: Symbol, opts: PlacementOptions): Map<Node, Context> {
  const all = topoOrder(whole.outputs);
  const placed = new Map<Node, Context>();
  const group2ctx = opts.group2ctx;
  if (group2ctx === undefined || Object.keys(group2ctx).length === 0) {
    for (const n of all) placed.set(n, opts.ctx);
    return placed;
  }

  const groupCtx = (n: Node): Context | undefined => {
    const group = n.attrs.__ctx_group__;
    if (group === undefined) return undefined;
    const c = Object.hasOwn(group2ctx, group) ? group2ctx[group] : undefined;
    if (c === undefined) {
      const known = Object.keys(group2ctx).join(', ');
      throw new BindError(`bind: ${n.describe()} is in ctx group '${group}', which group2ctx does not map (groups: ${known})`);
    }
    return c;
  };
  const visit = (n: Node): void => {
    let c = groupCtx(n);
    if (c === undefined && n.isVariable) {
      const out = opts.headGradOutputs.get(n.name);
      c = out === undefined ? opts.ctx : placed.get(forward.outputs[out]!.node);
    }
    if (c === undefined && n.controlDeps.length > 0) c = placed.get(n.controlDeps[0]!);
    if (c === undefined) c = n.inputs.map((e) => placed.get(e.node)).find((x) => x !== undefined);
    if (c !== undefined) placed.set(n, c);
  };
  // Forward nodes first, so a head gradient and a gradient node find their forward node placed.
  const forwardNodes = topoOrder(forward.outputs);
  const forwardSet = new Set(forwardNodes);
  forwardNodes.forEach(visit);
  all.filter((n) => !forwardSet.has(n)).forEach(visit);

  for (let k = all.length - 1; k >= 0; k--) {
    const c = placed.get(all[k]!);
    if (c === undefined) continue;
    for (const e of all[k]!.inputs) if (!placed.has(e.node)) placed.set(e.node, c);
  }
  for (const n of all) if (!placed.has(n)) placed.set(n, opts.ctx);
  return placed;
}
