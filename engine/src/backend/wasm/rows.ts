/**
 * The row family's driver (kernels in engine/assembly/rows.ts; references in
 * ops/softmax.ts, ops/layernorm.ts and ops/raw/reduce.ts): softmax and log-softmax, layer
 * norm, and float64 column sums over contiguous rows, forward and backward. Each call
 * copies its rows into the kernel memory and the results back, on the calling thread.
 */
import type { WasmRuntime } from './runtime.js';

/** softmax / log-softmax over contiguous rows (see kernels/fast.ts). */
export function softmax(rt: WasmRuntime, x: Float32Array, xOff: number, out: Float32Array, rows: number, n: number, log: boolean): boolean {
  const len = rows * n;
  const k = rt.scratch(len);
  if (k === null) return false;
  const arena = k.arena;
  const p = arena.floats(len);
  if (p < 0) return false;
  arena.put(p, x, xOff, len);
  k.kernel.softmaxRows(p, p, rows, n, log ? 1 : 0);
  arena.get(p, len, out);
  return true;
}

/** The backward of `softmax` (see kernels/fast.ts). */
export function softmaxBackward(rt: WasmRuntime, y: Float32Array, g: Float32Array, gOff: number, gx: Float32Array, rows: number, n: number, log: boolean): boolean {
  const len = rows * n;
  const k = rt.scratch(len);
  if (k === null) return false;
  const arena = k.arena;
  const py = arena.floats(len);
  const pg = arena.floats(len);
  if (py < 0 || pg < 0) return false;
  arena.put(py, y, 0, len);
  arena.put(pg, g, gOff, len);
  k.kernel.softmaxBackwardRows(py, pg, pg, rows, n, log ? 1 : 0);
  arena.get(pg, len, gx);
  return true;
}

/** Layer norm over contiguous rows (see kernels/fast.ts). */
export function layerNorm(
  rt: WasmRuntime,
  x: Float32Array, xOff: number, w: Float32Array | null, b: Float32Array | null, eps: number,
  out: Float32Array, xhat: Float32Array, rstd: Float32Array, rows: number, D: number,
): boolean {
  const len = rows * D;
  const k = rt.scratch(len);
  if (k === null) return false;
  const arena = k.arena;
  const px = arena.floats(len), ph = arena.floats(len), pr = arena.floats(rows);
  const pw = w ? arena.floats(D) : 0, pb = b ? arena.floats(D) : 0;
  if (px < 0 || ph < 0 || pr < 0 || pw < 0 || pb < 0) return false;
  arena.put(px, x, xOff, len);
  if (w) arena.put(pw, w);
  if (b) arena.put(pb, b);
  k.kernel.layerNormRows(px, pw, pb, px, ph, pr, rows, D, eps);
  arena.get(px, len, out);
  arena.get(ph, len, xhat);
  arena.get(pr, rows, rstd);
  return true;
}

/** The backward of `layerNorm` (see kernels/fast.ts). */
export function layerNormBackward(
  rt: WasmRuntime,
  g: Float32Array, gOff: number, w: Float32Array | null, xhat: Float32Array, rstd: Float32Array,
  gx: Float32Array | null, gw: Float64Array | null, gb: Float64Array | null, rows: number, D: number,
): boolean {
  const len = rows * D;
  const k = rt.scratch(len);
  if (k === null) return false;
  const arena = k.arena;
  const pg = arena.floats(len), ph = arena.floats(len), pr = arena.floats(rows), part = arena.floats(2 * D);
  const pw = w ? arena.floats(D) : 0;
  const pdw = gw ? arena.alloc(8 * D) : 0, pdb = gb ? arena.alloc(8 * D) : 0;
  if (pg < 0 || ph < 0 || pr < 0 || part < 0 || pw < 0 || pdw < 0 || pdb < 0) return false;
  arena.put(pg, g, gOff, len);
  arena.put(ph, xhat);
  arena.put(pr, rstd);
  if (w) arena.put(pw, w);
  if (pdw) arena.zero(pdw, 8 * D);
  if (pdb) arena.zero(pdb, 8 * D);
  // gx overwrites g in place (each row's g is read before its gx is written).
  k.kernel.layerNormBackwardRows(pg, pw, ph, pr, gx ? pg : 0, pdw, pdb, part, rows, D);
  if (gx) arena.get(pg, len, gx);
  const tmp = new Float64Array(D);
  if (gw) {
    arena.getDoubles(pdw, D, tmp);
    for (let j = 0; j < D; j++) gw[j]! += tmp[j]!;
  }
  if (gb) {
    arena.getDoubles(pdb, D, tmp);
    for (let j = 0; j < D; j++) gb[j]! += tmp[j]!;
  }
  return true;
}

/** Column sums in float64 (see kernels/fast.ts). */
export function columnSums(rt: WasmRuntime, x: Float32Array, xOff: number, rows: number, cols: number, out: Float64Array): boolean {
  const len = rows * cols;
  const k = rt.scratch(len);
  if (k === null) return false;
  const arena = k.arena;
  const px = arena.floats(len), po = arena.alloc(8 * cols);
  if (px < 0 || po < 0) return false;
  arena.put(px, x, xOff, len);
  k.kernel.columnSumsF64(px, rows, cols, po);
  arena.getDoubles(po, cols, out);
  return true;
}
