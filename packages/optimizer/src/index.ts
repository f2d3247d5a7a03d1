// @bkt/optimizer — Optimizers as fused native update kernels, learning-rate schedulers, updater state.
// Not built yet: see the open issue for this package.
export {};
