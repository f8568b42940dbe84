/**
 * Fused pointwise parts of the LSTM and GRU steps: everything after the matrix products,
 * in one pass forward and one pass backward, instead of a dozen elementwise ops with a
 * tensor each. They are tested against the same maths composed from primitive ops
 * (test/engine/ops/recurrent.test.ts).
 *
 * Each returns one packed tensor whose column blocks are the step's results; callers take
 * views of the blocks (the backward engine gathers the blocks' gradients sparsely).
 */
import { allocate, type FloatArray } from '../dtype.js';
import { fmt } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { asContiguous } from './raw/layout.js';
import { expectFloat, expectTensor } from './helpers.js';

function rows(t: Tensor, cols: number, op: string, arg: string): FloatArray {
  expectTensor(t, op, arg);
  expectFloat(t, op, arg);
  if (t.ndim !== 2 || t.shape[1] !== cols) throw new RangeError(`${op}: ${arg} must be [batch, ${cols}], got ${fmt(t.shape)}`);
  const c = asContiguous(t);
  return (c.offset === 0 && c.data.length === c.numel() ? c.data : c.toTypedArray()) as FloatArray;
}


/**
 * The LSTM step after the products: `pre` = W_ih x + b_ih + W_hh h + b_hh ([batch, 4H],
 * gate order i, f, g, o) and the previous cell state `c` ([batch, H]) give the packed
 * [batch, 6H] tensor [h' | c' | i | f | g | o] with
 * i = σ, f = σ, g = tanh, o = σ of their blocks, c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
 */
export function lstmPointwise(pre: Tensor, c: Tensor): Tensor {
  const op = 'lstmPointwise';
  expectTensor(c, op, 'c');
  const H = c.shape[1]!;
  const B = c.shape[0]!;
  const p = rows(pre, 4 * H, op, 'pre');
  const cv = rows(c, H, op, 'c');
  if (pre.shape[0] !== B) throw new RangeError(`${op}: pre [${pre.shape}] and c [${c.shape}] differ in batch size`);
  const dtype = pre.dtype === 'float64' || c.dtype === 'float64' ? 'float64' : 'float32';
  const out = allocate(dtype, B * 6 * H) as FloatArray;
  // tanh(c') is needed again in backward; keeping it saves the costliest recomputation.
  const tanhC = new Float64Array(B * H);
  lstmForward(p, cv, out, tanhC, B, H);
  const result = new Tensor(out, [B, 6 * H]);
  const node = record(result, 'LstmPointwiseBackward', [pre, c], (grad, needs) => {
    const G = rows(grad, 6 * H, op, 'grad');
    const dPre = needs[0] ? (allocate(grad.dtype, B * 4 * H) as FloatArray) : null;
    const dC = needs[1] ? (allocate(grad.dtype, B * H) as FloatArray) : null;
    lstmBackward(G, cv, out, tanhC, dPre, dC, B, H);
    return [dPre ? new Tensor(dPre, [B, 4 * H]) : null, dC ? new Tensor(dC, [B, H]) : null];
  });
  if (node) {
    node.save(c);
    node.save(result);
  }
  return result;
}

/**
 * The GRU step after the products: `xProj` = W_ih x + b_ih and `hProj` = W_hh h + b_hh
 * ([batch, 3H], gate order r, z, n) and the previous state `h` ([batch, H]) give the
 * packed [batch, 4H] tensor [h' | r | z | n] with r = σ(x_r + h_r), z = σ(x_z + h_z),
 * n = tanh(x_n + r ⊙ h_n), h' = (1 - z) ⊙ n + z ⊙ h.
 */
export function gruPointwise(xProj: Tensor, hProj: Tensor, h: Tensor): Tensor {
  const op = 'gruPointwise';
  expectTensor(h, op, 'h');
  const H = h.shape[1]!;
  const B = h.shape[0]!;
  const xp = rows(xProj, 3 * H, op, 'xProj');
  const hp = rows(hProj, 3 * H, op, 'hProj');
  const hv = rows(h, H, op, 'h');
  if (xProj.shape[0] !== B || hProj.shape[0] !== B) throw new RangeError(`${op}: xProj, hProj and h differ in batch size`);
  const dtype = [xProj, hProj, h].some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
  const out = allocate(dtype, B * 4 * H) as FloatArray;
  gruForward(xp, hp, hv, out, B, H);
  const result = new Tensor(out, [B, 4 * H]);
  const node = record(result, 'GruPointwiseBackward', [xProj, hProj, h], (grad, needs) => {
    const G = rows(grad, 4 * H, op, 'grad');
    const dX = needs[0] ? (allocate(grad.dtype, B * 3 * H) as FloatArray) : null;
    const dHp = needs[1] ? (allocate(grad.dtype, B * 3 * H) as FloatArray) : null;
    const dH = needs[2] ? (allocate(grad.dtype, B * H) as FloatArray) : null;
    gruBackward(G, hp, hv, out, dX, dHp, dH, B, H);
    return [dX ? new Tensor(dX, [B, 3 * H]) : null, dHp ? new Tensor(dHp, [B, 3 * H]) : null, dH ? new Tensor(dH, [B, H]) : null];
  });
  if (node) {
    node.save(hProj);
    node.save(h);
    node.save(result);
  }
  return result;
}

