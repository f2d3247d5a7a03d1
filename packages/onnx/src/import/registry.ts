// The operator mappings of importONNX, by ONNX op type; each lives in its own file under ops/.

import { MappingRegistry } from '../mapping-registry.js';
import type { ImportContext } from './context.js';

export interface OpImporter {
  /** The inputs read as graph values (default: every non-empty one); constants read with ctx.constant are not. */
  usedInputs?: (ctx: ImportContext) => readonly number[];
  /** Builds the bkt symbols of the node's outputs and hands them to ctx.setOutput. */
  convert(ctx: ImportContext): void;
}

const importers = new MappingRegistry<OpImporter>();

export const registerImporter = (opTypes: string | readonly string[], importer: OpImporter): void =>
  importers.register(opTypes, importer);
export const findImporter = (opType: string): OpImporter | undefined => importers.find(opType);
/** The ONNX op types importONNX maps, sorted. */
export const listImportableOps = (): string[] => importers.list();
