/**
 * Seedable random numbers so that every notebook and test is reproducible.
 *
 * The generator is xoshiro128** (32-bit state words, period 2^128 - 1), seeded through
 * splitmix32 so that nearby seeds give unrelated streams. Normal deviates use the
 * Box-Muller transform. The streams differ from PyTorch's (which uses a Mersenne
 * Twister and its own transforms): seeds reproduce seqlab runs, not PyTorch runs.
 */
export class Generator {
  // The four state words live in an Int32Array: as object fields, values above 2^30 would
  // be boxed on every update (V8 stores such numbers as heap objects), 5x slower.
  private readonly s = new Int32Array(4);
  // Box-Muller makes normals in pairs; the second waits here (a Float64Array, not a field,
  // for the same reason as the state).
  private readonly spare = new Float64Array(1);
  private hasSpare = false;
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
    const st = this.s;
    st[0] = next();
    st[1] = next();
    st[2] = next();
    st[3] = next();
    if ((st[0]! | st[1]! | st[2]! | st[3]!) === 0) st[0] = 1;
    this.hasSpare = false;
    return this;
  }

  /** The seed last given to `manualSeed`. */
  initialSeed(): number {
    return this.seedValue;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const st = this.s;
    const s0 = st[0]!;
    const s1 = st[1]!;
    const s2 = st[2]! ^ s0;
    const s3 = st[3]! ^ s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    st[2] = s2 ^ (s1 << 9);
    st[1] = s1 ^ s2;
    st[0] = s0 ^ s3;
    st[3] = (s3 << 11) | (s3 >>> 21);
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
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare[0]!;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare[0] = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  /** The full state, to save and restore a stream (e.g. around a traced forward pass). */
  getState(): number[] {
    const st = this.s;
    return [st[0]! >>> 0, st[1]! >>> 0, st[2]! >>> 0, st[3]! >>> 0, this.seedValue, this.hasSpare ? this.spare[0]! : NaN];
  }

  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 6) throw new TypeError('Generator.setState: expected the array returned by getState()');
    for (let i = 0; i < 4; i++) this.s[i] = state[i]!;
    this.seedValue = state[4]!;
    this.hasSpare = !Number.isNaN(state[5]);
    this.spare[0] = this.hasSpare ? state[5]! : 0;
  }
}

/** The default generator used by every random op unless one is passed explicitly. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator: `manualSeed(42)` makes what follows reproducible. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
