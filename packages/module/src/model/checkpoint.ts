// MXNet's model.save_checkpoint / load_checkpoint / load_params: `<prefix>-symbol.json` and
// `<prefix>-<epoch:04d>.params`, the latter holding `arg:<name>` and `aux:<name>` arrays in MXNet's
// NDArray-list format.

import { FormatError, load, type NDArray, save } from '@bkt/ndarray';
import { loadSymbol, type Symbol as BktSymbol } from '@bkt/symbol';
import type { SavableSymbol } from '../callbacks/batch-end-param.js';
import { defaultLogger, type Logger } from '../callbacks/format.js';

export type ParamDict = Readonly<Record<string, NDArray>>;

export const symbolFile = (prefix: string): string => `${prefix}-symbol.json`;
export const paramsFile = (prefix: string, epoch: number): string => `${prefix}-${String(epoch).padStart(4, '0')}.params`;
export const statesFile = (prefix: string, epoch: number): string => `${prefix}-${String(epoch).padStart(4, '0')}.states`;

/** Writes the symbol (when given) and the parameters; logs the params file name. */
export function saveCheckpoint(
  prefix: string,
  epoch: number,
  symbol: SavableSymbol | null | undefined,
  argParams: ParamDict,
  auxParams: ParamDict,
  opts: { logger?: Logger } = {},
): void {
  if (symbol) symbol.save(symbolFile(prefix));
  const dict: Record<string, NDArray> = {};
  for (const [k, v] of Object.entries(argParams)) dict[`arg:${k}`] = v;
  for (const [k, v] of Object.entries(auxParams)) dict[`aux:${k}`] = v;
  const file = paramsFile(prefix, epoch);
  save(file, dict);
  (opts.logger ?? defaultLogger)(`Saved checkpoint to "${file}"`);
}

/** The `arg:` and `aux:` arrays of `<prefix>-<epoch>.params`. */
export function loadParams(prefix: string, epoch: number): { argParams: Record<string, NDArray>; auxParams: Record<string, NDArray> } {
  const file = paramsFile(prefix, epoch);
  const loaded = load(file);
  if (Array.isArray(loaded)) throw new FormatError(`${file}: the arrays have no names; a checkpoint needs arg:/aux: names`);
  const argParams: Record<string, NDArray> = {};
  const auxParams: Record<string, NDArray> = {};
  for (const [k, v] of Object.entries(loaded as Record<string, NDArray>)) {
    if (k.startsWith('arg:')) argParams[k.slice(4)] = v;
    else if (k.startsWith('aux:')) auxParams[k.slice(4)] = v;
    else throw new FormatError(`${file}: entry '${k}' is neither arg:<name> nor aux:<name>`);
  }
  return { argParams, auxParams };
}

/** The symbol and parameters of a checkpoint. */
export function loadCheckpoint(
  prefix: string,
  epoch: number,
): { symbol: BktSymbol; argParams: Record<string, NDArray>; auxParams: Record<string, NDArray> } {
  const symbol = loadSymbol(symbolFile(prefix));
  return { symbol, ...loadParams(prefix, epoch) };
}
