// MXNet's DataDesc: the name and shape of one input of a batch, plus its element type and layout
// (the letters naming the axes, `N` being the batch axis).

import { type DType, ValueError } from '@bkt/ndarray';

/** A DataDesc, or the `[name, shape]` pair that MXNet accepts wherever it takes one. */
export type DataDescLike = DataDesc | readonly [string, readonly number[]];

const fmtShape = (shape: readonly number[]): string => `(${shape.join(',')}${shape.length === 1 ? ',' : ''})`;

export class DataDesc {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly layout: string;

  constructor(name: string, shape: readonly number[], dtype: DType = 'float32', layout = 'NCHW') {
    if (typeof name !== 'string') throw new ValueError('DataDesc: name must be a string');
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ValueError(`DataDesc '${name}': the shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    this.name = name;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.layout = layout;
  }

  /**
   * The batch axis of a layout: 0 when there is no layout, else the position of `N`, -1 when there
   * is none (MXNet then copies the whole array to every device instead of splitting it).
   */
  static getBatchAxis(layout: string | null | undefined): number {
    if (layout === null || layout === undefined) return 0;
    return layout.indexOf('N');
  }

  /** Descs from `[name, shape]` pairs and, optionally, `[name, dtype]` pairs in the same order. */
  static getList(
    shapes: readonly (readonly [string, readonly number[]])[],
    types?: readonly (readonly [string, DType])[] | null,
  ): DataDesc[] {
    if (types !== null && types !== undefined) {
      if (types.length !== shapes.length) throw new ValueError('DataDesc.getList: shapes and types differ in length');
      return shapes.map(([name, shape], i) => {
        const t = types[i]!;
        if (t[0] !== name) throw new ValueError(`DataDesc.getList: type entry '${t[0]}' does not match shape entry '${name}'`);
        return new DataDesc(name, shape, t[1]);
      });
    }
    return shapes.map(([name, shape]) => new DataDesc(name, shape));
  }

  /** A DataDesc as is; a `[name, shape]` pair becomes one with float32 and the default layout. */
  static from(desc: DataDescLike): DataDesc {
    if (desc instanceof DataDesc) return desc;
    if (!Array.isArray(desc) || desc.length !== 2) {
      throw new ValueError(`DataDesc.from: expected a DataDesc or a [name, shape] pair, got ${JSON.stringify(desc)}`);
    }
    return new DataDesc(desc[0], desc[1]);
  }

  /** `from` over a list; anything but a list is a ValueError naming `call` and `what` (e.g. 'bind', 'dataShapes'). */
  static fromList(descs: readonly DataDescLike[], call: string, what: string): DataDesc[] {
    if (!Array.isArray(descs))
      throw new ValueError(`${call}: ${what} must be a list of DataDesc or [name, shape] pairs, got ${JSON.stringify(descs)}`);
    return descs.map((d) => DataDesc.from(d));
  }

  /** The batch axis of this desc's layout (see getBatchAxis). */
  get batchAxis(): number {
    return DataDesc.getBatchAxis(this.layout);
  }

  /** MXNet compares descs as `(name, shape)` tuples: dtype and layout do not count. */
  equals(other: DataDescLike): boolean {
    const o = DataDesc.from(other);
    return o.name === this.name && o.shape.length === this.shape.length && o.shape.every((d, i) => d === this.shape[i]);
  }

  /** A copy with some fields replaced. */
  with(fields: { name?: string; shape?: readonly number[]; dtype?: DType; layout?: string }): DataDesc {
    return new DataDesc(
      fields.name ?? this.name,
      fields.shape ?? this.shape,
      fields.dtype ?? this.dtype,
      fields.layout ?? this.layout,
    );
  }

  toString(): string {
    return `DataDesc[${this.name},${fmtShape(this.shape)},${this.dtype},${this.layout}]`;
  }
}
