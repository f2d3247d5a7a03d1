// Loads the one native addon and hands it the TS error classes and the metadata scratch buffer.
// Each ops file declares the slice of the addon it calls (see `binding<T>()`), so the typing of a
// binding lives next to its use.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { addonLoadError, addonMissingError } from './addon-load-error.js';
import { errorClasses } from './errors.js';

/** A native tensor handle: a number naming a slot of the addon's handle table (opaque to JS). */
export type NativeHandle = number & { readonly __nativeHandle: unique symbol };

interface CoreBinding {
  init(errors: typeof errorClasses, scratch: Float64Array): void;
}

// The addon's node-gyp project. node-gyp-build looks in its build/Release first (a source build: in the
// repository, or by the install script where no prebuilt binary fits) and then in prebuilds/<platform>-<arch>/
// (the binary the npm tarball carries).
const addonDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native');
const requireHere = createRequire(import.meta.url);
const nodeGypBuild = requireHere('node-gyp-build') as { path(dir: string): string };

// Debian's oneDNN runs on libgomp, which reads its settings once, when the addon loads it. By default
// its idle workers spin for a while after each GEMM, taking the cores from bkt's pool, OpenBLAS and,
// on a shared machine, whoever holds the other core (a 2-thread matmul then fell to a tenth of its
// rate); passive workers sleep at once. An OMP_WAIT_POLICY set by the user is kept.
function load(): Record<string, unknown> {
  process.env['OMP_WAIT_POLICY'] ??= 'PASSIVE';
  let addonPath: string;
  try {
    addonPath = nodeGypBuild.path(addonDir);
  } catch {
    throw addonMissingError('@bkt/ndarray', addonDir);
  }
  try {
    return requireHere(addonPath) as Record<string, unknown>;
  } catch (e) {
    throw addonLoadError('@bkt/ndarray', addonPath, e as Error);
  }
}

const addon = load();

/**
 * Metadata of the most recently created or described handle: [ndim, dtypeCode, devType, devId, ...dims].
 * Shared with native code so creating an array costs one call and no extra allocation.
 */
export const scratch = new Float64Array(4 + 32);

(addon as unknown as CoreBinding).init(errorClasses, scratch);

export function binding<T>(): T {
  return addon as T;
}
