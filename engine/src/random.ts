/**
 * Seedable random numbers so that every notebook and test is reproducible.
 *
 * The generator is xoshiro128** (32-bit state words, period 2^128 - 1), seeded through
 * splitmix32 so that nearby seeds give unrelated streams. Normal deviates use the
 * Box-Muller transform. The streams differ from PyTorch's (which uses a Mersenne
 * Twister and its own transforms): seeds reproduce seqlab runs, not PyTorch runs.
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;
  private seedValue = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the stream to the one given by `seed` (any finite number). */
  manualSeed(seed: number): this {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new TypeError(`manualSeed: seed must be a finite number, got ${String(seed)}`);
    }
    this.seedValue = seed;
    // Fold the full double (integers beyond 2^32 included) into 32 bits.
    let x = (Math.floor(seed) ^ Math.floor(seed / 4294967296)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = null;
    return this;
  }

  /** The seed last given to `manualSeed`. */
  initialSeed(): number {
    return this.seedValue;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal deviate. */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  /** The full state, to save and restore a stream (e.g. around a traced forward pass). */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.seedValue, this.spareNormal ?? NaN];
  }

  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 6) throw new TypeError('Generator.setState: expected the array returned by getState()');
    [this.s0, this.s1, this.s2, this.s3, this.seedValue] = state as [number, number, number, number, number];
    this.spareNormal = Number.isNaN(state[5]) ? null : state[5]!;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The default generator used by every random op unless one is passed explicitly. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator: `manualSeed(42)` makes what follows reproducible. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
