// @bkt/executor — Binds symbols to arrays: memory planning and a compiled plan run in native code, shared across bucket executors.
// Not built yet: see the open issue for this package.
export {};
