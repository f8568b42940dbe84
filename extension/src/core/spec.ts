/**
 * What one view is on the extension's side: the engine's contract entry (MIME type,
 * name, schema file), the schema itself, the checks a schema cannot state, and the class
 * that draws it. Every view file exports one spec; views/registry.ts lists them once, and
 * the renderer factories, validation, rendering and commands loop over that list.
 */
import type { ViewContract } from '@seqlab/engine/display/shared';
import type { ViewHandle, ViewOptions } from './view.js';

/** One view of the MIME contract, as the extension draws it. */
export interface ViewSpec<Payload = unknown> {
  /** The engine's entry for this view (`VIEWS.attention`, ...): MIME type, name, schema file. */
  readonly contract: ViewContract;
  /** The JSON Schema of the payload: the file engine/schemas/{contract.schema}, bundled at build time. */
  readonly schema: Record<string, unknown>;
  /** The JSON Schema of the view's mark (engine/schemas/{contract.mark.schema}), when it has one. */
  readonly markSchema?: Record<string, unknown>;
  /** What the view is called in messages: "Cannot draw this {label}". */
  readonly label: string;
  /** One line for JupyterLab's list of renderers. */
  readonly description: string;
  /**
   * The agreements a schema cannot state (maps as long as the token lists, rows of equal
   * length), as sentences naming the field; called only on payloads the schema accepts.
   */
  problems?(payload: Payload): string[];
  /** Draws a valid payload into `host` (appending the view) and returns its handle. */
  create(host: HTMLElement, payload: Payload, options: ViewOptions): ViewHandle;
}
