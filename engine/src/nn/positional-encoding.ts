/** Sinusoidal positional encoding, as in "Attention Is All You Need" (section 3.5). */
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { describe, fmt } from '../shape.js';
import { expectFloat, expectTensor } from '../ops/helpers.js';
import { Module } from './module.js';
import { Dropout } from './layers.js';

export interface PositionalEncodingOptions {
  /** Dropout applied to the sum, in training. Default 0.1. */
  dropout?: number;
  /** Longest sequence the table covers. Default 5000. */
  maxLen?: number;
  /** Inputs as [batch, seq, dModel] instead of [seq, batch, dModel]. Default false. */
  batchFirst?: boolean;
}

/**
 * Adds the fixed sinusoidal encoding of each position to the input, then applies dropout:
 *
 *   PE[pos, 2i] = sin(pos / 10000^(2i / dModel)),  PE[pos, 2i + 1] = cos(pos / 10000^(2i / dModel)).
 *
 * The table is the buffer `pe` (saved in `stateDict()`), shaped as the PyTorch tutorials
 * keep it so that their state dicts load: [maxLen, 1, dModel] for sequence-first input
 * (PyTorch's Transformer tutorial), [1, maxLen, dModel] with `batchFirst` (The Annotated
 * Transformer). Values are computed in double precision. Input: [seq, batch, dModel]
 * ([batch, seq, dModel] with batchFirst) or unbatched [seq, dModel]; output the same shape.
 *
 * @example
 * const pos = new nn.PositionalEncoding(512, { dropout: 0.1 });
 * const x = pos.forward(embed.forward(tokens).mul(Math.sqrt(512)));   // tokens [seq, batch]
 */
export class PositionalEncoding extends Module {
  dropout: Dropout;
  /** The encoding table, [maxLen, 1, dModel] or [1, maxLen, dModel] (batchFirst). */
  declare readonly pe: Tensor;
  readonly dModel: number;
  readonly maxLen: number;
  readonly batchFirst: boolean;
  private _checkedTable: Tensor | null = null;

  constructor(dModel: number, options: PositionalEncodingOptions = {}) {
    super();
    const cls = 'PositionalEncoding';
    if (typeof dModel !== 'number' || !Number.isInteger(dModel) || dModel <= 0) throw new RangeError(`${cls}: dModel must be a positive integer, got ${describe(dModel)}`);
    const maxLen = options.maxLen ?? 5000;
    if (typeof maxLen !== 'number' || !Number.isInteger(maxLen) || maxLen <= 0) throw new RangeError(`${cls}: maxLen must be a positive integer, got ${describe(maxLen)}`);
    this.dModel = dModel;
    this.maxLen = maxLen;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = new Dropout(options.dropout ?? 0.1);
    this.registerBuffer('pe', this.table('float32'));
  }

  /** The encoding table computed in double precision, stored in `dtype`. */
  private table(dtype: 'float32' | 'float64'): Tensor {
    const { dModel, maxLen } = this;
    const data = dtype === 'float64' ? new Float64Array(maxLen * dModel) : new Float32Array(maxLen * dModel);
    const k = -Math.log(10000) / dModel;
    for (let i = 0; 2 * i < dModel; i++) {
      const freq = Math.exp(2 * i * k);
      for (let pos = 0; pos < maxLen; pos++) {
        const angle = pos * freq;
        data[pos * dModel + 2 * i] = Math.sin(angle);
        if (2 * i + 1 < dModel) data[pos * dModel + 2 * i + 1] = Math.cos(angle);
      }
    }
    return new Tensor(data, this.batchFirst ? [1, maxLen, dModel] : [maxLen, 1, dModel]);
  }

  /**
   * After `double()` the table is float32 values widened to float64; the first forward in
   * float64 replaces it (in place) by the exact double-precision table. A table that is not
   * the standard one (e.g. loaded from elsewhere) is left as it is.
   */
  private exactTable(): void {
    const exact = this.table('float64').data;
    const cur = this.pe.toTypedArray();
    let widened = cur.length === exact.length;
    for (let i = 0; widened && i < cur.length; i++) if (cur[i] !== Math.fround(exact[i]!)) widened = false;
    if (widened) noGrad(() => this.pe.copy_(new Tensor(exact, this.pe.shape.slice())));
    this._checkedTable = this.pe;
  }

  /** x + PE[:seq], then dropout; see the class documentation for shapes. */
  forward(x: Tensor): Tensor {
    const cls = 'PositionalEncoding';
    expectTensor(x, cls, 'input');
    expectFloat(x, cls, 'input');
    const d = this.dModel;
    if ((x.ndim !== 3 && x.ndim !== 2) || x.shape[x.ndim - 1] !== d) {
      const layout = this.batchFirst ? `[batch, seq, ${d}]` : `[seq, batch, ${d}]`;
      throw new RangeError(`${cls}: expected input ${layout} (batchFirst=${this.batchFirst}) or unbatched [seq, ${d}], got ${fmt(x.shape)}`);
    }
    const seqDim = x.ndim === 3 && this.batchFirst ? 1 : 0;
    const S = x.shape[seqDim]!;
    if (S > this.maxLen) {
      throw new RangeError(`${cls}: the input has ${S} positions but the table covers maxLen=${this.maxLen}; create the module with a larger maxLen`);
    }
    if (this.pe.dtype === 'float64' && this._checkedTable !== this.pe) this.exactTable();
    const table = this.batchFirst ? this.pe.select(0, 0) : this.pe.select(1, 0); // [maxLen, d]
    let pe = table.narrow(0, 0, S);
    if (x.ndim === 3) pe = this.batchFirst ? pe.unsqueeze(0) : pe.unsqueeze(1);
    return this.dropout.forward(x.add(pe));
  }

  override extraRepr(): string {
    return `d_model=${this.dModel}, max_len=${this.maxLen}${this.batchFirst ? ', batch_first=True' : ''}`;
  }
}
