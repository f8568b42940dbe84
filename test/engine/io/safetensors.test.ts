/**
 * safetensors: the reference layout byte for byte, files written from PyTorch
 * (test/fixtures/safetensors, by generators/safetensors_io.py) load with PyTorch's
 * values, files seqlab writes load in PyTorch to identical tensors (Debian's Python at
 * test time), module state dicts round-trip, and every kind of damaged file is refused
 * with a message saying what is wrong.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  arange,
  loadSafetensors,
  manualSeed,
  nn,
  readSafetensorsHeader,
  saveSafetensors,
  tensor,
  Tensor,
  zeros,
} from '../../../engine/src/index.js';
import { decodeNumber } from '../fixtures.js';
import { runPython } from './python.js';

const DIR = fileURLToPath(new URL('../../fixtures/safetensors/', import.meta.url));
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(DIR + name));
const tmp = mkdtempSync(join(tmpdir(), 'seqlab-safetensors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ascii = (s: string): number[] => Array.from(new TextEncoder().encode(s));
const le64 = (n: number): number[] => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >> 24) & 255, 0, 0, 0, 0];

/** A file from a header object and a data section (for the damaged-file cases). */
function file(header: unknown, data: number[] = [], headerText = JSON.stringify(header)): Uint8Array {
  const h = ascii(headerText);
  return Uint8Array.from([...le64(h.length), ...h, ...data]);
}

describe('the reference layout', () => {
  it('one F32 tensor: 64-byte header, then the little-endian data', () => {
    const bytes = saveSafetensors({ 'attn.0': arange(6).float().reshape(1, 2, 3) });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    const data = Array.from(new Uint8Array(Float32Array.from([0, 1, 2, 3, 4, 5]).buffer));
    expect(Array.from(bytes)).toEqual([...le64(64), ...ascii(header), ...data]);
  });

  it('pads the header with spaces to a multiple of 8; metadata comes first', () => {
    expect(Array.from(saveSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMeta = saveSafetensors({}, { metadata: { framework: 'pt' } });
    expect(Array.from(withMeta)).toEqual([...le64(40), ...ascii('{"__metadata__":{"framework":"pt"}}'), 32, 32, 32, 32, 32]);
  });

  it('orders tensors by dtype alignment (largest first), then by name in code point order', () => {
    const bytes = saveSafetensors({
      b: zeros([1]),
      mask: tensor([true]),
      a: zeros([1]),
      ids: tensor([1], { dtype: 'int32' }),
      d: zeros([1]).double(),
      '\u{1F600}': zeros([1]),
      '\uFB01': zeros([1]),
    });
    const header = readSafetensorsHeader(bytes);
    expect(Object.keys(header.tensors)).toEqual(['d', 'a', 'b', '\uFB01', '\u{1F600}', 'ids', 'mask']);
    expect(header.tensors.ids).toEqual({ dtype: 'I32', shape: [1], dataOffsets: [24, 28] });
    expect(header.headerLength % 8).toBe(0);
  });
});

interface Written {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; data: (number | boolean | string)[] }>;
}

describe('files written by PyTorch', () => {
  const expected = JSON.parse(readFileSync(DIR + 'torch-written.json', 'utf8')).cases as Written;

  it('load with the values PyTorch holds, in seqlab dtypes', () => {
    const loaded = loadSafetensors(fixture('torch-written.safetensors'));
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(expected.tensors).sort());
    const seqlabDtype: Record<string, string> = { F32: 'float32', F64: 'float64', F16: 'float32', BF16: 'float32', BOOL: 'bool' };
    for (const [name, e] of Object.entries(expected.tensors)) {
      const t = loaded[name]!;
      expect(t.shape, name).toEqual(e.shape);
      expect(t.dtype, name).toBe(seqlabDtype[e.dtype] ?? 'int32');
      const want = e.data.map(decodeNumber);
      const got = Array.from(t.toTypedArray());
      // Bit-exact: Object.is tells -0 from 0 and matches NaN.
      want.forEach((w, i) => expect(Object.is(got[i], w), `${name}[${i}]: ${got[i]} vs PyTorch ${w}`).toBe(true));
    }
    expect(loaded.half!.toTypedArray()[2]).toBe(5.960464477539063e-8); // float16 subnormal
    expect(loaded['embed.ünï.名']!.shape).toEqual([2]);
  });

  it('expose the header and metadata', () => {
    const h = readSafetensorsHeader(DIR + 'torch-written.safetensors');
    expect(h.metadata).toEqual(expected.metadata);
    expect(h.tensors.half).toMatchObject({ dtype: 'F16', shape: [8] });
    expect(h.tensors.ids).toMatchObject({ dtype: 'I64', shape: [5] });
  });

  it('seqlab writes the same tensors back byte for byte', () => {
    const original = fixture('torch-native.safetensors');
    const loaded = loadSafetensors(original);
    const again = saveSafetensors(loaded, { metadata: readSafetensorsHeader(original).metadata! });
    expect(Array.from(again)).toEqual(Array.from(original));
  });

  it('refuses an I64 value outside int32, naming the tensor, element and value', () => {
    expect(() => loadSafetensors(fixture('int64-out-of-range.safetensors'))).toThrow(
      /tensor "big" \(I64 \[2\]\): element 1 is 1099511627776, outside the int32 range/,
    );
  });
});

