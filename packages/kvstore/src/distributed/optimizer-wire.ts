// How a dist_async worker ships its optimizer to the servers (MXNet pickles it): the registered name
// and creation options of the optimizer and of its lrScheduler, the optimizer's mutable numbers (rate,
// update count, scheduler position) and its per-parameter lr/wd multipliers, all as JSON. Each
// server rebuilds an equal optimizer from it, whose scheduler then follows that server's update count.
import { ValueError } from '@bkt/ndarray';
import { create as createOptimizer, createLRScheduler, type Optimizer, type ParamKey } from '@bkt/optimizer';

export interface OptimizerWire {
  name: string;
  options: Record<string, unknown>;
  scheduler: { name: string; options: Record<string, unknown> } | null;
  scalars: Record<string, number>;
  lrMult: [ParamKey, number][];
  wdMult: [ParamKey, number][];
}

/** Rebuilds the optimizer a worker described (on a server, or on the worker to check it can be). */
export function rebuildOptimizer(wire: OptimizerWire): Optimizer {
  const lrScheduler = wire.scheduler === null ? undefined : createLRScheduler(wire.scheduler.name, wire.scheduler.options);
  const optimizer = createOptimizer(wire.name, lrScheduler === undefined ? wire.options : { ...wire.options, lrScheduler });
  optimizer.loadStateScalars(wire.scalars);
  optimizer.lrMult = new Map(wire.lrMult);
  optimizer.wdMult = new Map(wire.wdMult);
  return optimizer;
}

/**
 * What travels for `optimizer`. The symbol stays behind: what the servers need of it (the
 * `__lr_mult__` / `__wd_mult__` attributes) is in the multipliers. An optimizer or scheduler that
 * cannot be rebuilt from its registered name (a class not registered) is a ValueError naming it.
 */
export function optimizerWire(optimizer: Optimizer, storeType: string): OptimizerWire {
  const { lrScheduler: _scheduler, sym: _sym, ...options }: Record<string, unknown> = optimizer.createOptions;
  // a Map of names would not survive JSON
  if (options['paramIdx2Name'] instanceof Map) options['paramIdx2Name'] = Object.fromEntries(options['paramIdx2Name']);
  const s = optimizer.lrScheduler;
  const wire: OptimizerWire = {
    name: optimizer.name,
    options,
    scheduler: s === null ? null : { name: s.constructor.name, options: { ...s.createOptions } },
    scalars: optimizer.stateScalars(),
    lrMult: [...optimizer.lrMult],
    wdMult: [...optimizer.wdMult],
  };
  try {
    rebuildOptimizer(JSON.parse(JSON.stringify(wire)) as OptimizerWire);
  } catch (e) {
    throw new ValueError(
      `setOptimizer: the ${storeType} store sends the optimizer to its servers by registered name and options, and ` +
        `'${optimizer.name}'${s === null ? '' : ` with its ${s.constructor.name}`} cannot be rebuilt from them: ${(e as Error).message}`,
    );
  }
  return wire;
}
