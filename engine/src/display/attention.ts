/**
 * attentionView: attention weights of one attention site over one input, as a display
 * bundle (`application/vnd.seqlab.attention.v1+json` + static SVG + text).
 */
import {
  checkArray,
  checkInteger,
  checkNames,
  checkString,
  checkTokens,
  describe,
  nestingDepth,
  type Matrix,
} from './inputs.js';
import { DEFAULT_PRECISION, roundMatrix } from './numbers.js';
import { SEQUENTIAL } from './palette.js';
import { colorbarBody } from './svg/colorbar.js';
import { framedSvg, gridBody, rowBody, type Body } from './svg/frame.js';
import { cellSize, heatmapBody } from './svg/heatmap.js';
import { tokenAxesNote, tokenAxis } from './token-axis.js';
import { cap, describeCuts, type Cut } from './truncation.js';
import { VIEWS } from './contract.js';
import { View } from './view.js';
import { summaryTokens } from './summary.js';

/** The kinds of attention, in the order of the schema's enum. */
export const ATTENTION_KINDS = ['self', 'cross', 'causal-self', 'additive', 'other'] as const;

/** Which attention a map shows; it informs labels only (and which tokens `trace` puts on each side). */
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/** The payload of `application/vnd.seqlab.attention.v1+json` (engine/schemas/attention.v1.schema.json). */
export interface AttentionPayload {
  version: 1;
  title?: string;
  kind?: AttentionKind;
  queryTokens: string[];
  keyTokens: string[];
  /** weights[layer][head][query][key]. */
  weights: number[][][][];
  layerNames?: string[];
  headNames?: string[];
  /** mask[query][key]: true where the position was masked. */
  mask?: boolean[][];
  /** The layer and head the view opens on (indices into `weights`; 'mean': the mean over heads). */
  open?: AttentionOpen;
  precision: number;
  truncation?: Cut[];
}

/** Where an attention view opens: a layer and a head of its weights (indices), or the layer's mean over heads. */
export interface AttentionOpen {
  layer: number;
  head: number | 'mean';
}

/**
 * The layer and head a view opens on, as a caller names them: a 0-based index, or the name
 * the view shows (a `layerNames`/`headNames` entry, else `'layer 2'`, `'head 3'`; a unique
 * part of a long name such as a module path will do); for the head also `'mean'`.
 */
export interface AttentionOpenOption {
  layer?: number | string;
  head?: number | string;
}

/** Input of {@link attentionView}. */
export interface AttentionViewOptions {
  /** One token per query position. */
  queryTokens: readonly (string | number)[];
  /** One token per key position; defaults to `queryTokens` (self-attention). */
  keyTokens?: readonly (string | number)[];
  /** `[layer][head][query][key]`, `[head][query][key]` or `[query][key]`; rows may be typed arrays. */
  weights: ReadonlyArray<unknown>;
  layerNames?: readonly string[];
  headNames?: readonly string[];
  /**
   * Masked positions: `[query][key]` (true = masked, e.g. a causal mask) or `[key]`
   * (a key padding mask, the same for every query). Numbers are read as booleans.
   */
  mask?: ReadonlyArray<unknown>;
  kind?: AttentionKind;
  title?: string;
  /**
   * The layer and head the view opens on (default: the first of each), e.g.
   * `{ layer: 1, head: 'head 3' }` or `{ layer: 'encoder.layers.1.self_attn', head: 'mean' }`.
   * The view still holds every layer and head; the static figure shows this map.
   */
  open?: AttentionOpenOption;
  /** Significant digits kept of each map's largest weight (default 3). */
  precision?: number;
  /** Longest query or key sequence kept (default 256); longer ones are cut and say so. */
  maxTokens?: number;
  /** Most weights kept in all (default 2^20); beyond it trailing layers, then heads, are cut. */
  maxWeights?: number;
}

const FN = 'attentionView';
/** Cells the static figure draws at most (a few hundred kB of SVG). */
const STATIC_CELLS = 65_536;
const STATIC_PANELS = 12;

/**
 * Builds an attention view from plain arrays.
 *
 * @example
 * const view = attentionView({
 *   queryTokens: ['the', 'cat', 'sat'],
 *   weights: [[1, 0, 0], [0.3, 0.7, 0], [0.1, 0.5, 0.4]],   // [query][key]
 *   kind: 'causal-self',
 * });
 * // In a notebook cell, `view` displays itself; view.payload.weights is [1][1][3][3].
 */
