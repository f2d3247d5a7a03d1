// .params bytes built by hand from the layout of MXNet's `ndarray.cc` (`NDArray::Save`, `mx.nd.save`), independently of the native writer:
// shared by io.test.ts and the .params fuzzer (params-fuzz.ts).

export const V1 = 0xf993fac8;
export const V2 = 0xf993fac9;
export const V3 = 0xf993faca;

export const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
export const i32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};
export const u64 = (v: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
export const i64 = (v: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};
export const f32 = (vals: readonly number[]): Buffer => Buffer.from(Float32Array.from(vals).buffer);
export const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** A V2 shape: int32 ndim, then int64 dims. */
export const tshape = (dims: readonly number[]): Buffer => Buffer.concat([i32(dims.length), ...dims.map((d) => i64(d))]);

export interface RecordSpec {
  shape: readonly number[];
  dtype?: number;
  data: Uint8Array;
  devType?: number;
  devId?: number;
}

export const ctxAndType = (r: RecordSpec): Buffer => Buffer.concat([i32(r.devType ?? 1), i32(r.devId ?? 0), i32(r.dtype ?? 0)]);

export function v2Record(r: RecordSpec): Uint8Array {
  return cat(u32(V2), i32(0), tshape(r.shape), ctxAndType(r), r.data);
}

export function v1Record(r: RecordSpec): Uint8Array {
  return cat(u32(V1), tshape(r.shape), ctxAndType(r), r.data);
}

export function v0Record(r: RecordSpec): Uint8Array {
  return cat(u32(r.shape.length), ...r.shape.map(u32), ctxAndType(r), r.data);
}

export function v3Record(r: RecordSpec): Uint8Array {
  return cat(u32(V3), i32(0), tshape(r.shape), ctxAndType(r), r.data);
}

/**
 * A sparse-format csr record of the (2, 3) matrix [[1, 0, 0], [0, 0, 2]] on the cpu: storage shape (2,),
 * aux indptr (3,) then column indices (2,), the last of which is `lastIndex` (2 is valid).
 */
export function csrRecord(magic: number, lastIndex = 2): Uint8Array {
  const aux = cat(tshape([3]), i32(6), tshape([2]));
  return cat(
    u32(magic),
    i32(2),
    tshape([2]),
    tshape([2, 3]),
    i32(1),
    i32(0),
    i32(0),
    i32(6),
    aux,
    f32([1, 2]),
    i64(0),
    i64(1),
    i64(2),
    i64(0),
    i64(lastIndex),
  );
}

export function listFile(records: readonly Uint8Array[], names: readonly string[] = []): Uint8Array {
  const nameParts = names.flatMap((n) => {
    const b = Buffer.from(n, 'utf8');
    return [u64(b.length), b];
  });
  return cat(u64(0x112), u64(0), u64(records.length), ...records, u64(names.length), ...nameParts);
}
