// @bkt/module — MXNet's Module API: data iterators, metrics, initializers, callbacks (the modules
// themselves come later and build on these pieces).

export * as io from './data/index.js';
export * from './data/index.js';
