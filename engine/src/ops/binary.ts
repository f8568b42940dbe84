/**
 * Broadcasting arithmetic: add, sub, mul, div, pow, maximum, minimum. Backward reduces
 * each gradient back to its input's shape (`sumTo`), so broadcasting is differentiable.
 */
import { allocate, promote, type DType } from '../dtype.js';
import { Tensor, type TensorOrNumber } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { makeBinaryLoop, type BinaryLoop } from '../kernels/strided.js';
import { asOperand } from './helpers.js';
import { broadcastBinary } from './raw/elementwise.js';
import { sumTo } from './raw/reduce.js';

const addLoop = makeBinaryLoop('add', 'x + y');
const subLoop = makeBinaryLoop('sub', 'x - y');
const mulLoop = makeBinaryLoop('mul', 'x * y');
const divLoop = makeBinaryLoop('div', 'x / y');
const powLoop = makeBinaryLoop('pow', 'Math.pow(x, y)');
const maxLoop = makeBinaryLoop('maximum', '(x > y || x !== x ? x : y)');
const minLoop = makeBinaryLoop('minimum', '(x < y || x !== x ? x : y)');

function operands(a: TensorOrNumber, b: TensorOrNumber, op: string): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, asOperand(b, a, op, 'other')];
  if (b instanceof Tensor) return [asOperand(a, b, op, 'input'), b];
  throw new TypeError(`${op}: at least one operand must be a Tensor`);
}

function arithDtype(a: Tensor, b: Tensor): DType {
  return promote(a.dtype === 'bool' ? 'int32' : a.dtype, b.dtype === 'bool' ? 'int32' : b.dtype);
}

/**
 * `a + alpha * b` with broadcasting.
 * @example add(x, 1); add(x, y); add(x, y, -0.5)
 */
export function add(a: TensorOrNumber, b: TensorOrNumber, alpha?: number): Tensor {
  if (alpha !== undefined && alpha !== 1) return add(a, mul(b, alpha));
  const [x, y] = operands(a, b, 'add');
  const out = broadcastBinary(x, y, 'add', addLoop, arithDtype(x, y));
  record(out, 'AddBackward', [x, y], (g, needs) => [needs[0] ? sumTo(g, x.shape) : null, needs[1] ? sumTo(g, y.shape) : null]);
  return out;
}

/** `a - alpha * b` with broadcasting. */
export function sub(a: TensorOrNumber, b: TensorOrNumber, alpha?: number): Tensor {
  if (alpha !== undefined && alpha !== 1) return add(a, mul(b, -alpha));
  const [x, y] = operands(a, b, 'sub');
  const out = broadcastBinary(x, y, 'sub', subLoop, arithDtype(x, y));
  record(out, 'SubBackward', [x, y], (g, needs) => [
    needs[0] ? sumTo(g, x.shape) : null,
    needs[1] ? sumTo(broadcastBinary(g, minusOne(g.dtype), 'sub', mulLoop, g.dtype), y.shape) : null, // -g
  ]);
  return out;
}

/** Elementwise product with broadcasting. */
export function mul(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands(a, b, 'mul');
  const out = broadcastBinary(x, y, 'mul', mulLoop, arithDtype(x, y));
  const node = record(out, 'MulBackward', [x, y], (g, needs) => [
    needs[0] ? sumTo(broadcastBinary(g, y, 'mul', mulLoop, g.dtype), x.shape) : null,
    needs[1] ? sumTo(broadcastBinary(g, x, 'mul', mulLoop, g.dtype), y.shape) : null,
  ]);
  if (node) {
    node.save(x);
    node.save(y);
  }
  return out;
}

/** True division with broadcasting (integer inputs give float32, as in PyTorch). */
export function div(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands(a, b, 'div');
  let dtype = arithDtype(x, y);
  if (dtype === 'int32') dtype = 'float32';
  const out = broadcastBinary(x, y, 'div', divLoop, dtype);
  const node = record(out, 'DivBackward', [x, y], (g, needs) => [
    needs[0] ? sumTo(broadcastBinary(g, y, 'div', divLoop, g.dtype), x.shape) : null,
    // d(x/y)/dy = -x / y^2 = -out / y
    needs[1] ? sumTo(broadcastBinary(broadcastBinary(g, out, 'div', mulLoop, g.dtype), y, 'div', negDivLoop, g.dtype), y.shape) : null,
  ]);
  if (node) {
    node.save(y);
    node.save(out);
  }
  return out;
}
const negDivLoop = makeBinaryLoop('negDiv', '-x / y');

