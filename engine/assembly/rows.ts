// Row-wise kernels over contiguous [rows][n] float32 blocks: softmax and log-softmax
// forward and backward, layer normalisation forward and backward. Same maths as the
// TypeScript loops in engine/src/ops (the reference), in float32 SIMD with float32
// exp (simd-math.ts); reductions along a row use four partial sums.

import { expNeg4, expNeg1 } from './simd-math';

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** The maximum of a row, NaN if any element is NaN (as the reference). */
function rowMax(x: usize, n: i32): f32 {
  // pmax is one instruction (max is a dozen in V8); it skips NaN, so NaN is tracked aside.
  let m = f32x4.splat(-Infinity);
  let nan = i32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v = v128.load(x + (<usize>j << 2));
    m = f32x4.pmax(m, v);
    nan = v128.or(nan, f32x4.ne(v, v));
  }
  let r = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  if (v128.any_true(nan)) r = NaN;
  for (; j < n; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    if (v > r || v != v) r = v;
  }
  return r;
}

/**
 * softmax (log = 0) or log-softmax (log = 1) of every row of x into out (which may be x).
 * A row of all -Infinity (fully masked) gives NaN, as in PyTorch.
 */
export function softmaxRows(x: usize, out: usize, rows: i32, n: i32, log: i32): void {
  const rowB = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const m = rowMax(x, n);
    const vm = f32x4.splat(m);
    let s4 = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const e = expNeg4(f32x4.sub(v128.load(x + o), vm));
      if (!log) v128.store(out + o, e);
      s4 = f32x4.add(s4, e);
    }
    let s = hsum(s4);
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const e = expNeg1(load<f32>(x + o) - m);
      if (!log) store<f32>(out + o, e);
      s += e;
    }
    if (log) {
      const lse = f32x4.splat(m + Mathf.log(s));
      j = 0;
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, f32x4.sub(v128.load(x + o), lse));
      }
      const l = m + Mathf.log(s);
      for (; j < n; j++) store<f32>(out + (<usize>j << 2), load<f32>(x + (<usize>j << 2)) - l);
    } else {
      const inv: f32 = 1 / s;
      const vi = f32x4.splat(inv);
      j = 0;
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, f32x4.mul(v128.load(out + o), vi));
      }
      for (; j < n; j++) store<f32>(out + (<usize>j << 2), load<f32>(out + (<usize>j << 2)) * inv);
    }
    x += rowB;
    out += rowB;
  }
}

/**
 * Backward of softmaxRows from its output y and the output gradient g, into gx (which
 * may be g): softmax gx = y (g - Σ g y); log-softmax gx = g - exp(y) Σ g.
 */
export function softmaxBackwardRows(y: usize, g: usize, gx: usize, rows: i32, n: i32, log: i32): void {
  const rowB = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    let s4 = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const gv = v128.load(g + o);
      s4 = f32x4.add(s4, log ? gv : f32x4.mul(gv, v128.load(y + o)));
    }
    let s = hsum(s4);
    for (; j < n; j++) {
      const o = <usize>j << 2;
      s += log ? load<f32>(g + o) : load<f32>(g + o) * load<f32>(y + o);
    }
    const vs = f32x4.splat(s);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const gv = v128.load(g + o), yv = v128.load(y + o);
      v128.store(gx + o, log ? f32x4.sub(gv, f32x4.mul(expNeg4(yv), vs)) : f32x4.mul(yv, f32x4.sub(gv, vs)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const gv = load<f32>(g + o), yv = load<f32>(y + o);
      store<f32>(gx + o, log ? gv - expNeg1(yv) * s : yv * (gv - s));
    }
    y += rowB;
    g += rowB;
    gx += rowB;
  }
}

/**
 * Layer normalisation of every row (D floats) of x: out = (x - mean) / sqrt(var + eps)
 * * w + b (w, b: D floats, or 0 for none), with the biased variance (two passes). Saves
 * the normalised rows in xhat (rows x D) and 1 / sqrt(var + eps) in rstd (rows) for the
 * backward.
 */
export function layerNormRows(x: usize, w: usize, b: usize, out: usize, xhat: usize, rstd: usize, rows: i32, D: i32, eps: f32): void {
  const rowB = <usize>D << 2;
  const invD: f32 = 1 / <f32>D;
  for (let r = 0; r < rows; r++) {
    let s4 = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= D; j += 4) s4 = f32x4.add(s4, v128.load(x + (<usize>j << 2)));
    let s = hsum(s4);
    for (; j < D; j++) s += load<f32>(x + (<usize>j << 2));
    const m = s * invD;
    const vm = f32x4.splat(m);
    let q4 = f32x4.splat(0);
    j = 0;
    for (; j + 4 <= D; j += 4) {
      const d = f32x4.sub(v128.load(x + (<usize>j << 2)), vm);
      q4 = f32x4.add(q4, f32x4.mul(d, d));
    }
    let q = hsum(q4);
    for (; j < D; j++) {
      const d = load<f32>(x + (<usize>j << 2)) - m;
      q += d * d;
    }
    const rs: f32 = 1 / Mathf.sqrt(q * invD + eps);
    store<f32>(rstd + (<usize>r << 2), rs);
    const vr = f32x4.splat(rs);
    j = 0;
    for (; j + 4 <= D; j += 4) {
      const o = <usize>j << 2;
      const h = f32x4.mul(f32x4.sub(v128.load(x + o), vm), vr);
      v128.store(xhat + o, h);
      let y = w != 0 ? f32x4.mul(h, v128.load(w + o)) : h;
      if (b != 0) y = f32x4.add(y, v128.load(b + o));
      v128.store(out + o, y);
    }
    for (; j < D; j++) {
      const o = <usize>j << 2;
      const h = (load<f32>(x + o) - m) * rs;
      store<f32>(xhat + o, h);
      store<f32>(out + o, h * (w != 0 ? load<f32>(w + o) : 1) + (b != 0 ? load<f32>(b + o) : 0));
    }
    x += rowB;
    out += rowB;
    xhat += rowB;
  }
}

