/**
 * The elementwise family's driver (kernels in engine/assembly/elementwise.ts; references
 * in ops/unary.ts): relu, tanh and sigmoid and their gradients over contiguous float32
 * arrays, on the calling thread.
 */
import type { FastUnary } from '../../kernels/fast.js';
import type { WasmRuntime } from './runtime.js';

/** engine/assembly/elementwise.ts's kind numbers (the gradient kinds use the same numbers). */
const UNARY_KIND: Record<FastUnary, number> = { relu: 0, tanh: 1, sigmoid: 2 };

/** An elementwise function (see kernels/fast.ts). */
export function unary(rt: WasmRuntime, kind: FastUnary, x: Float32Array, xOff: number, out: Float32Array, n: number): boolean {
  const k = rt.scratch(n);
  if (k === null) return false;
  const arena = k.arena;
  const p = arena.floats(n);
  if (p < 0) return false;
  arena.put(p, x, xOff, n);
  k.kernel.unaryMap(UNARY_KIND[kind], p, p, n);
  arena.get(p, n, out);
  return true;
}

/** The gradient of an elementwise function (see kernels/fast.ts). */
export function unaryGrad(rt: WasmRuntime, kind: FastUnary, g: Float32Array, gOff: number, s: Float32Array, sOff: number, out: Float32Array, n: number): boolean {
  const k = rt.scratch(n);
  if (k === null) return false;
  const arena = k.arena;
  const pg = arena.floats(n);
  const ps = arena.floats(n);
  if (pg < 0 || ps < 0) return false;
  arena.put(pg, g, gOff, n);
  arena.put(ps, s, sOff, n);
  k.kernel.binaryMap(UNARY_KIND[kind], pg, ps, pg, n);
  arena.get(pg, n, out);
  return true;
}
