// Each kernel's attributes are declared once, in @bkt/ndarray's src/kernel-attrs.json; the OpDef
// whose kernel reads them declares the operator's parameters. These checks keep the two one
// description: every attribute a kernel reads is a parameter of each op that runs the kernel, of a
// type that packs into what the kernel reads, and an enum parameter uses the shared table itself.
import { KERNEL_ATTRS, type KernelAttr, type KernelName } from '@bkt/ndarray/core';
import { describe, expect, it } from 'vitest';

import { type AttrType, getOp, listOps } from '../src/index.js';

const ops = listOps().map(getOp);

// The schema types whose values pack into a kernel attribute of type `a.type` (None of an optional
// one packs as `none`, or is refused at bind).
function packs(a: KernelAttr, t: AttrType): boolean {
  const inner = t.kind === 'optional' ? t.inner : t;
  switch (a.type) {
    case 'enum':
      return t.kind === 'enum' && t.values === a.values;
    case 'int':
      return inner.kind === 'int';
    case 'int?':
      return t.kind === 'optional' && inner.kind === 'int';
    case 'float':
      return inner.kind === 'float' || inner.kind === 'int';
    case 'bool':
      return inner.kind === 'bool';
    case 'ints':
      return inner.kind === 'shape' || inner.kind === 'axes';
  }
}

describe('kernel attribute declarations', () => {
  const declared = Object.entries(KERNEL_ATTRS) as [KernelName, NonNullable<(typeof KERNEL_ATTRS)[KernelName]>][];

  it.each(declared)("'%s' is run by an op that has every attribute it reads, of a type it packs", (kernel, set) => {
    const runners = ops.filter((op) => op.kernels.forward === kernel);
    expect(runners.map((op) => op.name)).not.toEqual([]);
    for (const op of runners) {
      for (const a of set.attrs) {
        const field = op.attrs.field(a.key);
        expect(field, `${op.name}.${a.key}`).toBeDefined();
        expect(packs(a, field!.type), `${op.name}.${a.key}: ${JSON.stringify(field!.type)} as ${a.type}`).toBe(true);
      }
      for (const key of Object.keys(set.unimplemented)) expect(op.attrs.field(key), `${op.name}.${key}`).toBeDefined();
    }
  });
});
