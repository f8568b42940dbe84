/**
 * The registry of views: one spec per view of the MIME contract, listed once. The mime
 * extension's renderer factories (index.ts), validation, rendering (render.ts) and the
 * commands (lab/commands.ts) loop over it.
 *
 * Adding a view on this side: a view file exporting its spec (see core/spec.ts) and one
 * line here. The keys are the engine's (`VIEWS` of `@seqlab/engine/display/shared`), and
 * the type below makes a view the engine has but this registry lacks a compile error.
 */
import type { ViewKey } from '@seqlab/engine/display/shared';
import type { ViewSpec } from '../core/spec.js';
import { markProblems, payloadProblems } from '../core/validate.js';
import { attentionSpec } from './attention/attention-view.js';
import { gatesSpec } from './gates.js';
import { hiddenStatesSpec } from './hidden-states.js';
import { plotlySpec } from './plotly-figure.js';

/** Every view, by the engine's key, in registration order. */
export const VIEW_SPECS = {
  attention: attentionSpec,
  hiddenStates: hiddenStatesSpec,
  gates: gatesSpec,
  plotly: plotlySpec,
} as const satisfies { readonly [K in ViewKey]: ViewSpec<never> };

/** The specs as a list, in registration order. */
export const SPECS: readonly ViewSpec[] = Object.values(VIEW_SPECS) as readonly ViewSpec[];

/** MIME types the extension draws, by the engine's key. */
export const MIME_TYPES = Object.fromEntries(SPECS.map((s, i) => [Object.keys(VIEW_SPECS)[i], s.contract.mimeType])) as {
  readonly [K in keyof typeof VIEW_SPECS]: (typeof VIEW_SPECS)[K]['contract']['mimeType'];
};

/** A MIME type the extension draws. */
export type SeqlabMimeType = (typeof MIME_TYPES)[keyof typeof MIME_TYPES];

/** Schema of each MIME type the extension reads, views' and marks' (each schema's title is its MIME type). */
export const SCHEMAS: Readonly<Record<string, Record<string, unknown>>> = Object.fromEntries(
  SPECS.flatMap((s) => [[s.contract.mimeType, s.schema], ...(s.contract.mark && s.markSchema ? [[s.contract.mark.mimeType, s.markSchema]] : [])]),
);

const byMime = new Map<string, ViewSpec>(SPECS.map((s) => [s.contract.mimeType, s]));

/** The spec of the view whose payload has MIME type `mime`, or undefined when seqlab does not draw it. */
export function specFor(mime: string): ViewSpec | undefined {
  return byMime.get(mime);
}

/**
 * The MIME type a view is registered under in JupyterLab: its mark where it has one (a
 * plotly figure made by seqlab, see FIGURE_MARK in the engine's contract.ts), else its
 * payload's. The mark leaves `application/vnd.plotly.v1+json` itself to plotly's own
 * renderer where one is installed (plugin.ts adds seqlab's only where none is).
 */
export function labMimeType(spec: ViewSpec): string {
  return spec.contract.mark?.mimeType ?? spec.contract.mimeType;
}

const byLabMime = new Map<string, ViewSpec>(SPECS.map((s) => [labMimeType(s), s]));

/** The spec drawing outputs JupyterLab hands over as `mime` (a payload MIME type or a mark). */
export function specForOutput(mime: string): ViewSpec | undefined {
  return byLabMime.get(mime) ?? byMime.get(mime);
}

/** What a renderer of `mime` draws from a bundle: the payload's MIME type and data, or why it cannot. */
export type Drawable = { mimeType: string; payload: unknown } | { problems: string[]; label: string };

/**
 * The payload a renderer JupyterLab created for `mime` draws from the output's bundle
 * `data`: the entry of `mime` itself, or, for a mark, the entry it marks.
 *
 * @example drawable('application/vnd.seqlab.figure.v1+json', bundle)  // { mimeType: 'application/vnd.plotly.v1+json', payload: bundle['application/vnd.plotly.v1+json'] }
 */
export function drawable(mime: string, data: Readonly<Record<string, unknown>>): Drawable {
  const spec = byLabMime.get(mime);
  const mark = spec?.contract.mark;
  if (!spec || !mark || mark.mimeType !== mime) return { mimeType: mime, payload: data[mime] };
  const problems = markProblems(spec, mime, data[mime]);
  if (problems.length > 0) return { label: spec.label, problems };
  const of = spec.contract.mimeType;
  if (!(of in data)) return { label: spec.label, problems: [`the bundle marks its ${of} entry as seqlab's, but has no such entry`] };
  return { mimeType: of, payload: data[of] };
}

/** Whether seqlab draws this MIME type. */
export function isSeqlabMimeType(mime: string): mime is SeqlabMimeType {
  return byMime.has(mime);
}

/** The sentence for a MIME type seqlab does not draw. */
export function notDrawn(mime: string): string {
  return `seqlab does not draw the MIME type ${mime}; it draws ${SPECS.map((s) => s.contract.mimeType).join(', ')}`;
}

/**
 * Problems with a payload for `mime`, as sentences; empty when it can be drawn.
 *
 * @example validatePayload('application/vnd.seqlab.gates.v1+json', { version: 1 })  // ['the payload lacks the field "architecture"']
 */
export function validatePayload(mime: string, data: unknown): string[] {
  const spec = specFor(mime);
  if (!spec) return [notDrawn(mime)];
  return payloadProblems(spec, data);
}
