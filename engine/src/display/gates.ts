/**
 * gatesView: gate activations of one LSTM or GRU layer over one sequence, as a display
 * bundle (`application/vnd.seqlab.gates.v1+json` + SVG + text).
 */
import { checkArray, checkInteger, checkRowsMatchTokens, checkString, checkTokens, describe, type Matrix } from './inputs.js';
import { DEFAULT_PRECISION, maxAbs, roundMatrix } from './numbers.js';
import { DIVERGING, SEQUENTIAL, type ColorStops } from './palette.js';
import { summaryTokens } from './summary.js';
import { colorbarBody } from './svg/colorbar.js';
import { columnBody, framedSvg, rowBody } from './svg/frame.js';
import { cellSize, heatmapBody } from './svg/heatmap.js';
import { unitsByTime } from './hidden-states.js';
import { tokenAxesNote, tokenAxis } from './token-axis.js';
import { cap, describeCuts, type Cut } from './truncation.js';
import { VIEWS } from './contract.js';
import { View } from './view.js';

/** Gate names of each architecture, in drawing order (PyTorch's gate order first). */
export const GATE_ORDER = {
  lstm: ['input', 'forget', 'candidate', 'output', 'cell', 'hidden'],
  gru: ['reset', 'update', 'candidate', 'hidden'],
} as const;

export type GateArchitecture = keyof typeof GATE_ORDER;
export type GateName = (typeof GATE_ORDER)[GateArchitecture][number];

/** The payload of `application/vnd.seqlab.gates.v1+json`. */
export interface GatesPayload {
  version: 1;
  title?: string;
  architecture: GateArchitecture;
  tokens: string[];
  /** Each gate[t][unit]. */
  gates: Partial<Record<GateName, number[][]>>;
  precision: number;
  truncation?: Cut[];
}

/** Input of {@link gatesView}. */
export interface GatesViewOptions {
  architecture: GateArchitecture;
  /** One token per time step. */
  tokens: readonly (string | number)[];
  /**
   * Activations `[time][unit]` per gate. LSTM: input, forget, candidate (g), output, and
   * the cell state (and hidden); GRU: reset, update, candidate (n), hidden.
   */
  gates: Partial<Record<GateName, Matrix>>;
  title?: string;
  /** Significant digits kept of each gate's largest magnitude (default 3). */
  precision?: number;
  /** Longest sequence kept (default 512). */
  maxTime?: number;
  /** Most units kept (default 128). */
  maxUnits?: number;
}

const FN = 'gatesView';
const STATIC_CELLS = 65_536;

/** How a gate's values are coloured: sigmoid gates 0..1, tanh values -1..1, the cell around 0. */
export function gateScale(gate: GateName, values: Matrix): { stops: ColorStops; zmin: number; zmax: number } {
  if (gate === 'candidate' || gate === 'hidden') return { stops: DIVERGING, zmin: -1, zmax: 1 };
  if (gate === 'cell') {
    const lim = maxAbs(values) || 1;
    return { stops: DIVERGING, zmin: -lim, zmax: lim };
  }
  return { stops: SEQUENTIAL, zmin: 0, zmax: 1 };
}

/**
 * Builds a gates view from plain arrays.
 *
 * @example
 * gatesView({
 *   architecture: 'lstm',
 *   tokens: ['a', 'b'],
 *   gates: { input: [[0.9], [0.1]], forget: [[0.2], [0.8]], candidate: [[0.5], [-0.3]], output: [[0.7], [0.6]], cell: [[0.45], [0.33]] },
 * });
 */
