/**
 * The JupyterLite plugins of the seqlab site: the kernel "seqlab" ("TypeScript (seqlab)"),
 * and a kernel client that passes interrupts on to kernels that can take them (JupyterLite's
 * own client only cancels the requests queued behind the running one).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, showDialog, type ISessionContext } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IConsoleTracker } from '@jupyterlab/console';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IServerSettings, type ServerConnection, type ServiceManagerPlugin } from '@jupyterlab/services';
import { IKernelClient, IKernelSpecs, LiteKernelClient } from '@jupyterlite/services';

import { SeqlabKernel } from './kernel.js';

/** The kernel's name, as in the Node kernel's kernelspec. */
export const KERNEL_NAME = 'seqlab';

/** JupyterLite's kernel client, plus interrupts delivered to the kernel itself. */
export class InterruptingKernelClient extends LiteKernelClient {
  override async interrupt(kernelId: string): Promise<void> {
    // Cancels the requests queued behind the running one (JupyterLite's behaviour)...
    await super.interrupt(kernelId);
    // ...and stops the running one, where the kernel can.
    const kernel = await this.getModel(kernelId);
    if (kernel && 'interrupt' in kernel && typeof kernel.interrupt === 'function') {
      (kernel as { interrupt(): void }).interrupt();
    }
  }
}

const kernelClient: ServiceManagerPlugin<LiteKernelClient> = {
  id: '@seqlab/lite:kernel-client',
  description: "JupyterLite's kernel client with interrupts that reach the kernel (replaces @jupyterlite/services-extension:kernel-client).",
  autoStart: true,
  requires: [IKernelSpecs],
  optional: [IServerSettings],
  provides: IKernelClient,
  // Service plugins are activated before the application exists: no `app` here.
  activate: (_: null, kernelSpecs: IKernelSpecs, serverSettings: ServerConnection.ISettings | null) =>
    new InterruptingKernelClient({ kernelSpecs, ...(serverSettings ? { serverSettings } : {}) }),
};

/** The session contexts (notebooks and consoles) whose kernel is `kernelId`. */
function sessionsOf(kernelId: string, notebooks: INotebookTracker | null, consoles: IConsoleTracker | null): ISessionContext[] {
  const found: ISessionContext[] = [];
  notebooks?.forEach((panel) => {
    if (panel.sessionContext.session?.kernel?.id === kernelId) found.push(panel.sessionContext);
  });
  consoles?.forEach((panel) => {
    if (panel.sessionContext.session?.kernel?.id === kernelId) found.push(panel.sessionContext);
  });
  return found;
}

/** Says why Stop cannot end the cell and offers to restart the kernel (one dialog at a time per kernel). */
function offerRestart(kernelId: string, notebooks: INotebookTracker | null, consoles: IConsoleTracker | null, open: Set<string>): void {
  if (open.has(kernelId)) return;
  open.add(kernelId);
  const body =
    'This page is not cross-origin isolated, so the browser does not let seqlab stop a running loop. ' +
    'Restarting the kernel stops it, but every variable and definition is lost (re-run the cells you need). ' +
    'To make Stop keep your state, open the site through `seqlab serve` (or a host that sends the ' +
    'Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers), or reload the page once so ' +
    "the site's service worker can add them.";
  void showDialog({
    title: 'The cell is still running',
    body,
    buttons: [Dialog.cancelButton({ label: 'Keep running' }), Dialog.warnButton({ label: 'Restart kernel' })],
  })
    .then(async (result) => {
      if (!result.button.accept) return;
      for (const context of sessionsOf(kernelId, notebooks, consoles)) {
        await context.restartKernel();
        return;
      }
    })
    .finally(() => open.delete(kernelId));
}

const kernel: JupyterFrontEndPlugin<void> = {
  id: '@seqlab/lite:kernel',
  description: 'The seqlab kernel: TypeScript with the seqlab engine, in a Web Worker.',
  autoStart: true,
  requires: [IKernelSpecs],
  optional: [INotebookTracker, IConsoleTracker],
  activate: (_app: JupyterFrontEnd, kernelSpecs: IKernelSpecs, notebooks: INotebookTracker | null, consoles: IConsoleTracker | null) => {
    const baseUrl = PageConfig.getBaseUrl();
    const workerUrl = PageConfig.getOption('seqlabKernelWorkerUrl');
    if (!workerUrl) {
      console.error('seqlab: the page config lacks seqlabKernelWorkerUrl; the seqlab kernel is not available');
      return;
    }
    const logos = URLExt.join(baseUrl, 'build', 'kernel');
    const dialogs = new Set<string>();
    kernelSpecs.register({
      spec: {
        name: KERNEL_NAME,
        display_name: 'TypeScript (seqlab)',
        language: 'typescript',
        argv: [],
        resources: {
          'logo-32x32': URLExt.join(logos, 'logo-32x32.png'),
          'logo-64x64': URLExt.join(logos, 'logo-64x64.png'),
          'logo-svg': URLExt.join(logos, 'logo-svg.svg'),
        },
        metadata: { interrupt_mode: 'message' },
      } as never,
      create: async (options) =>
        new SeqlabKernel(options, {
          workerUrl: new URL(workerUrl, location.href).href,
          // The notebook's folder in the site, where relative paths (data/…) are fetched from.
          filesUrl: new URL(URLExt.join(baseUrl, 'files', URLExt.encodeParts(options.location.replace(/^[^/:]*:/, '')), '/'), location.href).href,
          engineUrl: new URL(PageConfig.getOption('seqlabEngineUrl') || URLExt.join(baseUrl, 'build', 'engine', '/'), location.href).href,
          interruptUnavailable: (k) => offerRestart(k.id, notebooks, consoles, dialogs),
        }),
    });
  },
};

export default [kernelClient, kernel];
