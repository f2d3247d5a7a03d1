// LinearRegressionOutput: identity forward; gradient grad_scale / m * (out - label).

import { defineRegression } from './define-regression.js';

export const { op: linearRegressionOutput, backward: linearRegressionOutputBackward } = defineRegression({
  name: 'LinearRegressionOutput',
  describe: 'Identity forward; squared-loss gradient backward.',
  kernel: 'linear_regression_output',
  backward: '_backward_linear_reg_out',
});
