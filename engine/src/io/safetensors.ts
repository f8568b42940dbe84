/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes
 * of JSON header `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
 * "__metadata__": {..string map..}}` padded with spaces to a multiple of 8, then the raw
 * little-endian tensor data, row-major, offsets relative to the end of the header.
 *
 * Files are validated as the reference implementation does (and with messages that say
 * what is wrong): header size and bounds, UTF-8 JSON object, known dtypes, byte counts
 * matching shapes, tensors covering the data exactly (no overlap, no gap, nothing
 * missing or left over). The writer lays files out as the reference writer: tensors
 * sorted by dtype alignment (largest first), then by name, packed in that order.
 */
import { allocate, type DType, type TypedArray } from '../dtype.js';
import { describe, fmt } from '../shape.js';
import { Tensor } from '../tensor.js';
import { Module } from '../nn/module.js';
import { compareCodePoints } from '../data/code-point-order.js';
import { readBytes, writeBytes } from './fs.js';

/** Element types of the format, in the reference's order (increasing alignment). */
const DTYPES = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'] as const;
export type SafetensorsDtype = (typeof DTYPES)[number];
const SIZE: Record<SafetensorsDtype, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
const RANK = new Map<string, number>(DTYPES.map((d, i) => [d, i]));
/** The reference reader's limit: a larger header is taken as a corrupt or foreign file. */
const MAX_HEADER = 100_000_000;
const WRITE_DTYPE: Record<DType, SafetensorsDtype> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const READ_DTYPE: Partial<Record<SafetensorsDtype, DType>> = {
  F64: 'float64', F32: 'float32', F16: 'float32', BF16: 'float32',
  I64: 'int32', U64: 'int32', I32: 'int32', U32: 'int32', I16: 'int32', U16: 'int32', I8: 'int32', U8: 'int32', BOOL: 'bool',
};
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One tensor's entry in the header. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) byte offsets into the data section. */
  dataOffsets: [number, number];
}

/** A file's header: tensors in file (offset) order and the optional metadata. */
export interface SafetensorsHeader {
  /** Bytes of JSON header (N), padding included. */
  headerLength: number;
  metadata: Record<string, string> | null;
  tensors: Record<string, SafetensorsEntry>;
}

export interface SaveSafetensorsOptions {
  /** Free-form string map stored as `__metadata__` (e.g. `{ format: 'pt' }`). */
  metadata?: Record<string, string>;
}

type Source = string | Uint8Array | ArrayBuffer;

function bytesOf(source: Source, who: string): Uint8Array {
  if (typeof source === 'string') return readBytes(source, who);
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  throw new TypeError(`${who}: expects a file path, a Uint8Array or an ArrayBuffer, got ${describe(source)}`);
}

function defineEntry<T>(target: Record<string, T>, key: string, value: T): void {
  // defineProperty, not assignment: a tensor named "__proto__" must stay a tensor.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function checkCount(v: unknown, what: string, who: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RangeError(`${who}: ${what} must be a non-negative integer, got ${describe(v)}`);
  return v;
}

