// LogisticRegressionOutput: sigmoid forward; gradient grad_scale / m * (out - label).

import { defineRegression } from './define-regression.js';

export const { op: logisticRegressionOutput, backward: logisticRegressionOutputBackward } = defineRegression({
  name: 'LogisticRegressionOutput',
  describe: 'Sigmoid forward; logistic-loss gradient backward.',
  kernel: 'logistic_regression_output',
  backward: '_backward_logistic_reg_out',
});
