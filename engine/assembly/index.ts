// The engine's WebAssembly module: every export of the files below. Built in four
// variants by build.mjs (SIMD128 or relaxed-SIMD FMA, own or shared memory).

export { workspaceBytes, tileRows, tileCols, usesRelaxedSimd, sgemm, sgemmBatched, sgemmStrided, packedBBytes, packBFull, sgemmPackedB } from './gemm';
export { addRowBias, columnSums, lstmForwardStep, lstmBackwardStep, gruForwardStep, gruBackwardStep, rnnForwardStep, rnnBackwardStep, recurrentWeightGrad } from './recurrent';
export { softmaxRows, softmaxBackwardRows, layerNormRows, layerNormBackwardRows, columnSumsF64 } from './rows';
export { unaryMap, binaryMap } from './elementwise';