export function gatesView(options: GatesViewOptions): View<GatesPayload> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${FN}: expected an options object {architecture, tokens, gates, ...}, got ${describe(options)}`);
  }
  const arch = options.architecture;
  if (arch !== 'lstm' && arch !== 'gru') {
    throw new RangeError(`${FN}: architecture must be 'lstm' or 'gru', got ${JSON.stringify(arch) ?? describe(arch)}`);
  }
  const tokens = checkTokens(FN, 'tokens', options.tokens);
  if (typeof options.gates !== 'object' || options.gates === null || Array.isArray(options.gates)) {
    throw new TypeError(`${FN}: gates must be an object {${GATE_ORDER[arch].join(', ')}}, got ${describe(options.gates)}`);
  }
  const allowed: readonly string[] = GATE_ORDER[arch];
  const given = Object.keys(options.gates).filter((k) => (options.gates as Record<string, unknown>)[k] !== undefined);
  for (const key of given) {
    if (!allowed.includes(key)) {
      throw new RangeError(`${FN}: gates.${key} is not a gate of ${arch.toUpperCase()}; expected some of ${allowed.join(', ')}`);
    }
  }
  if (given.length === 0) throw new TypeError(`${FN}: gates must hold at least one of ${allowed.join(', ')}`);
  const names = allowed.filter((g) => given.includes(g)) as GateName[];
  let units = -1;
  let unitsFrom = '';
  for (const g of names) {
    const [rows, cols] = checkArray(FN, `gates.${g}`, options.gates[g], 2);
    checkRowsMatchTokens(FN, `gates.${g}`, rows!, 'tokens', tokens.length);
    if (units >= 0 && cols !== units) {
      throw new RangeError(`${FN}: gates.${g} has ${cols} units but gates.${unitsFrom} has ${units}; every gate must have the same units`);
    }
    units = cols!;
    unitsFrom = g;
  }
  const title = checkString(FN, 'title', options.title);
  const precision = checkInteger(FN, 'precision', options.precision, DEFAULT_PRECISION, 1, 9);
  const maxTime = checkInteger(FN, 'maxTime', options.maxTime, 512, 1, 1 << 16);
  const maxUnits = checkInteger(FN, 'maxUnits', options.maxUnits, 128, 1, 1 << 16);
  const cuts: Cut[] = [];
  const T = cap(cuts, 'time', tokens.length, maxTime);
  const U = cap(cuts, 'unit', units, maxUnits);
  const gates: GatesPayload['gates'] = {};
  for (const g of names) {
    gates[g] = roundMatrix(
      options.gates[g]!.slice(0, T).map((row) => Array.prototype.slice.call(row, 0, U) as number[]),
      precision,
    );
  }
  const payload: GatesPayload = {
    version: 1,
    ...(title !== undefined && { title }),
    architecture: arch,
    tokens: tokens.slice(0, T),
    gates,
    precision,
    ...(cuts.length > 0 && { truncation: cuts }),
  };
  const cut = describeCuts(cuts);
  const text =
    `${title ? `${title}: ` : ''}${arch.toUpperCase()} gates ${names.join(', ')}, ${tokens.length} time steps × ${units} units ` +
    `(${summaryTokens(tokens)})${cut ? `; ${cut}` : ''}`;
  return new View(VIEWS.gates, payload, text, gatesSvg(payload, names));
}

/** Static figure: small multiples, one units × time heatmap per gate on a shared time axis. */
function gatesSvg(p: GatesPayload, names: readonly GateName[]): string {
  const T = p.tokens.length;
  const units = p.gates[names[0]!]![0]!.length;
  const shownUnits = Math.max(1, Math.min(units, Math.floor(STATIC_CELLS / (T * names.length))));
  const captions = [
    ['rows: units, columns: tokens (time)', describeCuts(p.truncation ?? [])].filter(Boolean).join('; '),
  ];
  if (shownUnits < units) captions.push(`static preview shows units 0–${shownUnits - 1} of ${units}`);
  const cellW = cellSize(T, 900, 1, 22);
  const axisNote = tokenAxesNote([tokenAxis(p.tokens, T * cellW)]);
  if (axisNote) captions.push(axisNote);
  const cellH = cellSize(shownUnits, 110, 1, 10);
  const panels = names.map((g, i) => {
    const z = unitsByTime(p.gates[g]!, shownUnits);
    const scale = gateScale(g, p.gates[g]!);
    const heat = heatmapBody({
      z,
      ...scale,
      rowLabels: Array.from({ length: shownUnits }, (_, u) => String(u)),
      colLabels: i === names.length - 1 ? p.tokens : undefined,
      colLabelsAt: 'bottom',
      title: g,
      cellWidth: cellW,
      cellHeight: cellH,
    });
    return rowBody([heat, colorbarBody(Math.max(60, Math.min(140, shownUnits * cellH + 18)), scale.stops, scale.zmin, scale.zmax)], 14);
  });
  return framedSvg(p.title ?? `${p.architecture.toUpperCase()} gates`, columnBody(panels, 8), captions);
}
