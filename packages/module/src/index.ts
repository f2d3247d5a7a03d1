// @bkt/module — MXNet's Module API: BaseModule, Module, BucketingModule, data iterators, metrics, initializers, callbacks.
// Not built yet: see the open issue for this package.
export {};
