/**
 * Printing tensors the way PyTorch does, so that notebook output reads familiar:
 * `tensor([[ 0.1000, -1.2000], [ 3.0000,  4.0000]], shape=[2, 2], requires_grad=True)`.
 * Large tensors are summarised (first and last 3 entries per dimension, `...` between),
 * numbers share one format (fixed with 4 decimals, integers as `1.`, or scientific when
 * the magnitudes span too much), and columns are aligned.
 */
import type { Tensor } from './tensor-core.js';

export interface PrintOptions {
  /** Decimal places. */
  precision: number;
  /** Above this many elements a tensor is summarised. */
  threshold: number;
  /** Entries kept at each end of a summarised dimension. */
  edgeitems: number;
  /** Characters per line before wrapping. */
  linewidth: number;
}

export const printOptions: PrintOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 };

/** Changes how tensors print (like `torch.set_printoptions`). */
export function setPrintOptions(options: Partial<PrintOptions>): void {
  for (const [k, v] of Object.entries(options)) {
    if (!(k in printOptions)) throw new RangeError(`setPrintOptions: unknown option ${k}`);
    if (typeof v !== 'number' || !(v >= 0)) throw new RangeError(`setPrintOptions: ${k} must be a non-negative number`);
    (printOptions as unknown as Record<string, number>)[k] = v;
  }
}

/** Index lists for each dim: all indices, or the edges when summarising (-1 marks `...`). */
function indicesFor(size: number, summarise: boolean, edge: number): number[] {
  if (!summarise || size <= 2 * edge) return Array.from({ length: size }, (_, i) => i);
  return [...Array.from({ length: edge }, (_, i) => i), -1, ...Array.from({ length: edge }, (_, i) => size - edge + i)];
}

function makeFormatter(values: number[], kind: 'float' | 'int' | 'bool', precision: number): (v: number) => string {
  if (kind === 'bool') return (v) => (v ? 'True' : 'False');
  if (kind === 'int') return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const special = (v: number): string | null => (v !== v ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null);
  if (finite.length === 0) return (v) => special(v) ?? v.toFixed(precision);
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const maxA = abs.length ? Math.max(...abs) : 0;
  const minA = abs.length ? Math.min(...abs) : 0;
  const allInt = finite.every((v) => Number.isInteger(v));
  if (allInt) {
    if (maxA > 1e8 || (minA > 0 && maxA / minA > 1000 && maxA >= 1e8)) {
      return (v) => special(v) ?? sci(v, precision);
    }
    return (v) => special(v) ?? `${v.toFixed(0)}.`;
  }
  if (maxA / (minA || 1) > 1000 || maxA > 1e8 || (minA > 0 && minA < 1e-4)) {
    return (v) => special(v) ?? sci(v, precision);
  }
  return (v) => special(v) ?? v.toFixed(precision);
}

function sci(v: number, precision: number): string {
  // JS gives 1.2340e+5; PyTorch writes 1.2340e+05.
  const s = v.toExponential(precision);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** The printed form of a tensor. */
export function formatTensor(t: Tensor, options: PrintOptions = printOptions): string {
  const suffix: string[] = [];
  if (t.ndim > 0) suffix.push(`shape=[${t.shape.join(', ')}]`);
  if (t.dtype !== 'float32') suffix.push(`dtype=${t.dtype}`);
  if (t.gradFn) suffix.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffix.push('requires_grad=True');
  const tail = suffix.length ? `, ${suffix.join(', ')}` : '';
  const prefix = 'tensor(';
  const kind = t.dtype === 'bool' ? 'bool' : t.dtype === 'int32' ? 'int' : 'float';
  if (t.numel() === 0) return `${prefix}[]${tail})`;

  const summarise = t.numel() > options.threshold;
  const per = t.shape.map((d) => indicesFor(d, summarise, options.edgeitems));
  // Gather the printed values (row-major over the kept indices) to choose one format.
  const shown: number[] = [];
  const collect = (dim: number, offset: number): void => {
    if (dim === t.ndim) {
      shown.push(t.data[offset]!);
      return;
    }
    for (const i of per[dim]!) if (i >= 0) collect(dim + 1, offset + i * t.strides[dim]!);
  };
  collect(0, t.offset);
  const f = makeFormatter(shown, kind, options.precision);
  // Columns are as wide as the widest finite value; nan/inf are padded to that (as PyTorch).
  const finite = shown.filter((v) => Number.isFinite(v));
  const width = Math.max(...(finite.length ? finite : shown).map((v) => f(v).length));
  const cell = (v: number): string => f(v).padStart(width);
  if (t.ndim === 0) return `${prefix}${f(t.data[t.offset]!)}${tail})`;

  const render = (dim: number, offset: number, indent: number): string => {
    const idx = per[dim]!;
    if (dim === t.ndim - 1) {
      const items = idx.map((i) => (i < 0 ? '...' : cell(t.data[offset + i * t.strides[dim]!]!)));
      // Wrap long rows to the line width, continuing under the first element.
      const perLine = Math.max(1, Math.floor((options.linewidth - indent) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(indent + 1))}]`;
    }
    const blank = '\n'.repeat(Math.max(1, t.ndim - dim - 1));
    const parts = idx.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * t.strides[dim]!, indent + 1)));
    return `[${parts.join(',' + blank + ' '.repeat(indent + 1))}]`;
  };
  return `${prefix}${render(0, t.offset, prefix.length)}${tail})`;
}