// The loops live in small functions of their own: inside the op functions (which also
// build closures) V8 gave up inlining and they ran ~1.5x slower. Sigmoids are written out
// for the same reason; the branch keeps exp() from overflowing.

function lstmForward(p: FloatArray, cv: FloatArray, out: FloatArray, tanhC: Float64Array, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    const pb = b * 4 * H;
    const ob = b * 6 * H;
    const cb = b * H;
    for (let j = 0; j < H; j++) {
      const xi = p[pb + j]!;
      const xf = p[pb + H + j]!;
      const xo = p[pb + 3 * H + j]!;
      const i = xi >= 0 ? 1 / (1 + Math.exp(-xi)) : 1 - 1 / (1 + Math.exp(xi));
      const f = xf >= 0 ? 1 / (1 + Math.exp(-xf)) : 1 - 1 / (1 + Math.exp(xf));
      const o = xo >= 0 ? 1 / (1 + Math.exp(-xo)) : 1 - 1 / (1 + Math.exp(xo));
      const g = Math.tanh(p[pb + 2 * H + j]!);
      const cn = f * cv[cb + j]! + i * g;
      const th = Math.tanh(cn);
      tanhC[cb + j] = th;
      out[ob + j] = o * th;
      out[ob + H + j] = cn;
      out[ob + 2 * H + j] = i;
      out[ob + 3 * H + j] = f;
      out[ob + 4 * H + j] = g;
      out[ob + 5 * H + j] = o;
    }
  }
}

function lstmBackward(
  G: FloatArray,
  cv: FloatArray,
  out: FloatArray,
  tanhC: Float64Array,
  dPre: FloatArray | null,
  dC: FloatArray | null,
  B: number,
  H: number,
): void {
  for (let b = 0; b < B; b++) {
    const ob = b * 6 * H;
    const pb = b * 4 * H;
    const cb = b * H;
    for (let j = 0; j < H; j++) {
      const i = out[ob + 2 * H + j]!;
      const f = out[ob + 3 * H + j]!;
      const g = out[ob + 4 * H + j]!;
      const o = out[ob + 5 * H + j]!;
      const th = tanhC[cb + j]!;
      const gh = G[ob + j]!;
      // Total gradient reaching c': directly, and through h' = o ⊙ tanh(c').
      const gc = G[ob + H + j]! + gh * o * (1 - th * th);
      if (dPre !== null) {
        const di = gc * g + G[ob + 2 * H + j]!;
        const df = gc * cv[cb + j]! + G[ob + 3 * H + j]!;
        const dg = gc * i + G[ob + 4 * H + j]!;
        const dout = gh * th + G[ob + 5 * H + j]!;
        dPre[pb + j] = di * i * (1 - i);
        dPre[pb + H + j] = df * f * (1 - f);
        dPre[pb + 2 * H + j] = dg * (1 - g * g);
        dPre[pb + 3 * H + j] = dout * o * (1 - o);
      }
      if (dC !== null) dC[cb + j] = gc * f;
    }
  }
}

function gruForward(xp: FloatArray, hp: FloatArray, hv: FloatArray, out: FloatArray, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    const pb = b * 3 * H;
    const ob = b * 4 * H;
    const hb = b * H;
    for (let j = 0; j < H; j++) {
      const xr = xp[pb + j]! + hp[pb + j]!;
      const xz = xp[pb + H + j]! + hp[pb + H + j]!;
      const r = xr >= 0 ? 1 / (1 + Math.exp(-xr)) : 1 - 1 / (1 + Math.exp(xr));
      const z = xz >= 0 ? 1 / (1 + Math.exp(-xz)) : 1 - 1 / (1 + Math.exp(xz));
      const n = Math.tanh(xp[pb + 2 * H + j]! + r * hp[pb + 2 * H + j]!);
      out[ob + j] = n + z * (hv[hb + j]! - n);
      out[ob + H + j] = r;
      out[ob + 2 * H + j] = z;
      out[ob + 3 * H + j] = n;
    }
  }
}

function gruBackward(
  G: FloatArray,
  hp: FloatArray,
  hv: FloatArray,
  out: FloatArray,
  dX: FloatArray | null,
  dHp: FloatArray | null,
  dH: FloatArray | null,
  B: number,
  H: number,
): void {
  for (let b = 0; b < B; b++) {
    const ob = b * 4 * H;
    const pb = b * 3 * H;
    const hb = b * H;
    for (let j = 0; j < H; j++) {
      const r = out[ob + H + j]!;
      const z = out[ob + 2 * H + j]!;
      const n = out[ob + 3 * H + j]!;
      const gh = G[ob + j]!;
      const dn = gh * (1 - z) + G[ob + 3 * H + j]!;
      const dz = gh * (hv[hb + j]! - n) + G[ob + 2 * H + j]!;
      const dPreN = dn * (1 - n * n);
      const dr = dPreN * hp[pb + 2 * H + j]! + G[ob + H + j]!;
      const dPreR = dr * r * (1 - r);
      const dPreZ = dz * z * (1 - z);
      if (dX !== null) {
        dX[pb + j] = dPreR;
        dX[pb + H + j] = dPreZ;
        dX[pb + 2 * H + j] = dPreN;
      }
      if (dHp !== null) {
        dHp[pb + j] = dPreR;
        dHp[pb + H + j] = dPreZ;
        dHp[pb + 2 * H + j] = dPreN * r;
      }
      if (dH !== null) dH[hb + j] = gh * z;
    }
  }
}
