/**
 * The files the `seqlab` command reads at run time that are not compiled kernel code: in the
 * repository they are kept or built outside `kernel/`, and `npm run pack`
 * (scripts/pack-kernel.mjs) copies them into the package, under `assets/` at the same
 * relative paths, so an installed tarball needs no checkout.
 *
 * ```
 * checkout                           packed @seqlab/kernel
 * jupyter-config/kernelspec/         assets/jupyter-config/kernelspec/
 * extension/labextension/            assets/extension/labextension/
 * extension/standalone/              assets/extension/standalone/
 * ```
 *
 * A new run-time folder (for example a prebuilt site that a command copies) is one line in
 * {@link PACKAGE_ASSETS}: the pack script and {@link assetPath} both read this table.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kernel package's folder (`kernel/` in the checkout, `node_modules/@seqlab/kernel` when installed). */
export const KERNEL_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where a packed package keeps its assets. */
export const PACKED_ASSETS_DIR = join(KERNEL_ROOT, 'assets');

/**
 * Each run-time asset and its folder relative to the repository root (and to
 * {@link PACKED_ASSETS_DIR} in a packed package). `required`: `npm run pack` refuses to make a
 * tarball without it.
 */
export const PACKAGE_ASSETS = {
  /** kernel.json template and logos (`seqlab install`). */
  kernelspec: { path: 'jupyter-config/kernelspec', required: true },
  /** The prebuilt JupyterLab extension (`seqlab install` copies it into a Jupyter data dir). */
  labextension: { path: 'extension/labextension', required: true },
  /** The standalone views bundle with plotly.js (`seqlab export`). */
  views: { path: 'extension/standalone', required: true },
  /**
   * The built JupyterLite app (`seqlab lite` copies it into each site). Built by `npm run lite`
   * (it needs the JupyterLab host's packages), so a tarball made without it has no `seqlab lite`.
   */
  lite: { path: 'lite/build/site', required: false },
} as const satisfies Record<string, { path: string; required: boolean }>;

/** The name of one run-time asset. */
export type AssetName = keyof typeof PACKAGE_ASSETS;

/** Whether this is an installed package made by `npm run pack` (rather than the checkout). */
export function isPackedPackage(): boolean {
  return existsSync(PACKED_ASSETS_DIR);
}

/**
 * The folder of a run-time asset: inside the package when it was packed, else in the checkout.
 * The folder may not exist (an asset not built yet); callers say what to do about it.
 *
 * @example
 * assetPath('kernelspec') // '/usr/lib/node_modules/@seqlab/kernel/assets/jupyter-config/kernelspec'
 */
export function assetPath(name: AssetName): string {
  const relative = PACKAGE_ASSETS[name].path;
  return isPackedPackage() ? join(PACKED_ASSETS_DIR, relative) : join(dirname(KERNEL_ROOT), relative);
}

/**
 * Licences of third-party code inside the packed assets whose own package is not installed
 * beside them (plotly.js is bundled into the views, not a dependency): `<name>.txt`.
 */
export const PACKED_LICENSES_DIR = join(PACKED_ASSETS_DIR, 'licenses');
