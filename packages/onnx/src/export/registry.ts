// The operator mappings of exportONNX, by bkt (MXNet) operator name; each lives in its own file
// under ops/ and registers itself there.

import type { Node } from '@bkt/symbol';
import { MappingRegistry } from '../mapping-registry.js';
import type { ExportContext } from './context.js';

export interface OpExporter {
  /** The inputs the ONNX graph needs (default: all); a loss layer's label is not one of them. */
  usedInputs?: (node: Node) => readonly number[];
  /** Writes the ONNX nodes computing every output of `ctx.node` into `ctx.output(i)`. */
  convert(ctx: ExportContext): void;
}

const exporters = new MappingRegistry<OpExporter>();

export const registerExporter = (names: string | readonly string[], exporter: OpExporter): void =>
  exporters.register(names, exporter);
export const findExporter = (opName: string): OpExporter | undefined => exporters.find(opName);
/** The bkt operators exportONNX maps, sorted. */
export const listExportableOps = (): string[] => exporters.list();
