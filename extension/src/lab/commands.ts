/**
 * The commands of the JupyterFrontEndPlugin, apart from JupyterLab itself: which seqlab view
 * a command acts on, saving it as PNG or SVG, and what the user is told when there is none.
 * plugin.ts wires these to JupyterLab's command registry, context menu and palette.
 */
import { composeViewImage, downloadBlob, imageFileName, NothingToSave, svgToPng, type ImageFormat } from '../core/export.js';
import { SeqlabRenderer, type RenderedBundle } from '../renderer.js';
import { drawable, specForOutput } from '../views/registry.js';

/** Command ids. */
export const COMMAND_IDS = {
  savePng: 'seqlab:save-view-png',
  saveSvg: 'seqlab:save-view-svg',
  openInPanel: 'seqlab:open-view-in-panel',
} as const;

/** Menu labels (the palette shows them under the category 'seqlab'). */
export const COMMAND_LABELS = {
  [COMMAND_IDS.savePng]: 'Save View as PNG',
  [COMMAND_IDS.saveSvg]: 'Save View as SVG',
  [COMMAND_IDS.openInPanel]: 'Open View in a Side Panel',
} as const;

/** The CSS selector of seqlab outputs: the context menu items appear on these only. */
export const SEQLAB_OUTPUT_SELECTOR = '.jp-RenderedSeqlab';

/** What the user reads when a command finds no seqlab view to act on. */
export const NO_VIEW_MESSAGE =
  'No seqlab view here: right-click a seqlab output (attention, hidden states, gates or a plotly figure), or select a notebook cell that shows one.';

/**
 * Ranks of seqlab's group in JupyterLab's context menu. JupyterLab sorts the whole menu by
 * rank alone (its ContextMenu is built with `sortBySelector` and `groupByTarget` off), and
 * its own items come in groups of ranks, each opened by a separator: the notebook's cell
 * items 0–8, the cell output items 9–12 ("Create New View for Cell Output", "Clear Cell
 * Output"), the notebook-wide items from 20 on. seqlab's items act on one output, so they
 * are a group of their own right after the output items: a separator at 13, the items at
 * 14, 15 and 16 (ranks 0, 1, 2 used to interleave them with Cut, Copy and Paste Cell).
 */
export const CONTEXT_MENU_RANKS = {
  separator: 13,
  [COMMAND_IDS.openInPanel]: 14,
  [COMMAND_IDS.savePng]: 15,
  [COMMAND_IDS.saveSvg]: 16,
} as const;

/** Arguments the context menu passes, so a command run from the palette does not reuse an old right-click. */
export const CONTEXT_MENU_ARGS = { origin: 'context-menu' } as const;

/** What a command needs from the application around it. */
export interface CommandHost {
  /** The seqlab renderer under the last right-click, if any. */
  contextTarget(): SeqlabRenderer | null;
  /** The seqlab renderer of the current widget or active cell (commands run from the palette). */
  activeTarget(): SeqlabRenderer | null;
  /** Tells the user something (JupyterLab: a notification). */
  notify(level: 'info' | 'warning' | 'error', message: string): void;
  /** Hands an image file to the browser (default: a download). */
  download?(blob: Blob, filename: string): void;
  /** Rasterises the composed SVG (default: an <img> drawn on a canvas). */
  toPng?(svg: string, width: number, height: number): Promise<Blob>;
}

/** The renderer a command acts on: the right-clicked one from the context menu, else the active one. */
export function commandTarget(args: Readonly<Record<string, unknown>>, host: CommandHost): SeqlabRenderer | null {
  const target = args['origin'] === CONTEXT_MENU_ARGS.origin ? host.contextTarget() : host.activeTarget();
  return target && !target.isDisposed && target.node.isConnected ? target : null;
}

/** The last live seqlab renderer inside `root` (a cell shows its views in order; the last is the newest). */
export function lastRendererIn(root: Element | null | undefined): SeqlabRenderer | null {
  const nodes = root ? Array.from(root.querySelectorAll(SEQLAB_OUTPUT_SELECTOR)) : [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const r = SeqlabRenderer.containing(nodes[i]);
    if (r) return r;
  }
  return null;
}

/** The kind of view a MIME type draws, for file names and panel titles. */
export function viewKind(mimeType: string): string {
  return specForOutput(mimeType)?.contract.name ?? 'view';
}

/** The title a bundle gives its view (the payload's title, a plotly layout title), if any. */
export function bundleTitle(bundle: RenderedBundle): string | undefined {
  const entry = drawable(bundle.mimeType, bundle.data as Record<string, unknown>);
  const payload = ('payload' in entry ? entry.payload : undefined) as Record<string, unknown> | undefined;
  if (!payload || typeof payload !== 'object') return undefined;
  if (typeof payload['title'] === 'string' && payload['title'].trim()) return payload['title'].trim();
  const title = (payload['layout'] as { title?: unknown } | undefined)?.title;
  const text = typeof title === 'string' ? title : (title as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' && text.trim() ? text.trim() : undefined;
}

/**
 * Saves what `renderer`'s view shows as an image file and returns the file name.
 *
 * @throws NothingToSave when the view cannot be an image (an error, nothing drawn, the thumbnail grid)
 */
export async function saveViewImage(renderer: SeqlabRenderer, format: ImageFormat, host: Pick<CommandHost, 'download' | 'toPng'> = {}): Promise<string> {
  const view = renderer.currentView;
  const bundle = renderer.bundle;
  if (!view || !bundle) throw new NothingToSave('this output has not been drawn yet');
  await view.ready;
  const plotly = await renderer.plotlyLoader();
  const toImage = plotly.toImage?.bind(plotly);
  if (!toImage) throw new Error('the plotly.js in use has no toImage');
  const image = await composeViewImage(view.element, toImage);
  const blob =
    format === 'svg'
      ? new Blob([image.svg], { type: 'image/svg+xml' })
      : await (host.toPng ?? ((svg, w, h) => svgToPng(svg, w, h, 2, renderer.node.ownerDocument)))(image.svg, image.width, image.height);
  const filename = imageFileName(bundleTitle(bundle), viewKind(bundle.mimeType), format);
  (host.download ?? ((b, name) => downloadBlob(b, name, renderer.node.ownerDocument)))(blob, filename);
  return filename;
}

/**
 * The save command's body: finds the view, saves it, and tells the user what went wrong if
 * it could not (never throws: a command error would only reach the console).
 *
 * @returns the file name, or null when nothing was saved
 */
export async function runSaveCommand(format: ImageFormat, args: Readonly<Record<string, unknown>>, host: CommandHost): Promise<string | null> {
  const target = commandTarget(args, host);
  if (!target) {
    host.notify('info', NO_VIEW_MESSAGE);
    return null;
  }
  try {
    return await saveViewImage(target, format, host);
  } catch (err) {
    if (err instanceof NothingToSave) host.notify('warning', `Nothing saved: ${err.message}.`);
    else host.notify('error', `Could not save the view as ${format.toUpperCase()}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/** A deep copy of a bundle, so a panel keeps its view after the output is cleared or replaced. */
export function copyBundle(bundle: RenderedBundle): RenderedBundle {
  return {
    mimeType: bundle.mimeType,
    data: JSON.parse(JSON.stringify(bundle.data)) as RenderedBundle['data'],
    metadata: JSON.parse(JSON.stringify(bundle.metadata ?? {})) as RenderedBundle['metadata'],
    trusted: bundle.trusted,
  };
}
