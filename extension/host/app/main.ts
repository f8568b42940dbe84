/**
 * Starts JupyterLab: registers the core extensions compiled into this bundle and the prebuilt
 * extensions loaded by the bootstrap, resolves the service manager and starts the shell.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { JupyterLab } from '@jupyterlab/application';
import { JupyterPluginRegistry, PageConfig } from '@jupyterlab/coreutils';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { IConnectionStatus, IServiceManager } from '@jupyterlab/services';
import { coreExtensions, coreMimeExtensions } from '@seqlab-host/core-extensions';
import type { CoreExtensionModule } from '@seqlab-host/core-extensions';

import { federatedExtensions } from './page-config.js';

import '@seqlab-host/style';

type Plugin = JupyterFrontEndPlugin<unknown>;

/** The shape of `JupyterLab.IInfo.availablePlugins` entries (the plugin manager lists them). */
type PluginInfo = JupyterLab.IInfo['availablePlugins'][number];

/** A module exporting one plugin or an array of them, as ES module (`default`) or CommonJS. */
function pluginsOf(module: CoreExtensionModule): Plugin[] {
  const exported = Object.prototype.hasOwnProperty.call(module, '__esModule')
    ? (module as { default: unknown }).default
    : module;
  return (Array.isArray(exported) ? exported : [exported]) as Plugin[];
}

/** Gets a module exposed by a federated extension's container. */
async function federatedModule(scope: string, module: string): Promise<CoreExtensionModule> {
  const container = window._JUPYTERLAB?.[scope];
  if (!container) {
    throw new Error(`the federated extension ${scope} has no container`);
  }
  try {
    const factory = await container.get(module);
    return factory() as CoreExtensionModule;
  } catch (error) {
    throw new Error(`could not load ${module} from the federated extension ${scope}: ${String(error)}`);
  }
}

/** Collects plugins, honouring the page config's disabled and deferred lists. */
class PluginCollector {
  readonly disabled: string[] = [];
  readonly deferred: string[] = [];
  readonly available: PluginInfo[] = [];

  take(module: CoreExtensionModule, scope: string): Plugin[] {
    const active: Plugin[] = [];
    for (const plugin of pluginsOf(module)) {
      const isDisabled = PageConfig.Extension.isDisabled(plugin.id);
      this.available.push({
        id: plugin.id,
        description: plugin.description,
        requires: plugin.requires ?? [],
        optional: plugin.optional ?? [],
        provides: plugin.provides ?? null,
        autoStart: plugin.autoStart,
        enabled: !isDisabled,
        extension: scope
      } as PluginInfo);
      if (isDisabled) {
        this.disabled.push(plugin.id);
        continue;
      }
      if (PageConfig.Extension.isDeferred(plugin.id)) {
        this.deferred.push(plugin.id);
      }
      active.push(plugin);
    }
    return active;
  }
}

/** Builds and starts the JupyterLab application. */
export async function main(): Promise<void> {
  const collector = new PluginCollector();
  const federated = federatedExtensions();
  // A prebuilt extension with the same name as a core one replaces it.
  const federatedNames = new Set(federated.map(ext => ext.name));

  const mimeExtensions: IRenderMime.IExtensionModule[] = [];
  for (const { name, module } of coreMimeExtensions) {
    if (!federatedNames.has(name)) {
      mimeExtensions.push(...(collector.take(module, name) as unknown as IRenderMime.IExtensionModule[]));
    }
  }
  const plugins: Plugin[] = [];
  for (const { name, module } of coreExtensions) {
    if (!federatedNames.has(name)) {
      plugins.push(...collector.take(module, name));
    }
  }

  const settle = async (
    requests: Array<{ name: string; module: string }>
  ): Promise<Array<{ name: string; module: CoreExtensionModule }>> => {
    const results = await Promise.allSettled(
      requests.map(async r => ({ name: r.name, module: await federatedModule(r.name, r.module) }))
    );
    const loaded: Array<{ name: string; module: CoreExtensionModule }> = [];
    for (const result of results) {
      if (result.status === 'fulfilled') {
        loaded.push(result.value);
      } else {
        console.error(result.reason);
      }
    }
    return loaded;
  };

  const [fedMime, fedPlugins] = await Promise.all([
    settle(federated.flatMap(e => (e.mimeExtension ? [{ name: e.name, module: e.mimeExtension }] : []))),
    settle(federated.flatMap(e => (e.extension ? [{ name: e.name, module: e.extension }] : []))),
    // Styles only need loading; their modules inject the CSS.
    settle(
      federated.flatMap(e =>
        e.style && !PageConfig.Extension.isDisabled(e.name) ? [{ name: e.name, module: e.style }] : []
      )
    )
  ]);
  for (const { name, module } of fedMime) {
    mimeExtensions.push(...(collector.take(module, name) as unknown as IRenderMime.IExtensionModule[]));
  }
  for (const { name, module } of fedPlugins) {
    plugins.push(...collector.take(module, name));
  }

  const pluginRegistry = new JupyterPluginRegistry();
  pluginRegistry.registerPlugins(plugins);
  const connectionStatus = await pluginRegistry.resolveOptionalService(IConnectionStatus);
  const serviceManager = await pluginRegistry.resolveRequiredService(IServiceManager);

  const lab = new JupyterLab({
    pluginRegistry,
    serviceManager,
    mimeExtensions,
    connectionStatus: connectionStatus ?? undefined,
    disabled: { matches: collector.disabled, patterns: PageConfig.Extension.disabled },
    deferred: { matches: collector.deferred, patterns: PageConfig.Extension.deferred },
    availablePlugins: collector.available
  });
  await lab.start({ ignorePlugins: collector.deferred, bubblingKeydown: true });

  // Tests reach the application through window.jupyterapp; only when the server asks for it.
  if (PageConfig.getOption('exposeAppInBrowser').toLowerCase() === 'true') {
    window.jupyterapp = lab;
  }
}
