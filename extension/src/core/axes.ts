/**
 * Token axes for plotly: positions 0..n-1 (so repeated tokens stay apart, which category
 * axes would merge) labelled with the tokens, escaped, by the engine's token axis rule
 * (`tokenAxis` of `@seqlab/engine/display/shared`, which the static figures use too):
 * vertical labels, the font shrunk to fit every token, and only past that every k-th token
 * labelled, said in a note; whitespace tokens as symbols named in the note.
 */
import { NOMINAL_AXIS_PX, tokenAxesNote, tokenAxis, type TokenAxis } from '@seqlab/engine/display/shared';
import { h, plotlyEscape } from './dom.js';

export { NOMINAL_AXIS_PX, type TokenAxis } from '@seqlab/engine/display/shared';

/** plotly axis settings of a token axis. */
export interface TokenTicks {
  tickvals: number[];
  ticktext: string[];
  tickangle: number;
  tickfont: { size: number };
  automargin: false;
}

/**
 * A token axis `axisPx` long by the shared rule: the plotly axis settings (spread them into
 * the layout's axis) and the rule's result (for {@link axisNote}).
 *
 * @example const x = tokenTicks(tokens, 640); layout.xaxis = { ...x.ticks, range: [-0.5, T - 0.5] };
 */
export function tokenTicks(tokens: readonly string[], axisPx: number = NOMINAL_AXIS_PX, along: 'x' | 'y' = 'x'): { ticks: TokenTicks; axis: TokenAxis } {
  const axis = tokenAxis(tokens, axisPx);
  return {
    ticks: {
      tickvals: axis.indices,
      ticktext: axis.labels.map(plotlyEscape),
      // Across the axis: vertical under a time axis, horizontal beside a vertical one.
      tickangle: along === 'x' ? -90 : 0,
      tickfont: { size: axis.fontSize },
      automargin: false,
    },
    axis,
  };
}

/**
 * The length (px) of a plot's x axis in `el`: its width less `reserved` (margins, colour
 * bars, legend), or {@link NOMINAL_AXIS_PX} while the element has no width (not on screen).
 */
export function axisLength(el: HTMLElement, reserved: number): number {
  const width = el.clientWidth;
  return width > reserved + 100 ? width - reserved : NOMINAL_AXIS_PX;
}

/**
 * The note under a plot with token axes (which tokens are labelled, what the whitespace
 * symbols mean), or null when there is nothing to say. Hovering shows every token.
 */
export function axisNote(axes: readonly TokenAxis[]): HTMLElement | null {
  const text = tokenAxesNote(axes, '; hover a cell for each token');
  return text ? h('div', { class: 'seqlab-note seqlab-axis-note' }, `${text.charAt(0).toUpperCase()}${text.slice(1)}.`) : null;
}

/** Hover labels of time steps: `“token” (t)`, escaped for plotly. */
export function timeLabels(tokens: readonly string[]): string[] {
  return tokens.map((t, i) => `“${plotlyEscape(t)}” (${i})`);
}
