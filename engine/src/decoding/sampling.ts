/**
 * Choosing the next token from a language model's scores: greedy, sampling with a
 * temperature, and top-k sampling.
 */
import { Tensor } from '../tensor.js';
import { describe } from '../shape.js';
import { defaultGenerator, type Generator } from '../random.js';

/** Options of `sampleNext` and `nextTokenProbabilities`. */
export interface SamplingOptions {
  /** Divides the logits: < 1 sharpens, > 1 flattens; 0 means greedy (the most likely token). Default 1. */
  temperature?: number;
  /** Keep only the k largest logits (ties with the k-th are kept, as nanoGPT does). Default: all. */
  topK?: number | null;
  /** Random numbers (default: the global generator, see `manualSeed`). */
  generator?: Generator;
}

function logitsOf(logits: Tensor | ArrayLike<number>, who: string): Float64Array {
  if (logits instanceof Tensor) {
    if (logits.ndim !== 1) throw new RangeError(`${who}: expects the logits of one position, a 1-D tensor [vocab], got shape [${logits.shape.join(', ')}]`);
    return Float64Array.from(logits.toTypedArray() as ArrayLike<number>);
  }
  if (logits === null || typeof logits !== 'object' || typeof (logits as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${who}: expects logits as a 1-D Tensor or an array of numbers, got ${describe(logits)}`);
  }
  return Float64Array.from(logits);
}

function checkOptions(options: SamplingOptions, V: number, who: string): { temperature: number; topK: number } {
  const temperature = options.temperature ?? 1;
  if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new RangeError(`${who}: temperature must be a number ≥ 0 (0 = greedy), got ${describe(temperature)}`);
  }
  const k = options.topK ?? V;
  if (typeof k !== 'number' || !Number.isInteger(k) || k <= 0) throw new RangeError(`${who}: topK must be a positive integer, got ${describe(options.topK)}`);
  if (V === 0) throw new RangeError(`${who}: the logits are empty`);
  return { temperature, topK: Math.min(k, V) };
}

/**
 * The distribution `sampleNext` draws from: softmax(logits / temperature) over the `topK`
 * largest logits (0 elsewhere). With temperature 0, all the mass is on the largest logit
 * (the first one on ties).
 * @example decoding.nextTokenProbabilities(tensor([2, 1, 0]), { temperature: 0.5, topK: 2 })   // [0.881, 0.119, 0]
 */
export function nextTokenProbabilities(logits: Tensor | ArrayLike<number>, options: SamplingOptions = {}): Float64Array {
  const who = 'nextTokenProbabilities';
  const z = logitsOf(logits, who);
  const { temperature, topK } = checkOptions(options, z.length, who);
  for (let i = 0; i < z.length; i++) if (Number.isNaN(z[i]!)) throw new RangeError(`${who}: logit ${i} is NaN`);
  const p = new Float64Array(z.length);
  let best = 0;
  for (let i = 1; i < z.length; i++) if (z[i]! > z[best]!) best = i;
  if (temperature === 0) {
    p[best] = 1;
    return p;
  }
  // The k-th largest value; everything below it is cut.
  const threshold = topK < z.length ? Float64Array.from(z).sort((a, b) => b - a)[topK - 1]! : -Infinity;
  const max = z[best]!;
  if (max === -Infinity) throw new RangeError(`${who}: every logit is -Infinity`);
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    if (z[i]! < threshold) continue;
    const e = Math.exp((z[i]! - max) / temperature);
    p[i] = e;
    total += e;
  }
  for (let i = 0; i < z.length; i++) p[i]! /= total;
  return p;
}

/**
 * Picks the next token id from the logits of one position: greedy with temperature 0,
 * otherwise a draw from softmax(logits / temperature), restricted to the `topK` most
 * likely tokens when given.
 * @example
 * const next = decoding.sampleNext(logits.select(0, -1), { temperature: 0.8, topK: 10, generator: new Generator(1) });
 */
export function sampleNext(logits: Tensor | ArrayLike<number>, options: SamplingOptions = {}): number {
  const p = nextTokenProbabilities(logits, options);
  if ((options.temperature ?? 1) === 0) return p.indexOf(1);
  const u = (options.generator ?? defaultGenerator).random();
  let acc = 0;
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    acc += p[i]!;
    last = i;
    if (u < acc) return i;
  }
  return last; // u within rounding of 1
}
