/**
 * Makes the site's page config absolute before anything reads it.
 *
 * `seqlab lite` writes the page config into `lab/index.html` with URLs relative to the site's
 * root (`./build`, `./extensions`), because the site must work wherever it is put: any static
 * host, under any path. This module runs first (entry.ts imports it before the bootstrap) and
 * rewrites every `…Url` option that starts with `./` into a path under the site's root, found
 * from the page's location and the config element's `data-site-root` (`..` for `lab/`).
 * `themesUrl` stays relative: JupyterLab joins it with `baseUrl` itself. The same rule as
 * JupyterLite's own config loader, without its fetches of parent folders' config files.
 */
const element = document.getElementById('jupyter-config-data');
if (element === null) {
  throw new Error('seqlab site: the page has no #jupyter-config-data element');
}
const siteRoot = new URL(`${element.dataset['siteRoot'] ?? '.'}/`, window.location.href);
const config = JSON.parse(element.textContent || '{}') as Record<string, unknown>;
const keepRelative = new Set(['themesUrl', 'licensesUrl']);
for (const [key, value] of Object.entries(config)) {
  if (key.endsWith('Url') && typeof value === 'string' && value.startsWith('./') && !keepRelative.has(key)) {
    config[key] = new URL(value.slice(2), siteRoot).pathname;
  }
}
element.textContent = JSON.stringify(config);

export {};