export function attentionView(options: AttentionViewOptions): View<AttentionPayload> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${FN}: expected an options object {queryTokens, weights, ...}, got ${describe(options)}`);
  }
  const queryTokens = checkTokens(FN, 'queryTokens', options.queryTokens);
  const depth = nestingDepth(options.weights);
  if (depth < 2 || depth > 4) {
    throw new TypeError(
      `${FN}: weights must be [layer][head][query][key], [head][query][key] or [query][key] numbers, ` +
        `got ${describe(options.weights)}`,
    );
  }
  const dims = checkArray(FN, 'weights', options.weights, depth);
  const w4 = (depth === 4 ? options.weights : depth === 3 ? [options.weights] : [[options.weights]]) as Matrix[][];
  const shape = dims.map((d) => `[${d}]`).join('');
  const nq = dims[depth - 2]!;
  const nk = dims[depth - 1]!;
  if (nq !== queryTokens.length) {
    throw new RangeError(
      `${FN}: weights has ${nq} query rows (shape ${shape}) but queryTokens has ${queryTokens.length} tokens`,
    );
  }
  let keyTokens: string[];
  if (options.keyTokens !== undefined) {
    keyTokens = checkTokens(FN, 'keyTokens', options.keyTokens);
    if (nk !== keyTokens.length) {
      throw new RangeError(`${FN}: weights has ${nk} key columns (shape ${shape}) but keyTokens has ${keyTokens.length} tokens`);
    }
  } else if (nk === queryTokens.length) {
    keyTokens = queryTokens;
  } else {
    throw new RangeError(
      `${FN}: weights has ${nk} key columns (shape ${shape}) but queryTokens has ${queryTokens.length} tokens; ` +
        'pass keyTokens for cross-attention',
    );
  }
  const nLayers = w4.length;
  const nHeads = w4[0]!.length;
  const layerNames = checkNames(FN, 'layerNames', options.layerNames, nLayers, 'layers');
  const headNames = checkNames(FN, 'headNames', options.headNames, nHeads, 'heads');
  const mask = checkMask(options.mask, nq, nk);
  if (options.kind !== undefined && !ATTENTION_KINDS.includes(options.kind)) {
    throw new RangeError(`${FN}: kind must be one of ${ATTENTION_KINDS.join(', ')}, got ${JSON.stringify(options.kind)}`);
  }
  const title = checkString(FN, 'title', options.title);
  const open = options.open === undefined ? undefined : resolveOpen(options.open, nLayers, nHeads, layerNames, headNames);
  const precision = checkInteger(FN, 'precision', options.precision, DEFAULT_PRECISION, 1, 9);
  const maxTokens = checkInteger(FN, 'maxTokens', options.maxTokens, 256, 1, 1 << 16);
  const maxWeights = checkInteger(FN, 'maxWeights', options.maxWeights, 1 << 20, 1, 1 << 26);

  const cuts: Cut[] = [];
  const q = cap(cuts, 'query', nq, maxTokens);
  const k = cap(cuts, 'key', nk, maxTokens);
  let layers = nLayers;
  let heads = nHeads;
  if (layers * heads * q * k > maxWeights) {
    layers = cap(cuts, 'layer', nLayers, Math.max(1, Math.floor(maxWeights / (heads * q * k))));
  }
  if (layers * heads * q * k > maxWeights) {
    heads = cap(cuts, 'head', nHeads, Math.max(1, Math.floor(maxWeights / (layers * q * k))));
  }
  if (open && (open.layer >= layers || (open.head !== 'mean' && open.head >= heads))) {
    throw new RangeError(
      `${FN}: open chooses layer ${open.layer} and head ${open.head}, but maxWeights (${maxWeights}) keeps only the first ` +
        `${layers} layer${layers === 1 ? '' : 's'} × ${heads} head${heads === 1 ? '' : 's'}; raise maxWeights or open on a kept map`,
    );
  }

  const weights = w4.slice(0, layers).map((layer) =>
    layer.slice(0, heads).map((map) => roundMatrix(map.slice(0, q).map((row) => sliceRow(row, k)), precision)),
  );
  const payload: AttentionPayload = {
    version: 1,
    ...(title !== undefined && { title }),
    ...(options.kind !== undefined && { kind: options.kind }),
    queryTokens: queryTokens.slice(0, q),
    keyTokens: keyTokens.slice(0, k),
    weights,
    ...(layerNames && { layerNames: layerNames.slice(0, layers) }),
    ...(headNames && { headNames: headNames.slice(0, heads) }),
    ...(mask && { mask: mask.slice(0, q).map((row) => row.slice(0, k)) }),
    ...(open && { open }),
    precision,
    ...(cuts.length > 0 && { truncation: cuts }),
  };
  return new View(VIEWS.attention, payload, attentionText(payload, nLayers, nHeads), attentionSvg(payload));
}

/** Finds a layer or head by index or by the name the view shows; `what` names it in errors. */
function findIndex(value: unknown, names: readonly string[], what: 'layer' | 'head'): number {
  const path = `open.${what}`;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value >= names.length) {
      throw new RangeError(`${FN}: ${path} ${value} is not a ${what} index; there ${names.length === 1 ? 'is' : 'are'} ${names.length} ${what}${names.length === 1 ? '' : 's'} (0–${names.length - 1})`);
    }
    return value;
  }
  if (typeof value !== 'string') throw new TypeError(`${FN}: ${path} must be a ${what} index or name, got ${describe(value)}`);
  const exact = names.indexOf(value);
  if (exact >= 0) return exact;
  const partial = names.flatMap((n, i) => (n.includes(value) ? [i] : []));
  if (partial.length === 1) return partial[0]!;
  const listed = names.map((n) => JSON.stringify(n)).join(', ');
  throw new RangeError(`${FN}: ${path} ${JSON.stringify(value)} names ${partial.length === 0 ? 'no' : 'more than one'} ${what}; the ${what}s are ${listed}`);
}

/** The layer and head a view opens on, from index or name (see {@link AttentionOpenOption}). */
function resolveOpen(value: unknown, nLayers: number, nHeads: number, layerNames?: readonly string[], headNames?: readonly string[]): AttentionOpen {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${FN}: open must be {layer?, head?} (an index or a name each), got ${describe(value)}`);
  }
  const o = value as AttentionOpenOption;
  for (const key of Object.keys(o)) {
    if (key !== 'layer' && key !== 'head') throw new RangeError(`${FN}: open has an unknown field "${key}"; it takes layer and head`);
  }
  const layers = layerNames ?? Array.from({ length: nLayers }, (_, l) => `layer ${l + 1}`);
  const heads = headNames ?? Array.from({ length: nHeads }, (_, h) => `head ${h + 1}`);
  const layer = o.layer === undefined ? 0 : findIndex(o.layer, layers, 'layer');
  const head = o.head === undefined ? 0 : o.head === 'mean' && !heads.includes('mean') ? 'mean' : findIndex(o.head, heads, 'head');
  return { layer, head: head === 'mean' && nHeads === 1 ? 0 : head };
}

