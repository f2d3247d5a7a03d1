// MXNet's model.save_checkpoint / load_checkpoint / load_params: `<prefix>-symbol.json` and
// `<prefix>-<epoch:04d>.params`, the latter holding `arg:<name>` and `aux:<name>` arrays in MXNet's
// NDArray-list format. bkt adds a manifest written last (manifest.ts): a checkpoint with one is
// loaded only when it verifies; one without (MXNet's files) loads as MXNet loads it.

import { existsSync } from 'node:fs';
import { FormatError, load, type NDArray, save } from '@bkt/ndarray';
import { loadSymbol, type Symbol as BktSymbol } from '@bkt/symbol';
import type { SavableSymbol } from '../callbacks/batch-end-param.js';
import { defaultLogger, type Logger } from '../callbacks/format.js';
import { verifyCheckpoint, writeManifest } from './manifest.js';

export type ParamDict = Readonly<Record<string, NDArray>>;

export const symbolFile = (prefix: string): string => `${prefix}-symbol.json`;
export const paramsFile = (prefix: string, epoch: number): string => `${prefix}-${String(epoch).padStart(4, '0')}.params`;
export const statesFile = (prefix: string, epoch: number): string => `${prefix}-${String(epoch).padStart(4, '0')}.states`;

/** Options of a module's saveCheckpoint. */
export interface CheckpointSaveOptions {
  /**
   * Files the caller wrote for this checkpoint (e.g. a trainer's run files), in the prefix's folder:
   * the manifest records their sizes and checksums like the epoch's own files.
   */
  extraFiles?: readonly string[];
}

/** Writes `<prefix>-<epoch>.params` (atomically) and returns its name; the manifest is the caller's. */
export function saveParamsFile(prefix: string, epoch: number, argParams: ParamDict, auxParams: ParamDict): string {
  const dict: Record<string, NDArray> = {};
  for (const [k, v] of Object.entries(argParams)) dict[`arg:${k}`] = v;
  for (const [k, v] of Object.entries(auxParams)) dict[`aux:${k}`] = v;
  const file = paramsFile(prefix, epoch);
  save(file, dict);
  return file;
}

/** Writes the symbol (when given), the parameters, then the manifest; logs the params file name. */
export function saveCheckpoint(
  prefix: string,
  epoch: number,
  symbol: SavableSymbol | null | undefined,
  argParams: ParamDict,
  auxParams: ParamDict,
  opts: { logger?: Logger } = {},
): void {
  if (symbol) symbol.save(symbolFile(prefix));
  const file = saveParamsFile(prefix, epoch, argParams, auxParams);
  writeManifest(prefix, epoch, [file], symbol ? [symbolFile(prefix)] : []);
  (opts.logger ?? defaultLogger)(`Saved checkpoint to "${file}"`);
}

/**
 * The `arg:` and `aux:` arrays of `<prefix>-<epoch>.params`, after checking the checkpoint's manifest
 * when it has one (FormatError when it does not match).
 */
export function loadParams(
  prefix: string,
  epoch: number,
): { argParams: Record<string, NDArray>; auxParams: Record<string, NDArray> } {
  verifyCheckpoint(prefix, epoch);
  const file = paramsFile(prefix, epoch);
  const loaded = load(file);
  if (Array.isArray(loaded)) throw new FormatError(`${file}: the arrays have no names; a checkpoint needs arg:/aux: names`);
  const args: [string, NDArray][] = [];
  const aux: [string, NDArray][] = [];
  for (const [k, v] of Object.entries(loaded as Record<string, NDArray>)) {
    if (k.startsWith('arg:')) args.push([k.slice(4), v]);
    else if (k.startsWith('aux:')) aux.push([k.slice(4), v]);
    else throw new FormatError(`${file}: entry '${k}' is neither arg:<name> nor aux:<name>`);
  }
  // fromEntries defines keys, so a parameter called `__proto__` stays a key instead of a prototype.
  return { argParams: Object.fromEntries(args), auxParams: Object.fromEntries(aux) };
}

/** The symbol and parameters of a checkpoint. */
export function loadCheckpoint(
  prefix: string,
  epoch: number,
): { symbol: BktSymbol; argParams: Record<string, NDArray>; auxParams: Record<string, NDArray> } {
  const params = loadParams(prefix, epoch);
  return { symbol: loadSymbol(symbolFile(prefix)), ...params };
}

/**
 * The optimizer-states file of a checkpoint, for a load with loadOptimizerStates; a missing one is a
 * FormatError now rather than an I/O error when the optimizer is set up.
 */
export function requireStatesFile(fn: string, prefix: string, epoch: number): string {
  const file = statesFile(prefix, epoch);
  if (!existsSync(file))
    throw new FormatError(
      `${fn}: loadOptimizerStates is set but checkpoint ${prefix}:${epoch} has no optimizer states ('${file}' is missing)`,
    );
  return file;
}
