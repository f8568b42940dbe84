/**
 * The JupyterLab side: a Lumino widget per output that hands its payload to renderView,
 * follows the theme, resizes with the panel and disposes the view with the output.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { detectTheme, watchTheme } from './core/theme.js';
import type { ViewHandle } from './core/view.js';
import { loadBundledPlotly, type PlotlyLoader } from './core/plotly.js';
import { renderProblems } from './core/error.js';
import { drawable } from './views/registry.js';
import { renderView } from './views/render.js';

/** What an output holds: the bundle a renderer drew, so it can be drawn again elsewhere. */
export interface RenderedBundle {
  readonly mimeType: string;
  readonly data: IRenderMime.IMimeModel['data'];
  readonly metadata: IRenderMime.IMimeModel['metadata'];
  readonly trusted: boolean;
}

/** Every live renderer by its node, so commands can find the view under a click. */
const byNode = new WeakMap<Element, SeqlabRenderer>();

export class SeqlabRenderer extends Widget implements IRenderMime.IRenderer {
  /**
   * The renderer whose node is `node` or holds it (e.g. the element under a right-click),
   * or null when `node` is not inside a seqlab output.
   *
   * @example SeqlabRenderer.containing(app.contextMenuHitTest(n => n.classList.contains('jp-RenderedSeqlab')))
   */
  static containing(node: Node | null | undefined): SeqlabRenderer | null {
    for (let n: Element | null = node instanceof Element ? node : (node?.parentElement ?? null); n; n = n.parentElement) {
      const r = byNode.get(n);
      if (r && !r.isDisposed) return r;
    }
    return null;
  }

  readonly mimeType: string;
  private view: ViewHandle | undefined;
  private model: RenderedBundle | undefined;
  private readonly stopWatching: () => void;

  constructor(options: IRenderMime.IRendererOptions, private readonly loadPlotly?: PlotlyLoader) {
    super();
    this.mimeType = options.mimeType;
    this.addClass('jp-RenderedSeqlab');
    byNode.set(this.node, this);
    this.stopWatching = watchTheme((theme) => this.view?.setTheme(theme));
  }

  /** Draws (or redraws, on update_display_data) the output's payload. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.view?.dispose();
    this.model = { mimeType: this.mimeType, data: model.data, metadata: model.metadata, trusted: model.trusted };
    const svg = model.data['image/svg+xml'];
    const fallback = typeof svg === 'string' ? svg : undefined;
    // For a mark (a plotly figure seqlab made), the payload is the entry it marks.
    const entry = drawable(this.mimeType, model.data);
    this.view =
      'problems' in entry
        ? renderProblems(this.node, entry.label, entry.problems, fallback)
        : renderView(entry.mimeType, entry.payload, this.node, {
            theme: detectTheme(),
            ...(this.loadPlotly && { loadPlotly: this.loadPlotly }),
            ...(fallback !== undefined && { fallbackSvg: fallback }),
          });
    await this.view.ready;
  }

  /** The bundle drawn last (undefined before the first renderModel). */
  get bundle(): RenderedBundle | undefined {
    return this.model;
  }

  /** The view drawn last (undefined before the first renderModel). */
  get currentView(): ViewHandle | undefined {
    return this.view;
  }

  /** The plotly.js this renderer draws with (for image export). */
  get plotlyLoader(): PlotlyLoader {
    return this.loadPlotly ?? loadBundledPlotly;
  }

  protected override onResize(): void {
    this.view?.resize();
  }

  protected override onAfterShow(): void {
    this.view?.resize();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.stopWatching();
    this.view?.dispose();
    this.view = undefined;
    byNode.delete(this.node);
    super.dispose();
  }
}

/**
 * Rank of the renderers: JupyterLab picks the lowest rank among a bundle's MIME types, and
 * the static fallback (image/svg+xml) has 90, so the interactive view wins.
 */
export const RANK = 0;

/**
 * Rank of the figure mark (application/vnd.seqlab.figure.v1+json): strictly before plotly's
 * own renderers, which take application/vnd.plotly.v1+json at rank 0 (jupyterlab-plotly), so
 * a bundle holding both picks seqlab's renderer for seqlab's own figures.
 */
export const MARK_RANK = -1;

/** A renderer factory of seqlab's views for `mime`. */
export function rendererFactory(mime: string, rank: number = RANK): IRenderMime.IRendererFactory {
  return {
    // Safe: payload strings only ever reach the page as text nodes, attributes and
    // escaped plotly labels, never as HTML, so untrusted notebooks may render them.
    safe: true,
    mimeTypes: [mime],
    defaultRank: rank,
    createRenderer: (options) => new SeqlabRenderer(options),
  };
}

