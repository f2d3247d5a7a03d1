// The ONNX protobuf schema, as generated protobufjs code (the `onnx-proto` package, ONNX 1.10's
// onnx.proto), and the few conversions between its tensors and typed arrays.

import onnxProto from 'onnx-proto';
import { FormatError } from '@bkt/ndarray';

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';

export const DataType = onnx.TensorProto.DataType;
export const AttributeType = onnx.AttributeProto.AttributeType;

/** IR version 8: ONNX 1.10, the schema this package encodes with (opsets up to 15). */
export const IR_VERSION = 8;

type Int64 = number | { toNumber(): number };

// A decoded model as protobufjs builds it: repeated fields are arrays, scalars have their defaults.
export interface DecodedTensor {
  name: string;
  dims: Int64[];
  dataType: number;
  rawData: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: Int64[];
}
export interface DecodedAttribute {
  name: string;
  type: number;
  i: Int64;
  f: number;
  s: Uint8Array;
  t?: DecodedTensor | null;
  ints: Int64[];
  floats: number[];
  strings: Uint8Array[];
}
export interface DecodedNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: DecodedAttribute[];
}
export interface DecodedValueInfo {
  name: string;
  type?: {
    tensorType?: { elemType: number; shape?: { dim: { dimValue?: Int64 | null; dimParam?: string | null }[] } | null } | null;
  } | null;
}
export interface DecodedGraph {
  node: DecodedNode[];
  initializer: DecodedTensor[];
  input: DecodedValueInfo[];
  output: DecodedValueInfo[];
}
export interface DecodedModel {
  opsetImport: { domain: string; version: Int64 }[];
  graph?: DecodedGraph | null;
}

/** int64 fields decode as numbers or protobufjs Longs; both become numbers (exact below 2^53). */
export function toNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A float32 tensor; raw_data is little-endian by the ONNX spec. */
export function floatTensor(name: string, dims: readonly number[], data: Float32Array): InstanceType<typeof onnx.TensorProto> {
  if (!littleEndian) throw new FormatError('exportONNX: big-endian hosts are not supported (ONNX raw_data is little-endian)');
  const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.FLOAT, rawData: raw });
}

/** An int64 tensor (shapes, axes, indices). */
export function int64Tensor(
  name: string,
  dims: readonly number[],
  data: readonly number[],
): InstanceType<typeof onnx.TensorProto> {
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.INT64, int64Data: [...data] });
}

/** The values of a float32 or integer initializer, as float32 (bkt's parameter type). */
export function tensorValues(t: DecodedTensor, where: string): { dims: number[]; data: Float32Array } {
  const dims = t.dims.map((d) => toNumber(d));
  const size = dims.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  if (t.dataType === DataType.FLOAT) {
    if (t.rawData && t.rawData.length > 0) {
      if (t.rawData.length !== size * 4)
        throw new FormatError(
          `${where}: tensor '${t.name}' has ${t.rawData.length} raw bytes for dims [${dims}] (want ${size * 4})`,
        );
      const copy = new Uint8Array(t.rawData);
      data = new Float32Array(copy.buffer, 0, size);
    } else data = Float32Array.from(t.floatData);
  } else if (t.dataType === DataType.INT64) {
    if (t.rawData && t.rawData.length > 0) {
      if (t.rawData.length !== size * 8)
        throw new FormatError(
          `${where}: tensor '${t.name}' has ${t.rawData.length} raw bytes for dims [${dims}] (want ${size * 8})`,
        );
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = Number(view.getBigInt64(i * 8, true));
    } else data = Float32Array.from(t.int64Data.map((v) => toNumber(v)));
  } else if (t.dataType === DataType.INT32) {
    if (t.rawData && t.rawData.length > 0) {
      if (t.rawData.length !== size * 4)
        throw new FormatError(
          `${where}: tensor '${t.name}' has ${t.rawData.length} raw bytes for dims [${dims}] (want ${size * 4})`,
        );
      data = Float32Array.from(new Int32Array(new Uint8Array(t.rawData).buffer, 0, size));
    } else data = Float32Array.from(t.int32Data);
  } else {
    throw new FormatError(
      `${where}: tensor '${t.name}' has data type ${DataType[t.dataType] ?? t.dataType}; float32, int32 and int64 are read`,
    );
  }
  if (data.length !== size) throw new FormatError(`${where}: tensor '${t.name}' has ${data.length} values for dims [${dims}]`);
  return { dims, data };
}