/** Rows of the layer-norm backward summed in float32 before each float64 flush (bounds the rounding of dw, db). */
// @ts-ignore: decorator
@inline const FLUSH_ROWS: i32 = 32;

/**
 * Backward of layerNormRows from the output gradient g: gx (rows x D, or 0 when not
 * needed) = rstd (g w - mean(g w) - xhat mean(g w xhat)); dw += Σ_rows g xhat and
 * db += Σ_rows g into float64 accumulators (D doubles each, or 0), through the float32
 * scratch `part` (2 D floats).
 */
export function layerNormBackwardRows(
  g: usize, w: usize, xhat: usize, rstd: usize, gx: usize, dw: usize, db: usize, part: usize, rows: i32, D: i32,
): void {
  const rowB = <usize>D << 2;
  const invD: f32 = 1 / <f32>D;
  const pw = part, pb = part + rowB;
  memory.fill(part, 0, rowB * 2);
  for (let r = 0; r < rows; r++) {
    // The parameter gradients first: gx may overwrite g in place.
    if (dw != 0 || db != 0) {
      let j = 0;
      for (; j + 4 <= D; j += 4) {
        const o = <usize>j << 2;
        const gv = v128.load(g + o);
        if (dw != 0) v128.store(pw + o, f32x4.add(v128.load(pw + o), f32x4.mul(gv, v128.load(xhat + o))));
        if (db != 0) v128.store(pb + o, f32x4.add(v128.load(pb + o), gv));
      }
      for (; j < D; j++) {
        const o = <usize>j << 2;
        const gv = load<f32>(g + o);
        if (dw != 0) store<f32>(pw + o, load<f32>(pw + o) + gv * load<f32>(xhat + o));
        if (db != 0) store<f32>(pb + o, load<f32>(pb + o) + gv);
      }
      if ((r + 1) % FLUSH_ROWS == 0 || r == rows - 1) {
        for (let k = 0; k < D; k++) {
          const o = <usize>k << 2, o8 = <usize>k << 3;
          if (dw != 0) store<f64>(dw + o8, load<f64>(dw + o8) + <f64>load<f32>(pw + o));
          if (db != 0) store<f64>(db + o8, load<f64>(db + o8) + <f64>load<f32>(pb + o));
        }
        memory.fill(part, 0, rowB * 2);
      }
    }
    if (gx != 0) {
      let sg4 = f32x4.splat(0), sgx4 = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= D; j += 4) {
        const o = <usize>j << 2;
        const gh = w != 0 ? f32x4.mul(v128.load(g + o), v128.load(w + o)) : v128.load(g + o);
        sg4 = f32x4.add(sg4, gh);
        sgx4 = f32x4.add(sgx4, f32x4.mul(gh, v128.load(xhat + o)));
      }
      let sg = hsum(sg4), sgx = hsum(sgx4);
      for (; j < D; j++) {
        const o = <usize>j << 2;
        const gh = load<f32>(g + o) * (w != 0 ? load<f32>(w + o) : 1);
        sg += gh;
        sgx += gh * load<f32>(xhat + o);
      }
      const rs = load<f32>(rstd + (<usize>r << 2));
      const mg = sg * invD, mgx = sgx * invD;
      const vrs = f32x4.splat(rs), vmg = f32x4.splat(mg), vmgx = f32x4.splat(mgx);
      j = 0;
      for (; j + 4 <= D; j += 4) {
        const o = <usize>j << 2;
        const gh = w != 0 ? f32x4.mul(v128.load(g + o), v128.load(w + o)) : v128.load(g + o);
        v128.store(gx + o, f32x4.mul(vrs, f32x4.sub(f32x4.sub(gh, vmg), f32x4.mul(v128.load(xhat + o), vmgx))));
      }
      for (; j < D; j++) {
        const o = <usize>j << 2;
        const gh = load<f32>(g + o) * (w != 0 ? load<f32>(w + o) : 1);
        store<f32>(gx + o, rs * (gh - mg - load<f32>(xhat + o) * mgx));
      }
      gx += rowB;
    }
    g += rowB;
    xhat += rowB;
  }
}

/**
 * out[j] (float64) = Σ_r x[r][j] over `rows` rows of `cols` floats, each column summed in
 * float64 from row 0 down: the reference's order, so the same bits (the sums of
 * broadcast gradients, e.g. a bias's gradient over a batch).
 */
export function columnSumsF64(x: usize, rows: i32, cols: i32, out: usize): void {
  memory.fill(out, 0, <usize>cols << 3);
  const rowB = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const v = v128.load(x + (<usize>j << 2));
      const o = out + (<usize>j << 3);
      v128.store(o, f64x2.add(v128.load(o), f64x2.promote_low_f32x4(v)));
      v128.store(o, f64x2.add(v128.load(o, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
    }
    for (; j < cols; j++) {
      const o = out + (<usize>j << 3);
      store<f64>(o, load<f64>(o) + <f64>load<f32>(x + (<usize>j << 2)));
    }
    x += rowB;
  }
}
