/** `F.linear`, the product behind `nn.Linear` and every projection in the recurrent and attention layers. */
import type { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import { isFloating } from '../dtype.js';
import { matmul, matmulBias } from '../ops/matmul.js';
import { add } from '../ops/binary.js';
import { expectTensor } from '../ops/helpers.js';

/**
 * y = x Wᵀ + b, with x [..., inFeatures], weight [outFeatures, inFeatures], bias [outFeatures].
 * When x has a batch dimension and all three share one floating dtype, the bias is added
 * inside the product (`matmulBias`: the same bits as the product followed by the add);
 * otherwise (1-D x, mixed dtypes) it is the product followed by a broadcast add.
 * @example linear(x, fc.weight, fc.bias)
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  expectTensor(x, 'linear', 'input');
  expectTensor(weight, 'linear', 'weight');
  if (weight.ndim !== 2) throw new RangeError(`linear: weight must be 2-D [outFeatures, inFeatures], got ${fmt(weight.shape)}`);
  const inF = weight.shape[1]!;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new RangeError(`linear: expected input [..., ${inF}] (inFeatures=${inF}), got ${fmt(x.shape)}`);
  }
  if (bias == null) return matmul(x, weight.mT);
  expectTensor(bias, 'linear', 'bias');
  if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) {
    throw new RangeError(`linear: bias must have shape [${weight.shape[0]}], got ${fmt(bias.shape)}`);
  }
  if (x.ndim >= 2 && isFloating(x.dtype) && x.dtype === weight.dtype && x.dtype === bias.dtype) {
    return matmulBias(x, weight.mT, bias);
  }
  return add(matmul(x, weight.mT), bias);
}