function sliceRow(row: ArrayLike<number>, n: number): ArrayLike<number> {
  return row.length === n ? row : Array.prototype.slice.call(row, 0, n);
}

function checkMask(value: unknown, nq: number, nk: number): boolean[][] | undefined {
  if (value === undefined) return undefined;
  const asBool = (v: unknown, path: string): boolean => {
    if (typeof v === 'boolean') return v;
    if (v === 0 || v === 1) return v === 1;
    throw new TypeError(`${FN}: ${path} must be a boolean (or 0/1), got ${describe(v)}`);
  };
  const depth = nestingDepth(value);
  if (depth === 1 && (value as ArrayLike<unknown>).length === nk) {
    const row = Array.from(value as ArrayLike<unknown>, (v, j) => asBool(v, `mask[${j}]`));
    return Array.from({ length: nq }, () => row);
  }
  if (depth === 2) {
    const rows = value as ArrayLike<ArrayLike<unknown>>;
    if (rows.length !== nq || Array.from(rows).some((r) => r.length !== nk)) {
      throw new RangeError(
        `${FN}: mask must be [query][key] = [${nq}][${nk}] or [key] = [${nk}], got ${describe(value)}`,
      );
    }
    return Array.from(rows, (r, i) => Array.from(r, (v, j) => asBool(v, `mask[${i}][${j}]`)));
  }
  throw new RangeError(`${FN}: mask must be [query][key] = [${nq}][${nk}] or [key] = [${nk}], got ${describe(value)}`);
}

