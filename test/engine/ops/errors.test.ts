/**
 * Bad input gets an error naming the op, the argument and the shapes; no shape mistake
 * silently turns into NaN or a wrong broadcast.
 */
import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import * as E from '../../../engine/src/index.js';
import { tensor, zeros, randn, ones } from '../../../engine/src/index.js';

const ids = (v: number[]) => tensor(v, { dtype: 'int32' });

describe('errors name the op, the argument and the shapes', () => {
  it('broadcasting and matmul', () => {
    expect(() => zeros(2, 3).add(zeros(4, 3))).toThrow('add: shapes [2,3] and [4,3] cannot be broadcast together (dimension -2 is 2 vs 4)');
    expect(() => E.matmul(zeros(2, 3), zeros(4, 5))).toThrow('matmul: cannot multiply [2,3] by [4,5] (inner dimensions 3 and 4 differ)');
    expect(() => E.matmul(zeros(2, 2, 3), zeros(3, 3, 4))).toThrow('matmul: shapes [2] and [3] cannot be broadcast together');
    expect(() => E.matmul(zeros([]), zeros(2))).toThrow('matmul: both arguments need at least 1 dimension');
    expect(() => E.matmul(ids([1, 2]), ids([1, 2]))).toThrow('matmul: expects floating point tensors, got int32 and int32');
  });

  it('dims, joins and reductions', () => {
    expect(() => zeros(2, 3).sum(2)).toThrow('sum: dim=2 is out of range for a tensor with 2 dimensions (expected -2..1)');
    expect(() => zeros(2, 3).softmax(-3)).toThrow('softmax: dim=-3 is out of range');
    expect(() => E.cat([zeros(2, 3), zeros(2, 4)], 0)).toThrow('cat: sizes must match except in dimension 0: tensors[0] is [2,3] but tensors[1] is [2,4] (dimension 1)');
    expect(() => E.stack([zeros(2), zeros(3)])).toThrow('stack: all tensors must have the same shape: tensors[0] is [2] but tensors[1] is [3]');
    expect(() => zeros(5).split([2, 2])).toThrow('split: sizes [2,2] must be non-negative integers adding up to 5');
    expect(() => zeros(0).max()).toThrow('max: the tensor is empty (shape [0]); there is no maximum');
    expect(() => ones(1).var()).toThrow('var: reducing 1 element with correction=1 leaves no degrees of freedom (the result would be NaN); pass { correction: 0 } for the population variance');
    expect(() => ids([1, 2]).mean()).toThrow('mean: input must be a floating point tensor (float32 or float64), got int32; convert it with .float()');
  });

  it('indices, masks and dtypes', () => {
    expect(() => E.embedding(randn(5, 3), ids([1, 7]))).toThrow('embedding: index 7 at position [1] is out of range for an embedding table of 5 rows');
    expect(() => E.embedding(randn(5, 3), tensor([1, 2]))).toThrow("embedding: indices must be an int32 tensor of indices, got float32; create it with { dtype: 'int32' } or convert with .int()");
    expect(() => randn(3, 4).gather(1, tensor([[0], [5], [1]], { dtype: 'int32' }))).toThrow('gather: index 5 at position [1,0] is out of range for dimension 1 of size 4 (input [3,4])');
    expect(() => randn(3, 4).indexSelect(0, ids([3]))).toThrow('indexSelect: index 3 at position [0] is out of range for dimension 0 of size 3');
    expect(() => randn(2, 2).maskedFill(tensor([[1, 0]]), 0)).toThrow('maskedFill: mask must be a bool tensor, got float32');
    expect(() => randn(2, 2).maskedFill(tensor([[[true]], [[false]]]), 0)).toThrow('maskedFill: mask of shape [2,1,1] would enlarge the input [2,2] to [2,2,2]');
    expect(() => E.where(tensor([1]), 1, 2)).toThrow('where: condition must be a bool tensor, got float32');
    expect(() => zeros(2).add('x' as never)).toThrow('add: other must be a Tensor or a number, got "x"');
    expect(() => ids([-1]).pow(-1)).toThrow('pow: integers to negative integer powers are not allowed');
  });

  it('losses explain the shape conventions', () => {
    expect(() => E.crossEntropy(randn(4, 5), ids([0, 1, 2]))).toThrow('crossEntropy: input [4,5] has 5 classes in dimension 1, so the target must have shape [4], got [3]');
    expect(() => E.crossEntropy(randn(2, 3, 7), tensor([[0, 1, 2], [1, 1, 1]], { dtype: 'int32' }))).toThrow(
      'It looks like the classes are in the last dimension (size 7); PyTorch\'s convention puts them in dimension 1. Flatten first: input.reshape(-1, 7) and target.reshape(-1).',
    );
    expect(() => E.crossEntropy(randn(2, 3), ids([0, 3]))).toThrow('crossEntropy: target 3 at position [1] is out of bounds for 3 classes (valid: 0..2)');
    expect(() => E.crossEntropy(randn(2, 3), tensor([0, 1]))).toThrow('crossEntropy: target must be int32 class indices of shape [2] or class probabilities of the input\'s shape [2,3]; got float32 [2]');
    expect(() => E.mseLoss(randn(4, 1), randn(4))).toThrow('mseLoss: input [4,1] and target [4] differ in shape; broadcasting them would compare every prediction with every target');
    expect(() => E.layerNorm(randn(2, 8), [4])).toThrow('layerNorm: normalizedShape [4] does not match the last dimensions of input [2,8]');
    expect(() => E.crossEntropy(randn(2, 3), ids([0, 1]), { reduction: 'avg' as never })).toThrow("crossEntropy: reduction must be 'mean', 'sum' or 'none', got \"avg\"");
  });

  it('F.linear names inFeatures', () => {
    expect(() => E.F.linear(randn(2, 5), randn(3, 4))).toThrow('linear: expected input [..., 4] (inFeatures=4), got [2,5]');
  });
});

