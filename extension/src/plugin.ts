/**
 * The optional JupyterFrontEndPlugin of @seqlab/jupyterlab (package.json `jupyterlab.extension`;
 * the renderers stay the mime extension, index.ts): commands on seqlab's views.
 *
 * - Save View as PNG / as SVG: what the view under the right-click shows, composed into one
 *   image (see core/export.ts for what goes in), downloaded by the browser.
 * - Open View in a Side Panel: a fresh, interactive render of a copy of the same MIME bundle
 *   in a main-area panel split to the right; it stays when the cell's output is cleared.
 *
 * The items are in the context menu of seqlab outputs only (the views in side panels too)
 * and in the command palette (category 'seqlab'), where they act on the active cell's
 * last seqlab view, or the side panel's view when a side panel is current. Without a view
 * they say so in a notification and do nothing.
 *
 * It also draws plotly figures (`application/vnd.plotly.v1+json`) of any kernel where no
 * plotly extension does; see {@link claimPlotlyIfUnclaimed}.
 *
 * Every JupyterLab package used here is a shared singleton of the host's core: the
 * labextension build marks them `import: false`, so no second copy is bundled.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Panel } from '@lumino/widgets';
import {
  bundleTitle,
  commandTarget,
  COMMAND_IDS,
  COMMAND_LABELS,
  CONTEXT_MENU_ARGS,
  CONTEXT_MENU_RANKS,
  copyBundle,
  lastRendererIn,
  NO_VIEW_MESSAGE,
  runSaveCommand,
  SEQLAB_OUTPUT_SELECTOR,
  viewKind,
  type CommandHost,
} from './lab/commands.js';
import { claimPlotlyIfUnclaimed } from './lab/plotly.js';
import { SeqlabRenderer } from './renderer.js';

/** The class of the side panels, and of their content. */
const PANEL_CLASS = 'seqlab-ViewPanel';

let panelCount = 0;

function activate(app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, notebooks: INotebookTracker | null, palette: ICommandPalette | null): void {
  void claimPlotlyIfUnclaimed(app, rendermime);
  const host: CommandHost = {
    contextTarget: () => SeqlabRenderer.containing(app.contextMenuHitTest((node) => node.classList.contains('jp-RenderedSeqlab'))),
    activeTarget: () => {
      const current = app.shell.currentWidget;
      if (current?.hasClass(PANEL_CLASS)) return lastRendererIn(current.node);
      return lastRendererIn(notebooks?.activeCell?.node);
    },
    notify: (level, message) => {
      Notification[level](message, { autoClose: level === 'error' ? false : 6000 });
    },
  };

  /** Opens a fresh render of a copy of `source`'s bundle in a panel split to the right. */
  const openInPanel = async (source: SeqlabRenderer): Promise<MainAreaWidget<Panel> | null> => {
    const drawn = source.bundle;
    if (!drawn) {
      host.notify('warning', 'Nothing opened: this output has not been drawn yet.');
      return null;
    }
    const bundle = copyBundle(drawn);
    const renderer = rendermime.createRenderer(bundle.mimeType);
    const content = new Panel();
    content.addClass(`${PANEL_CLASS}-content`);
    content.addWidget(renderer);
    const panel = new MainAreaWidget({ content });
    panel.id = `seqlab-view-panel-${++panelCount}`;
    panel.addClass(PANEL_CLASS);
    const title = bundleTitle(bundle);
    panel.title.label = `seqlab: ${title ?? viewKind(bundle.mimeType)}`;
    panel.title.caption = `${title ? `${title} — ` : ''}a copy of a ${viewKind(bundle.mimeType)} output (it stays when the output is cleared)`;
    panel.title.closable = true;
    const ref = notebooks?.currentWidget?.isAttached ? notebooks.currentWidget.id : null;
    app.shell.add(panel, 'main', { mode: 'split-right', ref, activate: true });
    await renderer.renderModel(new MimeModel({ data: bundle.data, metadata: bundle.metadata, trusted: bundle.trusted }));
    return panel;
  };

  app.commands.addCommand(COMMAND_IDS.savePng, {
    label: COMMAND_LABELS[COMMAND_IDS.savePng],
    caption: 'Save what this seqlab view shows as a PNG image (2x)',
    execute: (args) => runSaveCommand('png', args, host),
  });
  app.commands.addCommand(COMMAND_IDS.saveSvg, {
    label: COMMAND_LABELS[COMMAND_IDS.saveSvg],
    caption: 'Save what this seqlab view shows as an SVG image',
    execute: (args) => runSaveCommand('svg', args, host),
  });
  app.commands.addCommand(COMMAND_IDS.openInPanel, {
    label: COMMAND_LABELS[COMMAND_IDS.openInPanel],
    caption: 'Open an interactive copy of this seqlab view in a panel beside the notebook',
    execute: async (args) => {
      const target = commandTarget(args, host);
      if (!target) {
        host.notify('info', NO_VIEW_MESSAGE);
        return null;
      }
      try {
        return await openInPanel(target);
      } catch (err) {
        host.notify('error', `Could not open the view in a side panel: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
    },
  });

  app.contextMenu.addItem({ type: 'separator', selector: SEQLAB_OUTPUT_SELECTOR, rank: CONTEXT_MENU_RANKS.separator });
  for (const command of [COMMAND_IDS.openInPanel, COMMAND_IDS.savePng, COMMAND_IDS.saveSvg]) {
    app.contextMenu.addItem({ command, selector: SEQLAB_OUTPUT_SELECTOR, rank: CONTEXT_MENU_RANKS[command], args: { ...CONTEXT_MENU_ARGS } });
    palette?.addItem({ command, category: 'seqlab' });
  }
}

/**
 * The plugin: `requires` the rendermime registry (to draw side panels with the same
 * renderers), `optional` the notebook tracker (palette commands act on the active cell) and
 * the command palette.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@seqlab/jupyterlab:commands',
  description: 'Commands on seqlab views (save as PNG or SVG, open in a side panel), and plotly figures where no plotly extension draws them.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [INotebookTracker, ICommandPalette],
  activate,
};

export default plugin;
