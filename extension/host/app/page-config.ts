/**
 * Reads the page config that jupyterlab_server writes into the page.
 *
 * The bootstrap must read it before any shared package is loaded, so it cannot use
 * `@jupyterlab/coreutils`' `PageConfig`; this file imports nothing.
 */

/** One entry of the page config's `federated_extensions` list (written by jupyterlab_server). */
export interface FederatedExtension {
  /** The npm package name, also the module federation container name. */
  name: string;
  /** The remote entry file, relative to the extension's folder, e.g. `static/remoteEntry.0a1b.js`. */
  load: string;
  /** The exposed module holding the extension's plugins, e.g. `./extension`. */
  extension?: string;
  /** The exposed module holding the extension's mime renderer plugins, e.g. `./mimeExtension`. */
  mimeExtension?: string;
  /** The exposed module holding the extension's styles, e.g. `./style`. */
  style?: string;
}

let configData: Record<string, unknown> | null = null;

function readConfig(): Record<string, unknown> {
  if (configData === null) {
    const el = document.getElementById('jupyter-config-data');
    configData = el ? (JSON.parse(el.textContent || '{}') as Record<string, unknown>) : {};
  }
  return configData;
}

/** A page config option as a string ('' when absent), the way `PageConfig.getOption` reads it. */
export function pageOption(name: string): string {
  const value = readConfig()[name];
  if (value === undefined || value === null) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The prebuilt extensions the server found in its labextensions path. */
export function federatedExtensions(): FederatedExtension[] {
  const value = readConfig()['federated_extensions'];
  return Array.isArray(value) ? (value as FederatedExtension[]) : [];
}
