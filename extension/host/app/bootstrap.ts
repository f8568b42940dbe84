/**
 * Entry point of seqlab's JupyterLab host page.
 *
 * Module federation needs an asynchronous boundary before any shared package is used: this
 * file loads every prebuilt (federated) extension's `remoteEntry`, lets each container join the
 * `default` share scope, and only then imports `./main.js`, which imports JupyterLab itself.
 * That order lets the share scope settle on one copy of every singleton (lumino, react, yjs, …)
 * for the core and the extensions alike.
 */
import { federatedExtensions, pageOption } from './page-config.js';

// Chunks are served from the server's static URL, which is only known at run time.
__webpack_public_path__ = `${pageOption('fullStaticUrl')}/`;

/** Adds a script tag and resolves once the browser has run it. */
function loadScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load the federated extension script ${url}`));
    script.src = url;
    document.head.appendChild(script);
  });
}

/** Loads one extension's remote entry and initialises its container with the shared scope. */
async function joinShareScope(baseUrl: string, name: string, load: string): Promise<void> {
  await loadScript(`${baseUrl}/${name}/${load}`);
  await __webpack_init_sharing__('default');
  const container = window._JUPYTERLAB?.[name];
  if (!container) {
    throw new Error(`the federated extension ${name} did not register a container`);
  }
  await container.init(__webpack_share_scopes__.default);
}

async function bootstrap(): Promise<void> {
  const baseUrl = pageOption('fullLabextensionsUrl');
  const results = await Promise.allSettled(
    federatedExtensions().map(ext => joinShareScope(baseUrl, ext.name, ext.load))
  );
  for (const result of results) {
    if (result.status === 'rejected') {
      // One broken extension must not keep JupyterLab from starting.
      console.error(result.reason);
    }
  }
  const { main } = await import('./main.js');
  if (document.readyState === 'complete') {
    await main();
  } else {
    window.addEventListener('load', () => void main());
  }
}

void bootstrap();
