// Registers every operator mapping of exportONNX.

import './activation.js';
import './batch-norm.js';
import './binary.js';
import './concat.js';
import './convolution.js';
import './embedding.js';
import './expand-dims.js';
import './flatten.js';
import './fully-connected.js';
import './pooling.js';
import './reshape.js';
import './rnn.js';
import './scalar.js';
import './slice-channel.js';
import './softmax-output.js';
import './softmax.js';
import './transpose.js';
import './unary.js';
import './zeros.js';
