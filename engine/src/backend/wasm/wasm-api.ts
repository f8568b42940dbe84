/**
 * The part of the `WebAssembly` global the backend uses, typed locally: the engine
 * compiles against ES2022 + Node types, which do not declare `WebAssembly` (it lives in
 * the DOM library), and a global declaration here would leak into every consumer.
 */

/** A compiled module (opaque; structured-cloneable to worker threads). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A linear memory, possibly shared. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

export interface WasmMemoryDescriptor {
  initial: number;
  maximum?: number;
  shared?: boolean;
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: WasmMemoryDescriptor) => WasmMemory;
}

/** The runtime's `WebAssembly`, or null where there is none. */
export function wasmApi(): WasmApi | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  return api !== undefined && typeof api === 'object' ? api : null;
}
