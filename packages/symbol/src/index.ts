// @bkt/symbol — Symbol graphs, operator definitions, shape/type inference, autodiff, MXNet symbol JSON, RNN cells.
// Not built yet: see the open issue for this package.
export {};
