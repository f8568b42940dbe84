/**
 * Element types. Floating tensors can take part in autograd; int32 holds indices and
 * class labels; bool holds masks (comparisons return it, `where`/`maskedFill` take it).
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export type FloatArray = Float32Array | Float64Array;
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** Allocates zeroed storage of `n` elements for `dtype`. */
export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
  }
}

export function isFloating(dtype: DType): dtype is 'float32' | 'float64' {
  return dtype === 'float32' || dtype === 'float64';
}

/** The dtype a typed array stores. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

export function assertDType(value: unknown, where: string): DType {
  if (typeof value === 'string' && (DTYPES as readonly string[]).includes(value)) return value as DType;
  throw new TypeError(`${where}: unknown dtype ${JSON.stringify(value)} (expected one of ${DTYPES.join(', ')})`);
}

/**
 * Result type of arithmetic between two dtypes, as PyTorch promotes: any float64 gives
 * float64, otherwise any float32 gives float32, otherwise int32 (bool counts as int).
 */
export function promote(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

/** Result dtype of a tensor combined with a JS number (a non-integer makes ints float32). */
export function promoteScalar(a: DType, value: number): DType {
  if (isFloating(a)) return a;
  return Number.isInteger(value) ? 'int32' : 'float32';
}
