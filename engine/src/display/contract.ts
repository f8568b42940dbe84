/**
 * The MIME contract between the engine (which builds display bundles) and the JupyterLab
 * extension and exported pages (which draw them), as data: the registry of views. Each
 * entry is one view's engine-side spec: its name, MIME type, schema file in
 * engine/schemas/ and the engine function that builds its bundle. The extension lists the
 * same views in its own registry (extension/src/views/registry.ts) with the class that
 * draws each; test/extension/views/registry.test.ts checks that the two lists agree.
 *
 * Pure data with no imports: it is part of `@seqlab/engine/display/shared`, the one piece
 * of the engine the extension bundles.
 *
 * Adding a view: a schema in engine/schemas/, a builder file in engine/src/display/, and
 * one line here (then the same on the extension's side; see CONTRIBUTING.md).
 */

/** One view of the contract. */
export interface ViewContract {
  /** Short name, used in file names, panel titles and messages ('attention', 'hidden-states'). */
  readonly name: string;
  /** The MIME type of the payload. */
  readonly mimeType: string;
  /** The JSON Schema of the payload: a file in engine/schemas/ whose `title` is `mimeType`. */
  readonly schema: string;
  /** The engine function that builds a bundle of this view (exported by `@seqlab/engine`). */
  readonly builder: string;
  /**
   * A second MIME entry the bundle carries to say "seqlab made this": for a view drawn
   * under a MIME type that other renderers also claim (plotly's), the extension registers
   * for this mark instead, so it draws only seqlab's own figures (see {@link FIGURE_MARK}).
   */
  readonly mark?: MarkContract;
}

/** A MIME entry that marks a bundle's payload (under `of`) as seqlab's own. */
export interface MarkContract {
  readonly mimeType: string;
  readonly schema: string;
}

/** The payload of a mark: which entry of the same bundle it marks. */
export interface MarkPayload {
  version: 1;
  /** The MIME type of the marked entry of the same bundle. */
  of: string;
}

/**
 * The mark of seqlab's plotly figures. JupyterLab keeps one renderer per MIME type (the
 * last registered replaces the others, whatever its rank), so seqlab does not claim
 * `application/vnd.plotly.v1+json` where another extension does (jupyterlab-plotly): plotly
 * figures of other kernels stay with plotly's own renderer. seqlab's figures carry this
 * small entry next to the plotly one; seqlab's renderer claims the mark at a rank before
 * plotly's and draws the bundle's plotly figure. Frontends that do not know the mark ignore
 * it and draw the plotly entry as usual.
 */
export const FIGURE_MARK: MarkContract = {
  mimeType: 'application/vnd.seqlab.figure.v1+json',
  schema: 'figure.v1.schema.json',
};

/** The views, once. The order is the order of the extension's registry. */
export const VIEWS = {
  attention: {
    name: 'attention',
    mimeType: 'application/vnd.seqlab.attention.v1+json',
    schema: 'attention.v1.schema.json',
    builder: 'attentionView',
  },
  hiddenStates: {
    name: 'hidden-states',
    mimeType: 'application/vnd.seqlab.hidden-states.v1+json',
    schema: 'hidden-states.v1.schema.json',
    builder: 'hiddenStatesView',
  },
  gates: {
    name: 'gates',
    mimeType: 'application/vnd.seqlab.gates.v1+json',
    schema: 'gates.v1.schema.json',
    builder: 'gatesView',
  },
  plotly: {
    name: 'plotly',
    mimeType: 'application/vnd.plotly.v1+json',
    schema: 'plotly.v1.schema.json',
    builder: 'plotlyFigure',
    mark: FIGURE_MARK,
  },
} as const satisfies Record<string, ViewContract>;

/** The key of a view in {@link VIEWS}. */
export type ViewKey = keyof typeof VIEWS;

/** MIME types of the views by key (`MIME.attention`), derived from {@link VIEWS}. */
type ViewMimeTypes = { readonly [K in ViewKey]: (typeof VIEWS)[K]['mimeType'] };

/**
 * MIME types by name: every view's payload type (from {@link VIEWS}), the figure mark, and
 * the fallbacks every bundle carries (a static SVG, the same as an HTML `<img>`, a line of text).
 */
export const MIME = {
  ...(Object.fromEntries(Object.entries(VIEWS).map(([key, view]) => [key, view.mimeType])) as ViewMimeTypes),
  figureMark: FIGURE_MARK.mimeType,
  svg: 'image/svg+xml',
  html: 'text/html',
  text: 'text/plain',
} as const;
