/** Comparisons and logical ops: results are bool tensors, and carry no gradient. */
import { Tensor, type TensorOrNumber } from '../tensor-core.js';
import { makeBinaryLoop, makeUnaryLoop, type BinaryLoop } from '../kernels/strided.js';
import { broadcastBinary, mapUnary } from './raw/elementwise.js';
import { asOperand, expectTensor } from './helpers.js';

function comparison(name: string, test: string): (a: Tensor, b: TensorOrNumber) => Tensor {
  const loop: BinaryLoop = makeBinaryLoop(name, `(${test} ? 1 : 0)`);
  return (a, b) => {
    expectTensor(a, name, 'input');
    return broadcastBinary(a, asOperand(b, a, name, 'other'), name, loop, 'bool');
  };
}

/** Elementwise `a == b` (bool). */
export const eq = comparison('eq', 'x === y');
/** Elementwise `a != b` (bool). */
export const ne = comparison('ne', 'x !== y');
export const lt = comparison('lt', 'x < y');
export const le = comparison('le', 'x <= y');
export const gt = comparison('gt', 'x > y');
export const ge = comparison('ge', 'x >= y');

const andLoop = makeBinaryLoop('logicalAnd', '(x !== 0 && y !== 0 ? 1 : 0)');
const orLoop = makeBinaryLoop('logicalOr', '(x !== 0 || y !== 0 ? 1 : 0)');
const notLoop = makeUnaryLoop('logicalNot', '(x === 0 ? 1 : 0)');
const nanLoop = makeUnaryLoop('isnan', '(x !== x ? 1 : 0)');
const finiteLoop = makeUnaryLoop('isfinite', '(x - x === 0 ? 1 : 0)');

export function logicalAnd(a: Tensor, b: Tensor): Tensor {
  return broadcastBinary(expectTensor(a, 'logicalAnd', 'input'), expectTensor(b, 'logicalAnd', 'other'), 'logicalAnd', andLoop, 'bool');
}
export function logicalOr(a: Tensor, b: Tensor): Tensor {
  return broadcastBinary(expectTensor(a, 'logicalOr', 'input'), expectTensor(b, 'logicalOr', 'other'), 'logicalOr', orLoop, 'bool');
}
export function logicalNot(a: Tensor): Tensor {
  return mapUnary(expectTensor(a, 'logicalNot', 'input'), notLoop, 'bool');
}
/** Where elements are NaN (bool). */
export function isnan(a: Tensor): Tensor {
  return mapUnary(expectTensor(a, 'isnan', 'input'), nanLoop, 'bool');
}
/** Where elements are finite: not NaN and not ±Infinity (bool). */
export function isfinite(a: Tensor): Tensor {
  return mapUnary(expectTensor(a, 'isfinite', 'input'), finiteLoop, 'bool');
}

/** Whether any element is non-zero (0-d bool). */
export function any(a: Tensor): Tensor {
  const v = expectTensor(a, 'any', 'input').toTypedArray();
  return new Tensor(new Uint8Array([v.some((x) => x !== 0) ? 1 : 0]), []);
}

/** Whether every element is non-zero (0-d bool). */
export function all(a: Tensor): Tensor {
  const v = expectTensor(a, 'all', 'input').toTypedArray();
  return new Tensor(new Uint8Array([v.every((x) => x !== 0) ? 1 : 0]), []);
}
