/**
 * Element types. Floating tensors can take part in autograd; int32 holds indices and
 * class labels; bool holds masks (comparisons return it, `where`/`maskedFill` take it).
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export type FloatArray = Float32Array | Float64Array;
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** The typed array of each dtype. */
const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array } as const;

/**
 * Allocates zeroed storage of `n` elements for `dtype`. When the JavaScript engine cannot
 * (more elements than a typed array may have, or not that much memory), the RangeError
 * names `op` and the tensor's `shape` when given, the bytes asked for and the limit,
 * instead of the engine's "Invalid typed array length: 10000000000".
 */
export function allocate(dtype: DType, n: number, op?: string, shape?: readonly number[]): TypedArray {
  return guarded(dtype, n, op, shape, () => new ARRAYS[dtype](n));
}

/** Below this many bytes a zeroed typed array costs as little as anything else. */
const UNINITIALIZED_MIN_BYTES = 1 << 16;

interface NodeBufferLike {
  allocUnsafeSlow(size: number): Uint8Array;
}

/**
 * Storage for `n` elements that the caller overwrites completely before anyone reads it (a
 * product's output, a contiguous copy). In Node, large blocks come from
 * `Buffer.allocUnsafeSlow`, which skips zeroing them: zeroing a fresh buffer is a pass over
 * memory the product then writes again (1 in 6 of an attention step's time). Elsewhere,
 * and for small blocks or bool, it is `allocate`. The errors are `allocate`'s.
 */
export function allocateForOverwrite(dtype: DType, n: number, op?: string, shape?: readonly number[]): TypedArray {
  const bytes = n * BYTES_PER_ELEMENT[dtype];
  const B = (globalThis as { Buffer?: NodeBufferLike }).Buffer;
  if (bytes < UNINITIALIZED_MIN_BYTES || dtype === 'bool' || B === undefined || typeof B.allocUnsafeSlow !== 'function') {
    return allocate(dtype, n, op, shape);
  }
  return guarded(dtype, n, op, shape, () => new ARRAYS[dtype](B.allocUnsafeSlow(bytes).buffer as ArrayBuffer, 0, n));
}

/** `make()`, with the engine's RangeErrors (and a length no typed array may have) named as `allocate` names them. */
function guarded(dtype: DType, n: number, op: string | undefined, shape: readonly number[] | undefined, make: () => TypedArray): TypedArray {
  if (n > maxTypedArrayLength()) throw allocationError(dtype, n, op, shape, null);
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError) throw allocationError(dtype, n, op, shape, e);
    throw e;
  }
}

let maxLength: number | null = null;

/**
 * The most elements a typed array may have here: Node says it (`buffer.constants.MAX_LENGTH`,
 * 2^32 on 64-bit Node 20); elsewhere the engine's own error tells.
 */
function maxTypedArrayLength(): number {
  if (maxLength === null) {
    const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    let n: unknown;
    try {
      n = typeof get === 'function' ? (get('node:buffer') as { constants?: { MAX_LENGTH?: number } } | undefined)?.constants?.MAX_LENGTH : undefined;
    } catch {
      n = undefined;
    }
    maxLength = typeof n === 'number' && n > 0 ? n : Number.MAX_SAFE_INTEGER;
  }
  return maxLength;
}

/** "40,000,000,000 bytes (37.3 GiB)". */
function bytesText(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let unit = '';
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return `${bytes.toLocaleString('en-US')} bytes${unit === '' ? '' : ` (${v.toFixed(1)} ${unit})`}`;
}

function allocationError(dtype: DType, n: number, op: string | undefined, shape: readonly number[] | undefined, cause: RangeError | null): RangeError {
  const what = shape !== undefined ? `${dtype === 'int32' ? 'an' : 'a'} ${dtype} tensor of shape [${shape.join(',')}]` : `${n.toLocaleString('en-US')} ${dtype} elements`;
  const size = `${n.toLocaleString('en-US')} elements, ${bytesText(n * BYTES_PER_ELEMENT[dtype])}`;
  const limit = maxTypedArrayLength();
  const why =
    cause === null || /length/i.test(cause.message)
      ? `more than the ${limit === Number.MAX_SAFE_INTEGER ? '' : `${limit.toLocaleString('en-US')} `}elements a typed array can hold in this JavaScript engine`
      : `the JavaScript engine could not get that much memory (${cause.message})`;
  return new RangeError(`${op ?? 'allocate'}: cannot allocate ${what} (${size}): ${why}`);
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
