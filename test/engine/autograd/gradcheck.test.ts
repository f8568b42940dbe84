/** gradcheck itself: it passes correct gradients and catches wrong ones, with a useful message. */
import { describe, expect, it } from 'vitest';
import { gradcheck, randn, tensor, manualSeed, type Tensor } from '../../../engine/src/index.js';

describe('gradcheck', () => {
  it('accepts correct gradients, converting float32 inputs to float64', () => {
    manualSeed(2);
    const x = randn([3, 4], { requiresGrad: true });
    const w = randn([4, 2], { requiresGrad: true });
    expect(gradcheck((a, b) => a.matmul(b).tanh().mul(a.sum(1, true)), [x, w])).toBe(true);
  });

  it('catches a wrong gradient and names the output, input and element', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const wrong = (a: Tensor): Tensor => {
      const y = a.mul(2);
      if (y.requiresGrad) y.registerHook((g) => g.mul(3)); // corrupts the backward pass
      return y;
    };
    expect(() => gradcheck(wrong, [x])).toThrow(/gradcheck: Jacobian mismatch for output 0 with respect to input 0: d out\[0\] \/ d in\[0\] is 6 by autograd but (1\.9999|2\.0000)\d* by finite differences/);
    expect(gradcheck(wrong, [x], { raiseException: false })).toBe(false);
  });

  it('explains misuse', () => {
    expect(() => gradcheck((a) => a.mul(2), [tensor([1])])).toThrow('gradcheck: no input requires grad');
    expect(() => gradcheck((a) => a.detach(), [tensor([1], { requiresGrad: true })])).toThrow('gradcheck: none of the outputs requires grad');
  });
});
