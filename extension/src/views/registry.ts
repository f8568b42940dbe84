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
import { payloadProblems } from '../core/validate.js';
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

/** Schema of each MIME type (each schema's title is its MIME type). */
export const SCHEMAS: Readonly<Record<SeqlabMimeType, Record<string, unknown>>> = Object.fromEntries(
  SPECS.map((s) => [s.contract.mimeType, s.schema]),
) as Record<SeqlabMimeType, Record<string, unknown>>;

const byMime = new Map<string, ViewSpec>(SPECS.map((s) => [s.contract.mimeType, s]));

/** The spec of the view drawn for `mime`, or undefined when seqlab does not draw it. */
export function specFor(mime: string): ViewSpec | undefined {
  return byMime.get(mime);
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