function parseHeader(bytes: Uint8Array, who: string): SafetensorsHeader {
  if (bytes.length < 8) {
    throw new RangeError(`${who}: the file has ${bytes.length} bytes; a safetensors file starts with an 8-byte header length (truncated or not a safetensors file)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.getUint32(4, true);
  const n = high * 4294967296 + view.getUint32(0, true);
  if (n > MAX_HEADER) throw new RangeError(`${who}: the header length field says ${n} bytes, more than the format's limit of ${MAX_HEADER} (not a safetensors file?)`);
  if (8 + n > bytes.length) {
    throw new RangeError(`${who}: truncated file: the header should be ${n} bytes but only ${bytes.length - 8} bytes follow the length field`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new RangeError(`${who}: the header is not valid UTF-8 (corrupt or not a safetensors file)`);
  }
  if (!text.startsWith('{')) throw new RangeError(`${who}: the header must be a JSON object starting with '{', it starts with ${JSON.stringify(text.slice(0, 16))}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RangeError(`${who}: the header is not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new RangeError(`${who}: the header must be a JSON object`);

  let metadata: Record<string, string> | null = null;
  const entries: [string, SafetensorsEntry][] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RangeError(`${who}: __metadata__ must be an object mapping strings to strings`);
      metadata = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new RangeError(`${who}: __metadata__ values must be strings, but ${JSON.stringify(k)} is ${describe(v)}`);
        defineEntry(metadata, k, v);
      }
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RangeError(`${who}: ${where}: its entry must be an object { dtype, shape, data_offsets }`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string' || !RANK.has(dtype)) {
      throw new RangeError(`${who}: ${where} has unknown dtype ${describe(dtype)} (the format's dtypes are ${DTYPES.join(', ')})`);
    }
    if (!Array.isArray(shape)) throw new RangeError(`${who}: ${where}: shape must be an array of sizes, got ${describe(shape)}`);
    shape.forEach((d, i) => checkCount(d, `${where}: shape[${i}]`, who));
    if (!Array.isArray(offsets) || offsets.length !== 2) throw new RangeError(`${who}: ${where}: data_offsets must be [begin, end], got ${describe(offsets)}`);
    const begin = checkCount(offsets[0], `${where}: data_offsets[0]`, who);
    const end = checkCount(offsets[1], `${where}: data_offsets[1]`, who);
    if (end < begin) throw new RangeError(`${who}: ${where}: data_offsets [${begin}, ${end}] end before they begin`);
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const nbytes = numel * SIZE[dtype as SafetensorsDtype];
    if (!Number.isSafeInteger(nbytes)) throw new RangeError(`${who}: ${where}: shape ${fmt(shape as number[])} is too large`);
    if (end - begin !== nbytes) {
      throw new RangeError(`${who}: ${where}: shape ${fmt(shape as number[])} of ${dtype} needs ${nbytes} bytes but data_offsets [${begin}, ${end}] cover ${end - begin}`);
    }
    entries.push([name, { dtype: dtype as SafetensorsDtype, shape: (shape as number[]).slice(), dataOffsets: [begin, end] }]);
  }
  entries.sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let expected = 0;
  let previous: string | null = null;
  for (const [name, e] of entries) {
    const [begin, end] = e.dataOffsets;
    if (begin < expected) {
      throw new RangeError(`${who}: tensor ${JSON.stringify(name)} (bytes ${begin}..${end}) overlaps tensor ${JSON.stringify(previous)} (which ends at ${expected})`);
    }
    if (begin > expected) throw new RangeError(`${who}: bytes ${expected}..${begin} of the data belong to no tensor (a gap before tensor ${JSON.stringify(name)})`);
    expected = end;
    previous = name;
  }
  const available = bytes.length - 8 - n;
  if (available < expected) throw new RangeError(`${who}: truncated file: the tensors need ${expected} bytes of data but only ${available} follow the header`);
  if (available > expected) throw new RangeError(`${who}: ${available - expected} bytes follow the last tensor's data (the tensors cover ${expected} of ${available} bytes)`);
  const tensors: Record<string, SafetensorsEntry> = {};
  for (const [name, e] of entries) defineEntry(tensors, name, e);
  return { headerLength: n, metadata, tensors };
}

/**
 * The header of a safetensors file (path or bytes), validated, without reading tensors:
 * names, dtypes, shapes, offsets and metadata.
 * @example Object.keys(readSafetensorsHeader('model.safetensors').tensors)
 */
export function readSafetensorsHeader(source: Source): SafetensorsHeader {
  return parseHeader(bytesOf(source, 'readSafetensorsHeader'), 'readSafetensorsHeader');
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A copy of `length` bytes at `start`, in a fresh (aligned) buffer. */
function copyBytes(bytes: Uint8Array, start: number, length: number): ArrayBuffer {
  const out = new Uint8Array(length);
  out.set(bytes.subarray(start, start + length));
  return out.buffer;
}

function decodeTensor(bytes: Uint8Array, start: number, name: string, e: SafetensorsEntry, who: string): Tensor {
  const target = READ_DTYPE[e.dtype];
  if (target === undefined) {
    throw new RangeError(`${who}: tensor ${JSON.stringify(name)} has dtype ${e.dtype}, which seqlab cannot read (it reads ${Object.keys(READ_DTYPE).join(', ')})`);
  }
  const n = e.shape.reduce((a, b) => a * b, 1);
  const nbytes = e.dataOffsets[1] - e.dataOffsets[0];
  const at = start + e.dataOffsets[0];
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, nbytes);
  // Same layout on a little-endian machine: one copy of the bytes is the tensor's storage.
  if (LITTLE_ENDIAN && (e.dtype === 'F32' || e.dtype === 'F64' || e.dtype === 'I32')) {
    const buffer = copyBytes(bytes, at, nbytes);
    const data = e.dtype === 'F32' ? new Float32Array(buffer) : e.dtype === 'F64' ? new Float64Array(buffer) : new Int32Array(buffer);
    return new Tensor(data, e.shape.slice());
  }
  const out: TypedArray = allocate(target, n);
  const where = `tensor ${JSON.stringify(name)} (${e.dtype} ${fmt(e.shape)})`;
  switch (e.dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'BF16': {
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        f.setUint32(0, view.getUint16(2 * i, true) << 16);
        out[i] = f.getFloat32(0);
      }
      break;
    }
    case 'I64':
    case 'U64':
      for (let i = 0; i < n; i++) {
        const lo = view.getInt32(8 * i, true);
        const hi = view.getInt32(8 * i + 4, true);
        // In int32 range exactly when the high word is the sign extension of the low word.
        if (hi !== lo >> 31 || (e.dtype === 'U64' && lo < 0)) {
          const big = e.dtype === 'I64' ? view.getBigInt64(8 * i, true) : view.getBigUint64(8 * i, true);
          throw new RangeError(`${who}: ${where}: element ${i} is ${big}, outside the int32 range seqlab stores integers in (-2147483648..2147483647)`);
        }
        out[i] = lo;
      }
      break;
    case 'U32':
      for (let i = 0; i < n; i++) {
        const v = view.getUint32(4 * i, true);
        if (v > 2147483647) throw new RangeError(`${who}: ${where}: element ${i} is ${v}, outside the int32 range seqlab stores integers in`);
        out[i] = v;
      }
      break;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true);
      break;
    case 'U16':
      for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, true);
      break;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
      break;
    case 'BOOL':
      for (let i = 0; i < n; i++) {
        const v = view.getUint8(i);
        if (v > 1) throw new RangeError(`${who}: ${where}: element ${i} is the byte ${v}; booleans are stored as 0 or 1`);
        out[i] = v;
      }
      break;
    default:
      throw new RangeError(`${who}: ${where}: unsupported dtype`);
  }
  return new Tensor(out, e.shape.slice());
}

