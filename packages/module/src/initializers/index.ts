export { InitDesc } from './init-desc.js';
export {
  Initializer,
  createInitializer,
  createInitializer as create,
  registerInitializer,
  listInitializers,
  type InitKwargs,
  type InitializerSpec,
} from './initializer.js';
export { Uniform } from './uniform.js';
export { Normal } from './normal.js';
export { Zero } from './zero.js';
export { One } from './one.js';
export { Constant } from './constant.js';
export { Xavier, type XavierOptions, type XavierRndType, type XavierFactorType } from './xavier.js';
export { MSRAPrelu } from './msra-prelu.js';
export { Orthogonal, type OrthogonalRandType } from './orthogonal.js';
export { Mixed } from './mixed.js';
export { Load, type ParamSource } from './load.js';
export { LSTMBias } from './lstm-bias.js';
export { FusedRNN, type FusedRNNOptions } from './fused-rnn.js';
