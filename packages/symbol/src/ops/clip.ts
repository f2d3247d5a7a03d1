// clip: limits every element to [a_min, a_max]; the gradient passes where a_min <= x <= a_max
// (`_backward_clip`, from the input). Unlike the other unary ops MXNet does not compute it in place.

import { AttrSchema, attr, type ParamsOf } from '../attrs.js';
import { defineUnary } from './define-unary.js';

const spec = {
  aMin: attr.float({ required: true, describe: 'Minimum value.' }),
  aMax: attr.float({ required: true, describe: 'Maximum value.' }),
};
export type ClipParams = ParamsOf<typeof spec>;

export const { op: clip, backward: clipBackward } = defineUnary<ClipParams>({
  name: 'clip',
  describe: 'Clips the values of an array to [a_min, a_max].',
  attrs: new AttrSchema(spec),
  kernel: 'clip',
  gradient: { op: '_backward_clip', use: 'in', kernel: 'clip_backward', hidden: {} },
});
