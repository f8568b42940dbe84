/**
 * Token axes for plotly: positions 0..n-1 (so repeated tokens stay apart, which category
 * axes would merge) labelled with the tokens, escaped, thinned to at most `max` labels.
 * plotly.js measures every tick label (rotated ones several times): 64 rotated labels
 * cost most of a second on a slow machine, 40 about a third of it.
 */
import { plotlyEscape, tokenLabel } from './dom.js';

/** tickvals/ticktext for a token axis. */
export function tokenTicks(tokens: readonly string[], max = 40): { tickvals: number[]; ticktext: string[]; automargin: false } {
  const step = Math.max(1, Math.ceil(tokens.length / max));
  const tickvals: number[] = [];
  for (let i = 0; i < tokens.length; i += step) tickvals.push(i);
  return { tickvals, ticktext: tickvals.map((i) => plotlyEscape(tokenLabel(tokens[i]!))), automargin: false } as const;
}

/** Hover labels of time steps: `“token” (t)`, escaped for plotly. */
export function timeLabels(tokens: readonly string[]): string[] {
  return tokens.map((t, i) => `“${plotlyEscape(t)}” (${i})`);
}
