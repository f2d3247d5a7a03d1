// The downstream BaseModule subclass of examples/ (the module README's contract, as a user writes it).
import { describe, expect, it } from 'vitest';

import { trainCountingModule } from '../examples/counting-module.js';

describe('examples/counting-module.ts', () => {
  it('trains through the inherited fit and score, passing every batch through the subclass', () => {
    const { samplesTrained, accuracy } = trainCountingModule(3);
    expect(samplesTrained).toBe(3 * 200);
    expect(accuracy).toBeGreaterThan(0.9);
  });
});
