/**
 * Accelerated float32 kernels beyond the matrix product (whole recurrent layers,
 * softmax, layer norm, ...), installed by a backend the way `setGemmBackend` installs a
 * GEMM. Ops ask `fastKernels()` and keep their plain TypeScript loops as the reference
 * (and as the path for float64, and whenever nothing is installed or a kernel declines
 * by returning false).
 */

/**
 * One recurrent layer in one direction over a whole sequence, forward (float32, contiguous
 * arrays). G is the width of the pre-activations: 4H for an LSTM, 3H for a GRU, H for an
 * Elman RNN.
 */
export interface RecurrentForwardArgs {
  S: number;
  B: number;
  H: number;
  /** [S, B, G], time order: x W_ihᵀ (+ b_ih when `inputBias` is null). */
  xProj: Float32Array;
  /** [G] (b_hh) or null. */
  bias: Float32Array | null;
  /** [G] (b_ih, when not already in xProj) or null: added before `bias`, as a separate rounding. */
  inputBias: Float32Array | null;
  /** W_hh [G, H]. */
  weight: Float32Array;
  /** [B, H]. */
  h0: Float32Array;
  /** Run from t = S-1 down to 0. */
  reverse: boolean;
  /** Out: [S, B, H], h after each step, time order. */
  hOut: Float32Array;
}

/** The matching backward (what the forward left, and the output gradients). */
export interface RecurrentBackwardArgs {
  S: number;
  B: number;
  H: number;
  weight: Float32Array;
  reverse: boolean;
  h0: Float32Array;
  hOut: Float32Array;
  /** [S, B, H], time order: gradient of every step's h (the final state's included). */
  dhOut: Float32Array;
  /** Out: [S, B, G], time order: gradient of the pre-activations (= of xProj). */
  dPre: Float32Array;
  /** Out: [G, H]. */
  dWeight: Float32Array;
  /** Out: [G] or null when not wanted: the gradient of `bias` (b_hh). */
  dBias: Float32Array | null;
  /** Out: [B, H]. */
  dh0: Float32Array;
}

/** An LSTM layer (G = 4H, gate order i, f, g, o). */
export interface LstmForwardArgs extends RecurrentForwardArgs {
  /** [B, H]. */
  c0: Float32Array;
  /** Out: [S+1, B, H], processing order (slot 0 = c0, slot k+1 after step k). */
  c: Float32Array;
  /** Out: [S, B, 4H], processing order, activated gates σ(i) σ(f) tanh(g) σ(o); null when not needed (no backward). */
  gates: Float32Array | null;
}

export interface LstmBackwardArgs extends RecurrentBackwardArgs {
  c: Float32Array;
  gates: Float32Array;
  /** [B, H]: gradient of the final c. */
  dcN: Float32Array;
  /** Out: [B, H]. */
  dc0: Float32Array;
}

/**
 * A GRU layer (G = 3H, gate order r, z, n as PyTorch): with x = xProj_t (+ b_ih) and
 * a = h W_hhᵀ + b_hh, r = σ(x_r + a_r), z = σ(x_z + a_z), n = tanh(x_n + r ⊙ a_n),
 * h' = (1 - z) ⊙ n + z ⊙ h. b_hh's n block sits inside the product with r, so it cannot
 * be folded into xProj as the LSTM's can.
 */
export interface GruForwardArgs extends RecurrentForwardArgs {
  /** Out: [S, B, 3H], processing order, activated gates σ(r) σ(z) tanh(n); null when not needed (no backward). */
  gates: Float32Array | null;
  /** Out: [S, B, H], processing order, a_n = h W_hnᵀ + b_hn of each step; null when not needed. */
  hn: Float32Array | null;
}

/**
 * Its backward. `dPre` is the gradient of xProj (and of b_ih through `dInputBias`); the
 * gradient of a = h W_hhᵀ + b_hh differs from it in the n block (times r), so `dBias`
 * (b_hh) and `dInputBias` (b_ih) differ there too.
 */
export interface GruBackwardArgs extends RecurrentBackwardArgs {
  gates: Float32Array;
  hn: Float32Array;
  /** Out: [3H] (the gradient of b_ih, the column sums of dPre) or null when not wanted. */
  dInputBias: Float32Array | null;
}

/** An Elman RNN layer (G = H). */
export interface RnnForwardArgs extends RecurrentForwardArgs {
  /** relu instead of tanh. */
  relu: boolean;
}

export interface RnnBackwardArgs extends RecurrentBackwardArgs {
  relu: boolean;
}

/** Elementwise functions with a fast kernel. */
export type FastUnary = 'relu' | 'tanh' | 'sigmoid';

export interface FastKernels {
  /** Short name for diagnostics. */
  readonly name: string;
  lstmForward(args: LstmForwardArgs): boolean;
  lstmBackward(args: LstmBackwardArgs): boolean;
  gruForward(args: GruForwardArgs): boolean;
  gruBackward(args: GruBackwardArgs): boolean;
  rnnForward(args: RnnForwardArgs): boolean;
  rnnBackward(args: RnnBackwardArgs): boolean;
  /**
   * softmax (or log-softmax) of each of `rows` contiguous rows of `n` floats of `x`
   * (from element `xOff`) into `out` (from 0).
   */
  softmax(x: Float32Array, xOff: number, out: Float32Array, rows: number, n: number, log: boolean): boolean;
  /** Its backward from the output `y` and the gradient `g` (from `gOff`) into `gx`. */
  softmaxBackward(y: Float32Array, g: Float32Array, gOff: number, gx: Float32Array, rows: number, n: number, log: boolean): boolean;
  /** out[i] = f(x[xOff + i]) for i < n. */
  unary(kind: FastUnary, x: Float32Array, xOff: number, out: Float32Array, n: number): boolean;
  /**
   * The gradient of `kind` for i < n: out[i] from the upstream gradient g[gOff + i] and
   * the saved value s[sOff + i] (the input for relu, the output for tanh and sigmoid).
   */
  unaryGrad(kind: FastUnary, g: Float32Array, gOff: number, s: Float32Array, sOff: number, out: Float32Array, n: number): boolean;
  /**
   * Layer norm of `rows` contiguous rows of D floats of x (from xOff): out (from 0), and
   * for the backward the normalised values `xhat` and 1/sqrt(var + eps) per row `rstd`.
   */
  layerNorm(
    x: Float32Array, xOff: number, w: Float32Array | null, b: Float32Array | null, eps: number,
    out: Float32Array, xhat: Float32Array, rstd: Float32Array, rows: number, D: number,
  ): boolean;
  /**
   * Its backward from g (from gOff): gx (when not null), and the weight and bias
   * gradients summed over rows into float64 `gw`/`gb` (when not null; added to).
   */
  layerNormBackward(
    g: Float32Array, gOff: number, w: Float32Array | null, xhat: Float32Array, rstd: Float32Array,
    gx: Float32Array | null, gw: Float64Array | null, gb: Float64Array | null, rows: number, D: number,
  ): boolean;
  /**
   * Column sums of `rows` contiguous rows of `cols` floats of x (from xOff) into `out`,
   * each summed in float64 from the first row down (the reference's order and bits).
   */
  columnSums(x: Float32Array, xOff: number, rows: number, cols: number, out: Float64Array): boolean;
}

let installed: FastKernels | null = null;

/** Installs (or with null removes) the accelerated kernels. Returns the previous ones. */
export function setFastKernels(next: FastKernels | null): FastKernels | null {
  const prev = installed;
  installed = next;
  return prev;
}

/** The installed kernels, or null when the TypeScript reference runs everything. */
export function fastKernels(): FastKernels | null {
  return installed;
}