describe('dtypes of joins', () => {
  it('keeps bool masks bool and int indices int when concatenating or stacking them', () => {
    expect(E.cat([tensor([true]), tensor([false, true])]).dtype).toBe('bool');
    expect(E.stack([ids([1, 2]), ids([3, 4])]).dtype).toBe('int32');
    expect(E.cat([ids([1]), tensor([0.5])]).dtype).toBe('float32');
  });
});

describe('a tensor too large to allocate is named with its op, shape and bytes', () => {
  // Node says how many elements a typed array may hold (2^32 on 64-bit Node 20); every
  // size below is larger, so nothing here tries to get the memory.
  const limit = `more than the ${constants.MAX_LENGTH.toLocaleString('en-US')} elements a typed array can hold in this JavaScript engine`;
  const big = [100000, 100000];

  it('creation', () => {
    expect(constants.MAX_LENGTH).toBeLessThan(1e10);
    expect(() => randn(big)).toThrow(`randn: cannot allocate a float32 tensor of shape [100000,100000] (10,000,000,000 elements, 40,000,000,000 bytes (37.3 GiB)): ${limit}`);
    expect(() => zeros(big, { dtype: 'float64' })).toThrow('zeros: cannot allocate a float64 tensor of shape [100000,100000] (10,000,000,000 elements, 80,000,000,000 bytes (74.5 GiB))');
    expect(() => E.ones(big)).toThrow('ones: cannot allocate a float32 tensor of shape [100000,100000]');
    expect(() => E.full(big, true)).toThrow('full: cannot allocate a bool tensor of shape [100000,100000] (10,000,000,000 elements, 10,000,000,000 bytes (9.3 GiB))');
    expect(() => E.rand(big)).toThrow('rand: cannot allocate a float32 tensor');
    expect(() => E.randint(0, 5, big)).toThrow('randint: cannot allocate an int32 tensor');
    expect(() => E.eye(100000)).toThrow('eye: cannot allocate a float32 tensor of shape [100000,100000]');
    expect(() => E.arange(1e10)).toThrow('arange: cannot allocate an int32 tensor of shape [10000000000]');
  });

  it('results of ops larger than their inputs', () => {
    const col = zeros(100000, 1);
    const row = zeros(1, 100000);
    expect(() => col.add(row)).toThrow(`add: cannot allocate a float32 tensor of shape [100000,100000] (10,000,000,000 elements, 40,000,000,000 bytes (37.3 GiB)): ${limit}`);
    expect(() => E.matmul(col, row)).toThrow('matmul: cannot allocate a float32 tensor of shape [100000,100000]');
    expect(() => col.expand(big).exp()).toThrow('exp: cannot allocate a float32 tensor of shape [100000,100000]');
    expect(() => col.expand(big).contiguous()).toThrow('contiguous: cannot allocate a float32 tensor of shape [100000,100000]');
    expect(() => col.gt(row)).toThrow('gt: cannot allocate a bool tensor of shape [100000,100000]');
    expect(() => E.where(col.gt(0), col, row)).toThrow('where: cannot allocate a bool tensor of shape [100000,100000]');
  });
});
