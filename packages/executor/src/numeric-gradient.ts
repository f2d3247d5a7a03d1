// MXNet's check_numeric_gradient: the gradients backward() computes must match central finite
// differences of f(x) = Σ_k <output_k, proj_k> for a fixed random projection, all in float64.
import { BktError, type NDArray, fromTypedArray, random } from '@bkt/ndarray';
import type { Symbol } from '@bkt/symbol';

import { Executor } from './executor.js';

export class GradientCheckError extends BktError {}

export interface NumericGradientOptions {
  rtol?: number;
  atol?: number;
  /** Finite-difference step. */
  eps?: number;
  /** Arguments to check; default: every argument that is not in `noGrad`. */
  gradNodes?: readonly string[];
  /** Arguments that are inputs only (labels, indices): no gradient is computed for them. */
  noGrad?: readonly string[];
  auxStates?: Readonly<Record<string, NDArray>>;
}

/**
 * Binds `symbol` in float64 at `location` (values for every argument), runs forward+backward with a
 * random projection as the head gradient and compares each requested gradient with central
 * differences. Throws GradientCheckError naming the argument and element that differ.
 */
export function checkNumericGradient(
  symbol: Symbol,
  location: Readonly<Record<string, NDArray>>,
  opts: NumericGradientOptions = {},
): void {
  const { rtol = 1e-5, atol = 1e-7, eps = 1e-6 } = opts;
  const names = symbol.listArguments();
  const noGrad = new Set(opts.noGrad ?? []);
  const check = opts.gradNodes ?? names.filter((n) => !noGrad.has(n));
  const args = Object.fromEntries(names.map((n) => [n, location[n]!.astype('float64')]));
  const aux = Object.fromEntries(Object.entries(opts.auxStates ?? {}).map(([k, v]) => [k, v.astype('float64')]));
  const exec = Executor.bind(symbol, {
    args,
    auxStates: aux,
    gradReq: Object.fromEntries(names.map((n) => [n, check.includes(n) ? 'write' : 'null'])),
  });
  try {
    exec.forward({ isTrain: true });
    const projections = exec.outputs.map((o) => random.normal(0, 1, o.shape, { dtype: 'float64' }));
    const objective = (): number => {
      exec.forward({ isTrain: true });
      let f = 0;
      exec.outputs.forEach((o, k) => {
        const out = o.toTypedArray() as Float64Array;
        const proj = projections[k]!.toTypedArray() as Float64Array;
        for (let i = 0; i < out.length; i++) f += out[i]! * proj[i]!;
      });
      return f;
    };
    exec.forward({ isTrain: true });
    exec.backward(projections);
    const analytic = Object.fromEntries(check.map((n) => [n, exec.gradDict[n]!.toTypedArray() as Float64Array]));
    for (const name of check) {
      const arr = args[name]!;
      const x = arr.toTypedArray() as Float64Array;
      for (let i = 0; i < x.length; i++) {
        const orig = x[i]!;
        x[i] = orig + eps;
        assign(arr, x);
        const up = objective();
        x[i] = orig - eps;
        assign(arr, x);
        const down = objective();
        x[i] = orig;
        assign(arr, x);
        const numeric = (up - down) / (2 * eps);
        const got = analytic[name]![i]!;
        if (!(Math.abs(got - numeric) <= atol + rtol * Math.abs(numeric))) {
          throw new GradientCheckError(
            `checkNumericGradient: d/d${name}[${i}] is ${got} by backward() but ${numeric} by finite differences`,
          );
        }
      }
    }
    projections.forEach((p) => p.dispose());
  } finally {
    exec.dispose();
    for (const a of [...Object.values(args), ...Object.values(aux)]) a.dispose();
  }
}

function assign(target: NDArray, values: Float64Array): void {
  const staged = fromTypedArray(values, target.shape);
  staged.copyTo(target);
  staged.dispose();
}
