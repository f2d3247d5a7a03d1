// MAERegressionOutput: identity forward; gradient grad_scale / m * sign(out - label).

import { defineRegression } from './define-regression.js';

export const { op: maeRegressionOutput, backward: maeRegressionOutputBackward } = defineRegression({
  name: 'MAERegressionOutput',
  describe: 'Identity forward; absolute-loss gradient backward.',
  kernel: 'mae_regression_output',
  backward: '_backward_mae_reg_out',
});
