/**
 * How a token axis is labelled, in the static figures and in the interactive views alike:
 * one rule, so a sentence reads the same in a notebook, an export and a saved image.
 *
 * Labels are drawn across the axis (vertical, one line of text each), so each needs about
 * 1.15 em of axis. The font shrinks from 11 px to 8 px to fit every token; only when even
 * 8 px does not fit is every k-th token labelled, k as small as fits, and the figure says
 * so (the interactive views show every token on hover). Whitespace tokens are drawn as
 * symbols (see {@link tokenLabel}): `·` a space, `↵` a line break, `⇥` a tab, `∅` an empty
 * token; the legend names those that appear.
 */
import { tokenLabel, WHITESPACE_SYMBOLS } from './svg/xml.js';

/** Largest and smallest label font (px). */
export const AXIS_FONT = { max: 11, min: 8 } as const;
/** Axis length (px) per label, in font sizes: one line of text. */
const LINE = 1.15;
/**
 * Length (px) of a plot's token axis when the real one is not known yet (a view drawn
 * before it is on screen): about what a notebook output area gives.
 */
export const NOMINAL_AXIS_PX = 800;

/** A labelled token axis. */
export interface TokenAxis {
  /** Positions labelled (0-based), every `step`-th from 0. */
  indices: number[];
  /** Their labels: whitespace made visible, long tokens shortened (raw text: escape it for the target). */
  labels: string[];
  /** 1 when every token is labelled. */
  step: number;
  /** Label font size (px). */
  fontSize: number;
  /** The whitespace symbols among the labels (in the order of WHITESPACE_SYMBOLS). */
  symbols: string[];
  /** Names them, e.g. "· is a space, ↵ a line break"; null when there are none. */
  legend: string | null;
  /** Says which tokens are labelled when not all are, e.g. "every 2nd token labelled"; null when all are. */
  thinned: string | null;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * Labels a token axis `axisPx` long.
 *
 * @example tokenAxis([...'the cat'], 400)  // every token at 11 px; legend "· is a space"
 * @example tokenAxis(tokens200, 900).thinned  // "every 3rd token labelled"
 */
export function tokenAxis(tokens: readonly string[], axisPx: number = NOMINAL_AXIS_PX, maxChars?: number): TokenAxis {
  const n = tokens.length;
  const per = n > 0 && axisPx > 0 ? axisPx / n : AXIS_FONT.max * LINE;
  const fontSize = Math.max(AXIS_FONT.min, Math.min(AXIS_FONT.max, Math.floor(per / LINE)));
  const step = Math.max(1, Math.ceil((fontSize * LINE) / per - 1e-9));
  const indices: number[] = [];
  for (let i = 0; i < n; i += step) indices.push(i);
  const labels = indices.map((i) => tokenLabel(tokens[i]!, maxChars));
  // A symbol the label shows that the token itself does not hold stands for whitespace.
  const symbols = WHITESPACE_SYMBOLS.filter((s) => labels.some((l, k) => l.includes(s.symbol) && !tokens[indices[k]!]!.includes(s.symbol))).map((s) => s.symbol);
  return { indices, labels, step, fontSize, symbols, legend: whitespaceLegend(symbols), thinned: step > 1 ? `every ${ordinal(step)} token labelled` : null };
}

/** "· is a space, ↵ a line break" for the symbols given (null for none). */
function whitespaceLegend(symbols: readonly string[]): string | null {
  const used = WHITESPACE_SYMBOLS.filter((s) => symbols.includes(s.symbol));
  return used.length === 0 ? null : used.map((s, i) => `${s.symbol} ${i === 0 ? 'is ' : ''}${s.meaning}`).join(', ');
}

/**
 * One note for the token axes of a figure: which tokens are labelled (when not all; `hover`
 * is added to that, e.g. "; hover a cell for each") and what the whitespace symbols mean;
 * null when there is nothing to say.
 *
 * @example tokenAxesNote([tokenAxis([...'a b'], 300)])  // "token labels: · is a space"
 */
export function tokenAxesNote(axes: readonly TokenAxis[], hover = ''): string | null {
  const thinned = [...new Set(axes.map((a) => a.thinned).filter((t): t is string => t !== null))];
  const legend = whitespaceLegend(axes.flatMap((a) => a.symbols));
  const parts = [...thinned.map((t) => `${t}${hover}`), ...(legend ? [legend] : [])];
  return parts.length === 0 ? null : `token labels: ${parts.join('; ')}`;
}
