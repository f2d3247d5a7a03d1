// MXNet's _prepare_group2ctxs: the model-parallel group → context map a module takes, resolved into
// one map per data-parallel device context.

import { Context, ValueError } from '@bkt/ndarray';
import type { Group2Ctx } from '@bkt/executor';

/**
 * What Module takes as `group2ctxs`: one map per device context, or one map for all of them whose
 * values are a context (the same on every device) or a list of contexts (one, or one per device).
 */
export type Group2Ctxs = readonly Group2Ctx[] | Readonly<Record<string, Context | readonly Context[]>>;

/** One group → context map per device context (null: no model parallelism). */
export function prepareGroup2ctxs(group2ctxs: Group2Ctxs | null | undefined, numContexts: number): (Group2Ctx | null)[] {
  if (group2ctxs === null || group2ctxs === undefined) return new Array<null>(numContexts).fill(null);
  if (Array.isArray(group2ctxs)) {
    const perDevice = group2ctxs as readonly Group2Ctx[];
    if (perDevice.length !== numContexts) {
      throw new ValueError(`group2ctxs: a list needs one map per context, got ${perDevice.length} for ${numContexts} contexts`);
    }
    return [...perDevice];
  }
  const ret: Record<string, Context>[] = Array.from({ length: numContexts }, () => ({}));
  for (const [group, value] of Object.entries(group2ctxs as Readonly<Record<string, Context | readonly Context[]>>)) {
    const ctxs = value instanceof Context ? [value] : [...value];
    if (ctxs.length !== 1 && ctxs.length !== numContexts) {
      throw new ValueError(`group2ctxs['${group}']: give one context or one per device (${numContexts}), got ${ctxs.length}`);
    }
    ret.forEach((map, i) => {
      map[group] = ctxs.length === 1 ? ctxs[0]! : ctxs[i]!;
    });
  }
  return ret;
}