/**
 * Reads every tensor of a safetensors file (a path, or the bytes) by name. F32, F64, I32
 * and BOOL load as they are; F16 and BF16 become float32 (exactly); I64, U64, U32, I16,
 * U16, I8 and U8 become int32 (an error names any value outside the int32 range).
 *
 * @example
 * lstm.loadStateDict(loadSafetensors('lstm.safetensors'));   // weights saved from PyTorch
 */
export function loadSafetensors(source: Source): Record<string, Tensor> {
  const who = 'loadSafetensors';
  const bytes = bytesOf(source, who);
  const header = parseHeader(bytes, who);
  const out: Record<string, Tensor> = {};
  for (const [name, e] of Object.entries(header.tensors)) defineEntry(out, name, decodeTensor(bytes, 8 + header.headerLength, name, e, who));
  return out;
}

function collect(tensors: unknown, who: string): [string, Tensor][] {
  if (tensors instanceof Module) return Object.entries(tensors.stateDict());
  if (tensors instanceof Map) {
    return Array.from(tensors.entries(), ([k, v]) => {
      if (typeof k !== 'string') throw new TypeError(`${who}: tensor names must be strings, got ${describe(k)}`);
      return [k, v as Tensor];
    });
  }
  if (tensors === null || typeof tensors !== 'object' || tensors instanceof Tensor || Array.isArray(tensors)) {
    throw new TypeError(`${who}: expects an object mapping names to tensors (e.g. model.stateDict()), a Map, or a Module, got ${describe(tensors)}`);
  }
  return Object.entries(tensors as Record<string, unknown>) as [string, Tensor][];
}

