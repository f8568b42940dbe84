import { ones, tensor, triu, type Tensor } from '@seqlab/engine';

/** PE[pos, 2i] = sin(pos·ω_i), PE[pos, 2i+1] = cos(pos·ω_i), ω_i = 10000^(−2i/d). */
export function positionalEncoding(maxLen: number, d: number): Tensor {
  const rows: number[][] = [];
  for (let pos = 0; pos < maxLen; pos++) {
    const row: number[] = [];
    for (let j = 0; j < d; j++) {
      const w = Math.pow(10000, -(2 * Math.floor(j / 2)) / d);
      row.push(j % 2 === 0 ? Math.sin(pos * w) : Math.cos(pos * w));
    }
    rows.push(row);
  }
  return tensor(rows);
}

/** true above the diagonal: query i may not see key j > i. */
export function causalMask(n: number): Tensor {
  return triu(ones([n, n]), 1).bool();
}

/** (x − mean) / √(variance + ε) over the last dimension (variance divided by d). */
export function layerNorm(x: Tensor, eps: number): Tensor {
  const centred = x.sub(x.mean(-1, true));
  return centred.div(centred.square().mean(-1, true).add(eps).sqrt());
}
