// The operator mappings of exportONNX, by bkt (MXNet) operator name; each lives in its own file
// under ops/ and registers itself there.

import type { Node } from '@bkt/symbol';
import type { ExportContext } from './context.js';

export interface OpExporter {
  /** The inputs the ONNX graph needs (default: all); a loss layer's label is not one of them. */
  usedInputs?: (node: Node) => readonly number[];
  /** Writes the ONNX nodes computing every output of `ctx.node` into `ctx.output(i)`. */
  convert(ctx: ExportContext): void;
}

const exporters = new Map<string, OpExporter>();

export function registerExporter(names: string | readonly string[], exporter: OpExporter): void {
  for (const name of typeof names === 'string' ? [names] : names) exporters.set(name, exporter);
}

export function findExporter(opName: string): OpExporter | undefined {
  return exporters.get(opName);
}

/** The bkt operators exportONNX maps, sorted. */
export function listExportableOps(): string[] {
  return [...exporters.keys()].sort();
}
