/**
 * Batching variable-length sequences: padding to a common length (as PyTorch's
 * `nn.utils.rnn.pad_sequence`) and the masks that tell attention and losses which
 * positions are padding.
 */
import { describe, fmt } from '../shape.js';
import { Tensor } from '../tensor.js';
import { cat, stack } from '../ops/join.js';
import { full } from '../ops/creation.js';
import { transpose } from '../ops/view.js';

export interface PadOptions {
  /** Batch dimension first: [batch, maxLen, ...] instead of [maxLen, batch, ...] (default false, as PyTorch). */
  batchFirst?: boolean;
  /** Value of the padding positions (default 0; use `vocab.pad` for token indices). */
  paddingValue?: number;
}

/** Sequences as tensors [length, ...]; number arrays are token indices (int32). */
function asTensors(sequences: readonly (Tensor | readonly number[])[], who: string): Tensor[] {
  if (!Array.isArray(sequences) || sequences.length === 0) throw new TypeError(`${who}: expects a non-empty array of sequences, got ${describe(sequences)}`);
  return sequences.map((s, i) => {
    if (s instanceof Tensor) {
      if (s.ndim === 0) throw new RangeError(`${who}: sequences[${i}] is a 0-d tensor; a sequence has a length dimension first`);
      return s;
    }
    if (!Array.isArray(s)) throw new TypeError(`${who}: sequences[${i}] must be a Tensor or an array of token indices, got ${describe(s)}`);
    const a = new Int32Array(s.length);
    s.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new TypeError(`${who}: sequences[${i}][${j}] is ${describe(v)}; number arrays are token indices (integers) — pass tensors for other data`);
      }
      a[j] = v;
    });
    return new Tensor(a, [s.length]);
  });
}

/**
 * Pads sequences of shape [L_i, ...] (same trailing dimensions) with `paddingValue` to
 * the longest length: [maxLen, batch, ...], or [batch, maxLen, ...] with `batchFirst`.
 * Differentiable for float sequences. Token index arrays give int32.
 * @example
 * padSequence([[5, 6, 7], [8]], { batchFirst: true, paddingValue: vocab.pad! })
 * // [[5, 6, 7], [8, pad, pad]]
 */
export function padSequence(sequences: readonly (Tensor | readonly number[])[], options: PadOptions = {}): Tensor {
  const who = 'padSequence';
  const seqs = asTensors(sequences, who);
  const paddingValue = options.paddingValue ?? 0;
  if (typeof paddingValue !== 'number') throw new TypeError(`${who}: paddingValue must be a number, got ${describe(paddingValue)}`);
  const ref = seqs[0]!;
  const trailing = ref.shape.slice(1);
  const dtype = seqs.some((s) => s.dtype === 'float64') ? 'float64' : seqs.some((s) => s.dtype === 'float32') ? 'float32' : ref.dtype;
  seqs.forEach((s, i) => {
    if (s.ndim !== ref.ndim || s.shape.slice(1).some((d, j) => d !== trailing[j])) {
      throw new RangeError(`${who}: every sequence must have shape [length${trailing.map((d) => `,${d}`).join('')}] like sequences[0] ${fmt(ref.shape)}, but sequences[${i}] is ${fmt(s.shape)}`);
    }
  });
  if (dtype === 'int32' && !Number.isInteger(paddingValue)) throw new TypeError(`${who}: paddingValue ${paddingValue} is not an integer but the sequences are int32`);
  const maxLen = Math.max(...seqs.map((s) => s.shape[0]!));
  const padded = seqs.map((s) => {
    const x = s.dtype === dtype ? s : s.to(dtype);
    const missing = maxLen - x.shape[0]!;
    return missing === 0 ? x : cat([x, full([missing, ...trailing], paddingValue, { dtype })], 0);
  });
  const batch = stack(padded, 0);
  return options.batchFirst ? batch : transpose(batch, 0, 1).contiguous();
}

/**
 * A bool mask [batch, maxLen] that is true at padding positions (index ≥ length), the
 * convention of `keyPaddingMask` in `nn.MultiheadAttention` (true = ignore). Its
 * `logicalNot()` marks the valid positions (D2L's `sequence_mask`).
 * @example lengthsToMask([3, 1])   // [[false, false, false], [false, true, true]]
 */
export function lengthsToMask(lengths: readonly number[] | Tensor, maxLen?: number): Tensor {
  const who = 'lengthsToMask';
  let lens: number[];
  if (lengths instanceof Tensor) {
    if (lengths.ndim !== 1) throw new RangeError(`${who}: lengths must be 1-D [batch], got ${fmt(lengths.shape)}`);
    lens = Array.from(lengths.toTypedArray());
  } else if (Array.isArray(lengths)) lens = lengths.slice();
  else throw new TypeError(`${who}: lengths must be an array of numbers or a 1-D tensor, got ${describe(lengths)}`);
  lens.forEach((l, i) => {
    if (typeof l !== 'number' || !Number.isInteger(l) || l < 0) throw new RangeError(`${who}: lengths[${i}] must be a non-negative integer, got ${describe(l)}`);
  });
  const longest = lens.length === 0 ? 0 : Math.max(...lens);
  const T = maxLen ?? longest;
  if (typeof T !== 'number' || !Number.isInteger(T) || T < 0) throw new RangeError(`${who}: maxLen must be a non-negative integer, got ${describe(maxLen)}`);
  if (longest > T) throw new RangeError(`${who}: a length of ${longest} does not fit in maxLen ${T}`);
  const out = new Uint8Array(lens.length * T);
  lens.forEach((l, b) => out.fill(1, b * T + l, (b + 1) * T));
  return new Tensor(out, [lens.length, T]);
}

/** A padded batch with what is needed to ignore the padding. */
export interface PaddedBatch {
  /** [maxLen, batch, ...] or [batch, maxLen, ...] (batchFirst). */
  padded: Tensor;
  /** bool [batch, maxLen], true at padding positions (ready as `keyPaddingMask`). */
  paddingMask: Tensor;
  /** int32 [batch], the original lengths. */
  lengths: Tensor;
}

/**
 * `padSequence` plus the padding mask and the lengths, for a batch of sequences.
 * @example
 * const { padded, paddingMask, lengths } = padBatch(sentences.map((s) => tok.encode(s)), { batchFirst: true, paddingValue: vocab.pad! });
 */
export function padBatch(sequences: readonly (Tensor | readonly number[])[], options: PadOptions = {}): PaddedBatch {
  const seqs = asTensors(sequences, 'padBatch');
  const lens = seqs.map((s) => s.shape[0]!);
  return {
    padded: padSequence(seqs, options),
    paddingMask: lengthsToMask(lens),
    lengths: new Tensor(Int32Array.from(lens), [lens.length]),
  };
}
