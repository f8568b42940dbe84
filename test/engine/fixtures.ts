/**
 * Reading the PyTorch golden fixtures (test/fixtures/*.json, written by
 * test/fixtures/generate.py) and comparing seqlab's results with them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor, tensor, type DType } from '../../engine/src/index.js';

export interface EncodedTensor {
  dtype: 'float32' | 'float64' | 'int32' | 'bool';
  shape: number[];
  data: (number | boolean | string)[];
  requiresGrad?: boolean;
}

export interface FixtureCase {
  op: string;
  name: string;
  args: Record<string, unknown>;
  inputs: EncodedTensor[];
  outputs: EncodedTensor[];
  gradOutputs: (EncodedTensor | null)[];
  grads: (EncodedTensor | null)[];
  /** PyTorch's own float32 error on this case (how ill-conditioned it is). */
  torchFloat32Error?: number;
}

export interface FixtureFile {
  torch: string;
  cases: FixtureCase[];
}

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function loadFixtures(name: string): FixtureFile {
  return JSON.parse(readFileSync(FIXTURES + name, 'utf8')) as FixtureFile;
}

/** JSON cannot hold Infinity/NaN; the generator writes them as strings. */
export function decodeNumber(v: unknown): number {
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as number;
}

/** Decodes args, turning "Infinity" strings back into numbers. */
export function decodeArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[k] = typeof v === 'string' && /^-?Infinity$|^NaN$/.test(v) ? decodeNumber(v) : v;
  return out;
}

/** A tensor from a fixture; float data is given the requested float dtype. */
export function decode(e: EncodedTensor, floatDtype: 'float32' | 'float64', requiresGrad = e.requiresGrad ?? false): Tensor {
  const dtype: DType = e.dtype === 'float32' || e.dtype === 'float64' ? floatDtype : e.dtype;
  const data = e.data.map(decodeNumber);
  const t = tensor(dtype === 'float64' ? Float64Array.from(data) : dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data), {
    shape: e.shape,
    dtype,
  });
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * Normwise relative error max|a - b| / max|b| (the absolute error when b is all zeros).
 * Elementwise relative error is meaningless where the true value is near zero, so
 * agreement is measured against the size of the whole result.
 */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(b) || Number.isNaN(a)) {
      if (Number.isNaN(a) && Number.isNaN(b)) continue;
      return Infinity;
    }
    if (!Number.isFinite(b) || !Number.isFinite(a)) {
      if (a === b) continue;
      return Infinity;
    }
    num = Math.max(num, Math.abs(a - b));
    den = Math.max(den, Math.abs(b));
  }
  return den === 0 ? num : num / den;
}

/** Compares a seqlab tensor with an encoded expected one: shape and dtype class exactly, values by relError. */
export function compare(actual: Tensor, expected: EncodedTensor): { error: number; problem: string | null } {
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return { error: Infinity, problem: `shape [${actual.shape}] but PyTorch gives [${expected.shape}]` };
  }
  const exp = expected.data.map(decodeNumber);
  const act = Array.from(actual.toTypedArray());
  if (expected.dtype === 'int32' || expected.dtype === 'bool') {
    const same = exp.every((v, i) => v === act[i]);
    return { error: same ? 0 : Infinity, problem: same ? null : `values ${JSON.stringify(act)} but PyTorch gives ${JSON.stringify(exp)}` };
  }
  return { error: relError(act, exp), problem: null };
}