function attentionText(p: AttentionPayload, totalLayers: number, totalHeads: number): string {
  const kind = p.kind ? `${p.kind} ` : '';
  const cut = describeCuts(p.truncation ?? []);
  return (
    `${p.title ? `${p.title}: ` : ''}${kind}attention, ${totalLayers} layer${totalLayers === 1 ? '' : 's'} × ` +
    `${totalHeads} head${totalHeads === 1 ? '' : 's'}, ${p.queryTokens.length} query × ${p.keyTokens.length} key tokens ` +
    `(${summaryTokens(p.queryTokens)})${cut ? `; ${cut}` : ''}`
  );
}

function meanOfHeads(maps: number[][][]): number[][] {
  return maps[0]!.map((row, i) => row.map((_, j) => maps.reduce((s, m) => s + m[i]![j]!, 0) / maps.length));
}

/**
 * The static figure: the map itself for one head; the map the view opens on when the
 * payload says (`open`); else for one layer, one panel per head, and for several layers,
 * the mean over heads of each layer. Panels share one colour scale.
 */
function attentionSvg(p: AttentionPayload): string {
  const nq = p.queryTokens.length;
  const nk = p.keyTokens.length;
  const L = p.weights.length;
  const H = p.weights[0]!.length;
  const headName = (h: number): string => p.headNames?.[h] ?? `head ${h + 1}`;
  const layerName = (l: number): string => p.layerNames?.[l] ?? `layer ${l + 1}`;
  let panels: { title: string; z: number[][] }[];
  let what: string;
  if (p.open && L * H > 1) {
    // The map the view opens on (the one the text discusses), rather than an overview.
    const { layer, head } = p.open;
    const name = head === 'mean' ? `mean of ${H} heads` : headName(head);
    panels = [{ title: L > 1 ? `${layerName(layer)}, ${name}` : name, z: head === 'mean' ? meanOfHeads(p.weights[layer]!) : p.weights[layer]![head]! }];
    what = `the map the view opens on, of ${L} layer${L === 1 ? '' : 's'} × ${H} head${H === 1 ? '' : 's'}`;
  } else if (L === 1 && H === 1) {
    panels = [{ title: '', z: p.weights[0]![0]! }];
    what = '';
  } else if (L === 1) {
    panels = p.weights[0]!.map((z, h) => ({ title: headName(h), z }));
    what = `one panel per head${p.layerNames ? ` of ${layerName(0)}` : ''}`;
  } else {
    panels = p.weights.map((maps, l) => ({ title: `${layerName(l)}, mean of ${H} heads`, z: H === 1 ? maps[0]! : meanOfHeads(maps) }));
    what = 'one panel per layer, averaged over heads';
  }
  const maxPanels = Math.max(1, Math.min(STATIC_PANELS, Math.floor(STATIC_CELLS / (nq * nk))));
  const captions: string[] = [];
  if (panels.length > maxPanels) {
    captions.push(`static preview shows ${maxPanels} of ${panels.length} panels; the seqlab extension shows all`);
    panels = panels.slice(0, maxPanels);
  }
  let zmax = 0;
  for (const panel of panels) for (const row of panel.z) for (const v of row) zmax = Math.max(zmax, v);
  if (zmax === 0) zmax = 1;
  const single = panels.length === 1;
  const cell = cellSize(Math.max(nq, nk), single ? 520 : 300, 1, 22);
  const bodies: Body[] = panels.map((panel) =>
    heatmapBody({
      z: panel.z,
      stops: SEQUENTIAL,
      zmin: 0,
      zmax,
      mask: p.mask,
      rowLabels: p.queryTokens,
      colLabels: p.keyTokens,
      colLabelsAt: 'top',
      title: panel.title || undefined,
      cellWidth: cell,
      cellHeight: cell,
    }),
  );
  const axisNote = tokenAxesNote([tokenAxis(p.queryTokens, nq * cell), tokenAxis(p.keyTokens, nk * cell)]);
  if (axisNote) captions.push(axisNote);
  const perRow = Math.max(1, Math.min(4, Math.floor(1100 / (bodies[0]!.width + 16))));
  const grid = gridBody(bodies, perRow);
  const bar = colorbarBody(Math.min(240, Math.max(80, grid.height)), SEQUENTIAL, 0, zmax, 'weight');
  captions.unshift(
    ['rows: queries, columns: keys', what, p.mask?.some((row) => row.includes(true)) ? 'hatched: masked' : '', describeCuts(p.truncation ?? [])]
      .filter(Boolean)
      .join('; '),
  );
  const kind = p.kind ? `${p.kind} ` : '';
  return framedSvg(p.title ?? `${kind}attention`, rowBody([grid, bar], 20), captions);
}
