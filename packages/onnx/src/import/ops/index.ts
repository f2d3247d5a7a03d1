// Registers every operator mapping of importONNX.

import './batch-norm.js';
import './binary.js';
import './constant-of-shape.js';
import './conv.js';
import './gather.js';
import './gemm.js';
import './identity.js';
import './matmul.js';
import './pool.js';
import './reshape.js';
import './rnn.js';
import './shape-ops.js';
import './softmax.js';
import './squeeze.js';
import './unary.js';
