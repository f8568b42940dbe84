/** d^−0.5 · min(step^−0.5, step · warmup^−1.5) */
export function transformerLr(step: number, dModel: number, warmup: number): number {
  return Math.pow(dModel, -0.5) * Math.min(Math.pow(step, -0.5), step * Math.pow(warmup, -1.5));
}

/** <bos> followed by the target without its last token. */
export function decoderInput(targets: number[][], bos: number): number[][] {
  return targets.map((t) => [bos, ...t.slice(0, -1)]);
}

/** The fraction of outputs equal to their reference (same length, every token). */
export function exactMatch(outputs: number[][], references: number[][]): number {
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((t, i) => t === b[i]);
  return outputs.filter((o, i) => same(o, references[i])).length / outputs.length;
}
