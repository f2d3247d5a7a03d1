// The built-in optimizers, registered under MXNet's names (the class names in lower case, spelled out
// so that a bundler renaming classes cannot change them).
import { register } from '../optimizer.js';
import { AdaDelta } from './adadelta.js';
import { AdaGrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import { FTML } from './ftml.js';
import { Ftrl } from './ftrl.js';
import { LAMB } from './lamb.js';
import { Nadam } from './nadam.js';
import { NAG } from './nag.js';
import { RMSProp } from './rmsprop.js';
import { SGD } from './sgd.js';
import { SGLD } from './sgld.js';
import { Signum } from './signum.js';

register(SGD, 'sgd');
register(NAG, 'nag');
register(Adam, 'adam');
register(AdaGrad, 'adagrad');
register(RMSProp, 'rmsprop');
register(AdaDelta, 'adadelta');
register(Adamax, 'adamax');
register(Nadam, 'nadam');
register(Ftrl, 'ftrl');
register(FTML, 'ftml');
register(Signum, 'signum');
register(LAMB, 'lamb');
register(SGLD, 'sgld');

export { AdaDelta, type AdaDeltaOptions } from './adadelta.js';
export { AdaGrad, type AdaGradOptions } from './adagrad.js';
export { Adam, type AdamOptions } from './adam.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { FTML, type FTMLOptions } from './ftml.js';
export { Ftrl, type FtrlOptions } from './ftrl.js';
export { LAMB, type LAMBOptions } from './lamb.js';
export { Nadam, type NadamOptions } from './nadam.js';
export { NAG, type NAGOptions } from './nag.js';
export { RMSProp, type RMSPropOptions } from './rmsprop.js';
export { SGD, type SGDOptions } from './sgd.js';
export { SGLD } from './sgld.js';
export { Signum, type SignumOptions } from './signum.js';
