export { Executor, bind, simpleBind } from './executor.js';
export type {
  BackwardOptions,
  BindOptions,
  SimpleBindOptions,
  GradReqSpec,
  MonitorCallback,
  ArrayMap,
  Group2Ctx,
} from './executor.js';
export { planMemory, ARENA_ALIGN } from './memory-planner.js';
export type { MemoryPlan, TempBuffer } from './memory-planner.js';
export { checkNumericGradient, GradientCheckError } from './numeric-gradient.js';
export type { NumericGradientOptions } from './numeric-gradient.js';
