/**
 * Caps that keep payloads drawable. A long input is cut (the first `shown` entries kept)
 * and the cut is recorded in the payload's `truncation`, the SVG caption and `text/plain`.
 */

/** Axes a payload can be cut along (common.v1.schema.json#/definitions/truncation). */
export type TruncationAxis = 'query' | 'key' | 'time' | 'unit' | 'layer' | 'head' | 'batch';

/** One cut: `shown` of `total` entries along `axis` are in the payload. */
export interface Cut {
  axis: TruncationAxis;
  shown: number;
  total: number;
}

const NOUNS: Record<TruncationAxis, string> = {
  query: 'query tokens',
  key: 'key tokens',
  time: 'time steps',
  unit: 'units',
  layer: 'layers',
  head: 'heads',
  batch: 'batch items',
};

/** Records a cut when `total` exceeds `cap`; returns how many entries to keep. */
export function cap(cuts: Cut[], axis: TruncationAxis, total: number, limit: number): number {
  if (total <= limit) return total;
  cuts.push({ axis, shown: limit, total });
  return limit;
}

/**
 * A sentence stating the cuts, or '' when nothing was cut.
 *
 * @example describeCuts([{ axis: 'time', shown: 512, total: 2000 }])  // "showing the first 512 of 2000 time steps"
 */
export function describeCuts(cuts: readonly Cut[]): string {
  if (cuts.length === 0) return '';
  return `showing the first ${cuts.map((c) => `${c.shown} of ${c.total} ${NOUNS[c.axis]}`).join(', ')}`;
}
