/**
 * Entry of the site's execution worker (a Web Worker): the kernel's browser execution worker
 * (kernel/src/browser/worker.ts, the same cell pipeline as the Node kernel), with the engine
 * set up for the site before the first cell sees it: its wasm kernels and kernel thread
 * script come from the site's `build/engine/` (the engine's browser host), and relative file
 * paths (`data/timemachine.txt`) are fetched from the notebook's folder in the site's `files/`.
 * Both URLs arrive with the `init` message (`site`, see kernel.ts).
 */
import { startBrowserWorker } from '../../kernel/dist/browser/worker.js';

/** The site's URLs, sent by the page with `init`. */
interface SiteUrls {
  engineUrl?: string;
  filesUrl?: string;
}

let site: SiteUrls = {};
// Registered before the kernel's own listener, so the URLs are known when it loads the engine.
globalThis.addEventListener('message', (event: MessageEvent) => {
  const m = event.data as { type?: string; site?: SiteUrls };
  if (m?.type === 'init' && m.site) site = m.site;
});

startBrowserWorker({
  loadEngine: async () => {
    const engine = await import('@seqlab/engine');
    if (site.engineUrl) await engine.backend.useBrowserHost({ baseUrl: site.engineUrl });
    if (site.filesUrl) engine.data.setFileBase(site.filesUrl);
    return engine as unknown as Record<string, unknown>;
  },
});
