/**
 * Globals of the host page: rspack's module federation runtime hooks, the federated
 * containers' registry and the exposed application.
 */
declare let __webpack_public_path__: string;
declare function __webpack_init_sharing__(scope: string): Promise<void>;
declare const __webpack_share_scopes__: Record<string, unknown>;

/** A module federation container, as a prebuilt extension's remoteEntry registers it. */
interface FederationContainer {
  init(shareScope: unknown): Promise<void> | void;
  get(module: string): Promise<() => unknown>;
}

interface Window {
  /** Containers registered by prebuilt extensions, keyed by package name. */
  _JUPYTERLAB?: Record<string, FederationContainer>;
  /** The running application, set when the page config says `exposeAppInBrowser`. */
  jupyterapp?: unknown;
}

/** Generated at build time: every core extension package, imported statically. */
declare module '@seqlab-host/core-extensions' {
  /** An extension package's module namespace (ES module or CommonJS exports). */
  export type CoreExtensionModule = object;
  export const coreExtensions: ReadonlyArray<{ name: string; module: CoreExtensionModule }>;
  export const coreMimeExtensions: ReadonlyArray<{ name: string; module: CoreExtensionModule }>;
}

/** Generated at build time by `Build.ensureAssets`: imports every core package's CSS. */
declare module '@seqlab-host/style';
