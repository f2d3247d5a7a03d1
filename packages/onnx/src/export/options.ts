// exportONNX's options, validated at the API boundary.

import { ValueError } from '@bkt/ndarray';

export interface ExportOptions {
  /** The shape of every graph input (data, not parameters), as in simpleBind. */
  inputShapes: Readonly<Record<string, readonly number[]>>;
  /** ONNX opset, 13 to 15 (default 13). */
  opset?: number;
  /**
   * Input axes left symbolic in the ONNX file, by input name and axis: `{ data: { 0: 'seq_len' } }`.
   * The shapes in inputShapes are the example sizes the graph is checked with.
   */
  dynamicAxes?: Readonly<Record<string, Readonly<Record<number, string>>>>;
  /** The graph's name in the file (default 'bkt'). */
  graphName?: string;
}

export const MIN_OPSET = 13;
export const MAX_OPSET = 15;

const KEYS = new Set(['inputShapes', 'opset', 'dynamicAxes', 'graphName']);

export interface CheckedExportOptions {
  inputShapes: Record<string, number[]>;
  opset: number;
  dynamicAxes: Map<string, Map<number, string>>;
  graphName: string;
}

const isDim = (d: unknown): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1;

export function checkExportOptions(o: ExportOptions | undefined): CheckedExportOptions {
  if (o === null || typeof o !== 'object') throw new ValueError('exportONNX: options must be an object with inputShapes');
  for (const k of Object.keys(o))
    if (!KEYS.has(k)) throw new ValueError(`exportONNX: unknown option '${k}' (known: ${[...KEYS].join(', ')})`);
  if (o.inputShapes === null || typeof o.inputShapes !== 'object')
    throw new ValueError('exportONNX: inputShapes must map each input name to its shape');
  const inputShapes: Record<string, number[]> = {};
  for (const [name, shape] of Object.entries(o.inputShapes)) {
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every(isDim)) {
      throw new ValueError(
        `exportONNX: inputShapes.${name} must be a non-empty array of positive integers, got ${JSON.stringify(shape)}`,
      );
    }
    inputShapes[name] = [...shape];
  }
  const opset = o.opset ?? MIN_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ValueError(`exportONNX: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  }
  const dynamicAxes = new Map<string, Map<number, string>>();
  for (const [name, axes] of Object.entries(o.dynamicAxes ?? {})) {
    const shape = inputShapes[name];
    if (!shape) throw new ValueError(`exportONNX: dynamicAxes.${name}: '${name}' is not in inputShapes`);
    if (axes === null || typeof axes !== 'object') throw new ValueError(`exportONNX: dynamicAxes.${name} must map axes to names`);
    const m = new Map<number, string>();
    for (const [axis, label] of Object.entries(axes)) {
      const a = Number(axis);
      if (!Number.isInteger(a) || a < 0 || a >= shape.length) {
        throw new ValueError(`exportONNX: dynamicAxes.${name}: axis ${axis} is not an axis of shape [${shape}]`);
      }
      if (typeof label !== 'string' || label.length === 0)
        throw new ValueError(`exportONNX: dynamicAxes.${name}[${axis}] must be a non-empty name`);
      m.set(a, label);
    }
    dynamicAxes.set(name, m);
  }
  const graphName = o.graphName ?? 'bkt';
  if (typeof graphName !== 'string' || graphName.length === 0)
    throw new ValueError('exportONNX: graphName must be a non-empty string');
  return { inputShapes, opset, dynamicAxes, graphName };
}
