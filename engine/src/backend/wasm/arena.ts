/**
 * Scratch space in the kernels' WebAssembly memory for one call at a time: a bump
 * allocator above the per-thread workspaces, reset at the start of every call (a product,
 * a recurrent layer, ...). Nothing survives between calls, so tensors never have to be
 * freed from wasm memory; operands are copied in and results copied out.
 *
 * The memory grows on demand. A shared memory's buffer is replaced (not detached) when it
 * grows, so the Float32Array view is refreshed after every allocation that grew it.
 */
import type { WasmMemory } from './wasm-api.js';

const PAGE = 65536;
const MAX_PAGES = 65536;
const ALIGN = 64;

export class Arena {
  private top: number;
  private f32: Float32Array;

  constructor(
    private readonly memory: WasmMemory,
    /** First byte address the arena may use. */
    readonly base: number,
  ) {
    this.top = base;
    this.f32 = new Float32Array(memory.buffer);
  }

  /** Frees everything (the start of a call). */
  reset(): void {
    this.top = this.base;
  }

  /**
   * `bytes` bytes, 64-byte aligned; returns the byte address, or -1 when the memory cannot
   * grow that far (the caller then declines the call).
   */
  alloc(bytes: number): number {
    const at = this.top;
    const end = at + Math.ceil(bytes / ALIGN) * ALIGN;
    if (!this.ensure(end)) return -1;
    this.top = end;
    return at;
  }

  /** Allocates room for `n` floats. */
  floats(n: number): number {
    return this.alloc(n * 4);
  }

  /** Allocates one block of floats per size, in order; null when memory cannot grow that far. */
  floatBlocks<const N extends readonly number[]>(sizes: N): { -readonly [K in keyof N]: number } | null {
    const ps = sizes.map((n) => this.floats(n));
    return ps.some((p) => p < 0) ? null : (ps as { -readonly [K in keyof N]: number });
  }

  /** The whole memory as floats (valid until the next allocation that grows it). */
  get view(): Float32Array {
    return this.f32;
  }

  /** Copies `src` (or `src[from, from + n)`) to byte address `p`. */
  put(p: number, src: Float32Array, from = 0, n = src.length - from): void {
    this.f32.set(from === 0 && n === src.length ? src : src.subarray(from, from + n), p >>> 2);
  }

  /** Copies `n` floats from byte address `p` into `dst` at `at`. */
  get(p: number, n: number, dst: Float32Array, at = 0): void {
    dst.set(this.f32.subarray(p >>> 2, (p >>> 2) + n), at);
  }

  /** Copies `n` doubles from byte address `p` (8-byte aligned) into `dst`. */
  getDoubles(p: number, n: number, dst: Float64Array): void {
    dst.set(new Float64Array(this.f32.buffer, p, n));
  }

  /** Zeroes `bytes` bytes at `p`. */
  zero(p: number, bytes: number): void {
    new Uint8Array(this.f32.buffer, p, bytes).fill(0);
  }

  private ensure(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) return false;
      try {
        this.memory.grow(pages);
      } catch {
        return false;
      }
    }
    if (this.f32.buffer !== this.memory.buffer || this.f32.length * 4 !== this.memory.buffer.byteLength) {
      this.f32 = new Float32Array(this.memory.buffer);
    }
    return true;
  }
}
