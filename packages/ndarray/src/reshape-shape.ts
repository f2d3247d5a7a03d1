import { ShapeError } from './errors.js';
import { checkShape, describeValue } from './validate.js';

/**
 * Resolves an MXNet reshape target against an input shape. Special values: 0 copies the input
 * dimension, -1 is inferred, -2 copies all remaining dimensions, -3 merges two consecutive input
 * dimensions, -4 splits one input dimension into the next two values (one of which may be -1).
 * With `reverse`, special values are matched from the right, as in MXNet.
 */
export function resolveReshape(input: readonly number[], target: readonly number[], reverse = false): number[] {
  const fail = (why: string): never => {
    throw new ShapeError(
      `reshape: cannot reshape ${fmt(input)} to ${Array.isArray(target) ? fmt(target) : describeValue(target)}: ${why}`,
    );
  };
  if (!Array.isArray(target)) fail('the target shape must be an array of integers');
  for (const v of target) if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`invalid value ${describeValue(v)}`);
  const src = reverse ? [...input].reverse() : [...input];
  const spec = reverse ? reverseSpec(target) : [...target];
  const out: number[] = [];
  let inferAt = -1;
  let i = 0; // position in src
  for (let k = 0; k < spec.length; k++) {
    const v = spec[k]!;
    if (v > 0) {
      out.push(v);
      i++;
    } else if (v === 0) {
      if (i >= src.length) fail('0 refers past the last input dimension');
      out.push(src[i++]!);
    } else if (v === -1) {
      if (inferAt >= 0) fail('more than one -1');
      inferAt = out.length;
      out.push(1);
      i++;
    } else if (v === -2) {
      while (i < src.length) out.push(src[i++]!);
    } else if (v === -3) {
      if (i + 1 >= src.length) fail('-3 needs two input dimensions');
      out.push(src[i]! * src[i + 1]!);
      i += 2;
    } else if (v === -4) {
      if (i >= src.length) fail('-4 refers past the last input dimension');
      if (k + 2 >= spec.length) fail('-4 must be followed by two values');
      const d = src[i++]!;
      let a = spec[++k]!;
      let b = spec[++k]!;
      if (a === -1 && b === -1) fail('-4 cannot split into two -1');
      if (a === -1) a = d / b;
      if (b === -1) b = d / a;
      if (!Number.isInteger(a) || !Number.isInteger(b) || a * b !== d) fail(`-4 cannot split ${d} into ${a} x ${b}`);
      out.push(a, b);
    } else {
      fail(`invalid value ${v}`);
    }
  }
  const total = input.reduce((p, d) => p * d, 1);
  if (inferAt >= 0) {
    const known = out.reduce((p, d, idx) => (idx === inferAt ? p : p * d), 1);
    if (known === 0 || total % known !== 0) fail('the -1 dimension cannot be inferred');
    out[inferAt] = total / known;
  }
  checkShape(out, 'reshape', 'the resolved shape');
  if (out.reduce((p, d) => p * d, 1) !== total) fail('the sizes differ');
  return reverse ? out.reverse() : out;
}

// In reverse mode the -4 groups keep their (a, b) order when the whole spec is reversed.
function reverseSpec(target: readonly number[]): number[] {
  const groups: number[][] = [];
  for (let k = 0; k < target.length; k++) {
    if (target[k] === -4) {
      groups.push([-4, target[k + 2]!, target[k + 1]!]);
      k += 2;
    } else {
      groups.push([target[k]!]);
    }
  }
  return groups.reverse().flat();
}

export function fmt(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
