// How each native kernel receives its operator's parameters: the numbers its attribute set in
// @bkt/ndarray's src/kernel-attrs.json declares, in that order, which the C++ kernel reads through
// the struct generated from the same declaration. Kernels without a set take none. Values the
// kernel does not implement are refused here, at bind, rather than on the first run.
import { BindError, KERNEL_ATTRS, type KernelAttr, type KernelName } from '@bkt/ndarray/core';

type Params = Readonly<Record<string, unknown>>;

/** The node the attributes are for, as error messages name it. */
export interface KernelAttrsSite {
  /** The operator's MXNet name (`Pooling`). */
  readonly op: string;
  /** The node as the executor describes it (`Pooling 'pool0'`). */
  readonly node: string;
}

const shown = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : v === null || v === undefined ? 'None' : String(v));

/** Packs one attribute, or returns why the kernel cannot take its value. */
function pack(a: KernelAttr, raw: unknown): number[] | string {
  const refused = (implemented?: readonly unknown[]): string =>
    `${a.key}=${shown(raw)}${a.describe ? ` (${a.describe})` : ''}${implemented ? ` (it supports ${implemented.map(shown).join(', ')})` : ''}`;
  if (a.type === 'enum') {
    const code = a.values.indexOf(String(raw));
    return code < 0 || (a.only && !a.only.includes(String(raw))) ? refused(a.only ?? a.values) : [code];
  }
  const v = raw === null || raw === undefined ? (a.none ?? null) : raw;
  const num = (x: unknown): number | null => (typeof x === 'boolean' ? Number(x) : typeof x === 'number' ? x : null);
  if (a.type === 'ints') {
    const list = (v === null ? [] : Array.isArray(v) ? (v as unknown[]) : [v]).map(num);
    return list.every((x) => x !== null) ? [list.length, ...(list as number[])] : refused();
  }
  if (a.type === 'int?' && v === null) return [0, 0];
  const n = num(v);
  if (n === null) return refused();
  if (a.only && !a.only.includes(n)) return refused(a.only);
  return a.type === 'int?' ? [1, n] : [n];
}

/** The kernel's attribute numbers for a node's parameters; values it does not implement are a BindError. */
export function packKernelAttrs(kernel: KernelName, params: Params, site: KernelAttrsSite): number[] {
  const set = KERNEL_ATTRS[kernel];
  if (!set) return [];
  const refused = Object.entries(set.unimplemented)
    .filter(([key, accepts]) => (params[key] ?? null) !== accepts)
    .map(([key]) => `${key}=${shown(params[key])}`);
  const packed: number[] = [];
  for (const a of set.attrs) {
    const r = pack(a, params[a.key]);
    if (typeof r === 'string') refused.push(r);
    else packed.push(...r);
  }
  if (refused.length > 0) throw new BindError(`bind: ${site.node}: the ${site.op} kernel does not support ${refused.join(', ')}`);
  return packed;
}
