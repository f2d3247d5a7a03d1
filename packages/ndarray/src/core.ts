// The part of @bkt/ndarray that needs no native addon (`@bkt/ndarray/core`): errors, dtypes,
// contexts, argument validation, own-key access to name-keyed records, reshape's shape rule, the file helpers, and the kernel names and
// attribute declarations (enum tables included) generated from src/op-ids.json and src/kernel-attrs.json. Packages that only
// describe computations (@bkt/symbol) import from here, so loading them never loads the addon.
export * from './errors.js';
export * from './dtype.js';
export * from './context.js';
export * from './validate.js';
export { ownValue, setOwn } from './own-keys.js';
export { resolveReshape } from './reshape-shape.js';
export { writeFileAtomic } from './atomic-write.js';
export { readFileChecked } from './read-file-checked.js';
export type { KernelName } from './op-ids.gen.js';
export * from './kernel-attrs.gen.js';
