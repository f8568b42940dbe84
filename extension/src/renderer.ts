/**
 * The JupyterLab side: a Lumino widget per output that hands its payload to renderView,
 * follows the theme, resizes with the panel and disposes the view with the output.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { detectTheme, watchTheme } from './core/theme.js';
import type { ViewHandle } from './core/view.js';
import type { PlotlyLoader } from './core/plotly.js';
import { renderView } from './views/render.js';

export class SeqlabRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly mimeType: string;
  private view: ViewHandle | undefined;
  private readonly stopWatching: () => void;

  constructor(options: IRenderMime.IRendererOptions, private readonly loadPlotly?: PlotlyLoader) {
    super();
    this.mimeType = options.mimeType;
    this.addClass('jp-RenderedSeqlab');
    this.stopWatching = watchTheme((theme) => this.view?.setTheme(theme));
  }

  /** Draws (or redraws, on update_display_data) the output's payload. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.view?.dispose();
    const svg = model.data['image/svg+xml'];
    this.view = renderView(this.mimeType, model.data[this.mimeType], this.node, {
      theme: detectTheme(),
      ...(this.loadPlotly && { loadPlotly: this.loadPlotly }),
      ...(typeof svg === 'string' && { fallbackSvg: svg }),
    });
    await this.view.ready;
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
    super.dispose();
  }
}