/**
 * `a ** b` with broadcasting. Gradients follow PyTorch: d/da = b * a^(b-1) (zero where
 * b == 0), d/db = a^b * log(a) (zero where a == 0 and b >= 0).
 */
export function pow(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const [x, y] = operands(a, b, 'pow');
  const dtype = arithDtype(x, y);
  // A negative integer exponent of an int tensor has no int result; PyTorch refuses it too.
  if (dtype === 'int32' && y.toTypedArray().some((v) => v < 0)) {
    throw new RangeError('pow: integers to negative integer powers are not allowed; convert the base with .float()');
  }
  const out = broadcastBinary(x, y, 'pow', powLoop, dtype);
  const node = record(out, 'PowBackward', [x, y], (g, needs) => [
    needs[0] ? sumTo(powBaseGrad(g, x, y), x.shape) : null,
    needs[1] ? sumTo(powExpGrad(g, x, out), y.shape) : null,
  ]);
  if (node) {
    node.save(x);
    node.save(y);
    node.save(out);
  }
  return out;
}
const powBaseLoop = makeBinaryLoop('powBase', '(y === 0 ? 0 : y * Math.pow(x, y - 1))');
const powExpLoop = makeBinaryLoop('powExp', '(x === 0 ? 0 : y * Math.log(x))'); // y: the result x^e
function powBaseGrad(g: Tensor, x: Tensor, y: Tensor): Tensor {
  return broadcastBinary(g, broadcastBinary(x, y, 'pow', powBaseLoop, g.dtype), 'pow', mulLoop, g.dtype);
}
function powExpGrad(g: Tensor, x: Tensor, out: Tensor): Tensor {
  // PyTorch masks only where x == 0 and the exponent >= 0; for x == 0 and exponent < 0 the
  // result is inf and its gradient nan either way, so masking x == 0 matches in practice.
  return broadcastBinary(g, broadcastBinary(x, out, 'pow', powExpLoop, g.dtype), 'pow', mulLoop, g.dtype);
}

/** Elementwise maximum; at ties each input gets half the gradient (as PyTorch). NaN wins. */
export function maximum(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  return minmax(a, b, 'maximum', maxLoop, 1);
}

/** Elementwise minimum; at ties each input gets half the gradient (as PyTorch). NaN wins. */
export function minimum(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  return minmax(a, b, 'minimum', minLoop, -1);
}

const tieShareLoop = makeBinaryLoop('tieShare', '(x === y ? 0.5 : x > y ? 1 : 0)');
function minmax(a: TensorOrNumber, b: TensorOrNumber, op: string, loop: BinaryLoop, sign: 1 | -1): Tensor {
  const [x, y] = operands(a, b, op);
  const out = broadcastBinary(x, y, op, loop, arithDtype(x, y));
  const node = record(out, sign > 0 ? 'MaximumBackward' : 'MinimumBackward', [x, y], (g, needs) => {
    // share[i] = fraction of the gradient that goes to x.
    const share = sign > 0 ? broadcastBinary(x, y, op, tieShareLoop, g.dtype) : broadcastBinary(y, x, op, tieShareLoop, g.dtype);
    return [
      needs[0] ? sumTo(broadcastBinary(g, share, op, mulLoop, g.dtype), x.shape) : null,
      needs[1] ? sumTo(broadcastBinary(g, broadcastBinary(share, minusOne(g.dtype), op, addLoop, g.dtype), op, negMulLoop, g.dtype), y.shape) : null,
    ];
  });
  if (node) {
    node.save(x);
    node.save(y);
  }
  return out;
}
const negMulLoop = makeBinaryLoop('negMul', '-x * y');

function minusOne(dtype: DType): Tensor {
  const t = new Tensor(allocate(dtype, 1), []);
  t.data[0] = -1;
  return t;
}