describe('files written by seqlab load in PyTorch', () => {
  const tensors: Record<string, Tensor> = {
    'encoder.weight': tensor([[1.5, -2], [Number.NaN, Infinity], [-0, 1e-45]]),
    'encoder.bias': tensor([0.1, -0.2]),
    precise: tensor([1 / 3, -1e300, 5e-324], { dtype: 'float64' }),
    ids: tensor([0, -7, 2147483647, -2147483648], { dtype: 'int32' }),
    mask: tensor([[true, false], [false, true]]),
    scalar: tensor(2.5),
    empty: zeros([0, 4]),
    view: arange(6).float().reshape(2, 3).transpose(0, 1),
    'ünï.名': tensor([7]),
  };
  const torchDtype: Record<string, string> = { float32: 'torch.float32', float64: 'torch.float64', int32: 'torch.int32', bool: 'torch.bool' };

  const written = join(tmp, 'seqlab.safetensors');
  const rewritten = join(tmp, 'rewritten.safetensors');
  let dumped: {
    metadata: Record<string, string>;
    tensors: Record<string, { torch: string; shape: number[]; data: (number | boolean | string)[] }>;
  };
  beforeAll(() => {
    saveSafetensors(tensors, written, { metadata: { format: 'pt', note: 'written by seqlab', a: 'first by code point' } });
    // One Python process (importing torch takes seconds): dump the file and write it back.
    dumped = JSON.parse(runPython('_safetensors.py', ['dump', written, rewritten]));
  });

  it('with identical values, shapes and dtypes', () => {
    expect(dumped.metadata).toEqual({ format: 'pt', note: 'written by seqlab', a: 'first by code point' });
    expect(Object.keys(dumped.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const d = dumped.tensors[name]!;
      expect(d.torch, name).toBe(torchDtype[t.dtype]);
      expect(d.shape, name).toEqual(t.shape);
      const want = Array.from(t.toTypedArray());
      const got = d.data.map(decodeNumber);
      want.forEach((w, i) => expect(Object.is(got[i], w), `${name}[${i}]: PyTorch ${got[i]} vs ${w}`).toBe(true));
    }
  });

  it('and PyTorch writes them back byte for byte (same layout as the reference writer)', () => {
    expect(Array.from(new Uint8Array(readFileSync(rewritten)))).toEqual(Array.from(new Uint8Array(readFileSync(written))));
  });
});

describe('modules', () => {
  it("a Module's state dict round-trips through a file into a fresh module", () => {
    manualSeed(1);
    const make = (): nn.Sequential => new nn.Sequential(new nn.Embedding(10, 4), new nn.Linear(4, 3), new nn.LayerNorm(3));
    const a = make();
    const path = join(tmp, 'model.safetensors');
    saveSafetensors(a, path);
    expect(Object.keys(readSafetensorsHeader(path).tensors).sort()).toEqual(Object.keys(a.stateDict()).sort());
    const b = make();
    b.loadStateDict(loadSafetensors(path));
    for (const [k, v] of Object.entries(a.stateDict())) expect(b.stateDict()[k]!.toArray(), k).toEqual(v.toArray());
    const x = tensor([[1, 2, 3]], { dtype: 'int32' });
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
  });

  it('loadStateDict names missing and unexpected keys of a mismatched file', () => {
    const bytes = saveSafetensors({ weight: zeros([3, 4]), extra: zeros([1]) });
    expect(() => new nn.Linear(4, 3).loadStateDict(loadSafetensors(bytes))).toThrow(/missing keys: bias[\s\S]*unexpected keys: extra/);
  });
});

describe('damaged and foreign files are refused with a reason', () => {
  const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const eight = [0, 0, 128, 63, 0, 0, 0, 64];
  it.each([
    ['shorter than the length field', Uint8Array.from([1, 2, 3]), /the file has 3 bytes; a safetensors file starts with an 8-byte header length/],
    ['header longer than the file', Uint8Array.from([...le64(100), ...ascii('{}')]), /truncated file: the header should be 100 bytes but only 2 bytes follow/],
    ['absurd header length', Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 123, 125]), /header length field says 4294967296 bytes, more than the format's limit/],
    ['header not UTF-8', Uint8Array.from([...le64(2), 0xff, 0xfe]), /not valid UTF-8/],
    ['header not an object', file(null, [], '[1, 2]'), /must be a JSON object starting with '\{'/],
    ['header not JSON', file(null, [], '{"t": '), /not valid JSON/],
    ['unknown dtype', file({ t: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Array(16).fill(0)), /tensor "t" has unknown dtype "F128"/],
    ['negative size', file({ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /shape\[0\] must be a non-negative integer, got number -1/],
    ['offsets reversed', file({ t: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }), /data_offsets \[8, 0\] end before they begin/],
    ['byte count vs shape', file({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, eight), /shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] cover 8/],
    [
      'overlapping tensors',
      file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight),
      /tensor "b" \(bytes 4..8\) overlaps tensor "a" \(which ends at 8\)/,
    ],
    ['a gap', file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, eight), /bytes 0..4 of the data belong to no tensor/],
    ['truncated data', file(ok, eight.slice(0, 6)), /truncated file: the tensors need 8 bytes of data but only 6 follow the header/],
    ['trailing bytes', file(ok, [...eight, 1, 2]), /2 bytes follow the last tensor's data/],
    ['metadata not strings', file({ __metadata__: { epoch: 3 }, ...ok }, eight), /__metadata__ values must be strings, but "epoch" is number 3/],
    ['bool byte 2', file({ m: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, [1, 2]), /tensor "m" \(BOOL \[2\]\): element 1 is the byte 2/],
    ['a dtype seqlab cannot read', file({ f: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]), /dtype F8_E4M3, which seqlab cannot read/],
  ])('%s', (_name, bytes, message) => {
    expect(() => loadSafetensors(bytes)).toThrow(message);
  });

  it('the same validation applies to readSafetensorsHeader, and paths are named', () => {
    expect(() => readSafetensorsHeader(file(ok, eight.slice(0, 4)))).toThrow(/readSafetensorsHeader: truncated file/);
    expect(() => loadSafetensors(join(tmp, 'nope.safetensors'))).toThrow(/loadSafetensors: cannot access ".*nope.safetensors": no such file/);
    expect(() => loadSafetensors(42 as never)).toThrow(/expects a file path, a Uint8Array or an ArrayBuffer, got number 42/);
  });

  it('saving refuses reserved names, non-tensors and bad metadata', () => {
    expect(() => saveSafetensors({ __metadata__: zeros([1]) })).toThrow(/"__metadata__" is reserved/);
    expect(() => saveSafetensors({ w: [1, 2] as never })).toThrow(/"w" is an array of length 2, not a Tensor/);
    expect(() => saveSafetensors(zeros([1]) as never)).toThrow(/expects an object mapping names to tensors/);
    expect(() => saveSafetensors({}, { metadata: { epoch: 3 as never } })).toThrow(/metadata values must be strings, but "epoch" is number 3/);
  });

  it('a tensor named __proto__ stays a tensor', () => {
    const bytes = saveSafetensors(new Map([['__proto__', tensor([1, 2])]]));
    const loaded = loadSafetensors(bytes);
    expect(Object.keys(loaded)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(loaded, '__proto__')!.value.toArray()).toEqual([1, 2]);
  });
});
