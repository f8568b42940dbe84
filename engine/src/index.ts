/**
 * @seqlab/engine: tensors, reverse-mode autograd and sequence models in TypeScript.
 */
export * as kernels from './kernels/gemm.js';
