import { describe, expect, it } from 'vitest';
import { logTicks, niceTicks } from '../../../../engine/src/display/svg/ticks.js';

describe('ticks', () => {
  it('picks round linear ticks inside the range', () => {
    expect(niceTicks(0, 0.93)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it('picks powers of ten on log axes, with 2 and 5 on short ranges', () => {
    expect(logTicks(1e-3, 100)).toEqual([1e-3, 0.01, 0.1, 1, 10, 100]);
    expect(logTicks(1e-6, 10)).toEqual([1e-6, 1e-4, 1e-2, 1]); // every other decade
    expect(logTicks(0.05, 3)).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2]);
  });
});