/** The little-endian bytes of a tensor's values (row-major). */
function tensorBytes(t: Tensor): Uint8Array {
  const values = t.toTypedArray();
  if (LITTLE_ENDIAN || t.dtype === 'bool') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (t.dtype === 'float32') view.setFloat32(4 * i, values[i]!, true);
    else if (t.dtype === 'float64') view.setFloat64(8 * i, values[i]!, true);
    else view.setInt32(4 * i, values[i]!, true);
  }
  return out;
}

/**
 * Writes tensors in the safetensors format: to `path`, or returned as bytes when no path
 * is given. Takes a name → tensor object (e.g. `model.stateDict()`), a Map, or a Module
 * (its state dict, with PyTorch's parameter names). float32, float64, int32 and bool
 * tensors are stored as F32, F64, I32 and BOOL; views are written as their values.
 *
 * @example
 * saveSafetensors(model, 'model.safetensors', { metadata: { format: 'pt' } });
 * const bytes = saveSafetensors({ embedding: emb.weight });   // Uint8Array
 */
export function saveSafetensors(tensors: Record<string, Tensor> | Map<string, Tensor> | Module, options?: SaveSafetensorsOptions): Uint8Array;
export function saveSafetensors(tensors: Record<string, Tensor> | Map<string, Tensor> | Module, path: string, options?: SaveSafetensorsOptions): void;
export function saveSafetensors(
  tensors: Record<string, Tensor> | Map<string, Tensor> | Module,
  pathOrOptions?: string | SaveSafetensorsOptions,
  maybeOptions?: SaveSafetensorsOptions,
): Uint8Array | void {
  const who = 'saveSafetensors';
  const path = typeof pathOrOptions === 'string' ? pathOrOptions : undefined;
  const options = (typeof pathOrOptions === 'string' ? maybeOptions : pathOrOptions) ?? {};
  if (options === null || typeof options !== 'object') throw new TypeError(`${who}: options must be an object { metadata? }, got ${describe(options)}`);
  const entries = collect(tensors, who);
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new RangeError(`${who}: "__metadata__" is reserved for the metadata and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new TypeError(`${who}: ${JSON.stringify(name)} is ${describe(t)}, not a Tensor`);
  }
  const metadata = options.metadata;
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError(`${who}: metadata must be an object mapping strings to strings`);
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`${who}: metadata values must be strings, but ${JSON.stringify(k)} is ${describe(v)}`);
    }
  }
  // The reference writer's layout: largest alignment first, then by name.
  const sorted = entries
    .map(([name, t]) => ({ name, t, dtype: WRITE_DTYPE[t.dtype] }))
    .sort((a, b) => RANK.get(b.dtype)! - RANK.get(a.dtype)! || compareCodePoints(a.name, b.name));
  const parts: string[] = [];
  if (metadata !== undefined) {
    const kv = Object.keys(metadata)
      .sort(compareCodePoints)
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`);
    parts.push(`"__metadata__":{${kv.join(',')}}`);
  }
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t, dtype } of sorted) {
    const data = tensorBytes(t);
    datas.push(data);
    parts.push(`${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + data.length}]}`);
    offset += data.length;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 4294967296, true);
  view.setUint32(4, Math.floor(headerLength / 4294967296), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const d of datas) {
    out.set(d, at);
    at += d.length;
  }
  if (path === undefined) return out;
  writeBytes(path, out, who);
}
