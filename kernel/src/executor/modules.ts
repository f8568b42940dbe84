/**
 * How cells import modules: built-in modules (`tslab`, `@seqlab/engine`), then everything else
 * through Node's loader with the kernel's hooks (loader-hooks.ts), registered on first use.
 */
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { compileModule } from './compile.js';
import { importFromCell } from './cell-import.js';

/** Resolves and loads modules for cells. */
export class ModuleLoader {
  private hooked = false;

  constructor(
    private readonly notebookDir: string,
    private readonly builtins: ReadonlyMap<string, Record<string, unknown>>,
  ) {}

  private installHooks(): void {
    if (this.hooked) return;
    this.hooked = true;
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: { id: number; url: string; source: string }) => {
      try {
        const { code, diagnostics } = compileModule(m.source, m.url);
        const err = diagnostics[0];
        if (err) port1.postMessage({ id: m.id, error: `${err.message} (${m.url.replace(/^file:\/\//, '')}:${err.line}:${err.column})` });
        else port1.postMessage({ id: m.id, code });
      } catch (e) {
        port1.postMessage({ id: m.id, error: String((e as Error).message ?? e) });
      }
    });
    port1.unref();
    register(new URL('./loader-hooks.js', import.meta.url), {
      data: {
        port: port2,
        anchorURL: new URL('./cell-import.js', import.meta.url).href,
        notebookURL: pathToFileURL(this.notebookDir.endsWith('/') ? this.notebookDir : `${this.notebookDir}/`).href,
        kernelURL: import.meta.url,
      },
      transferList: [port2],
    });
  }

  /** `import(specifier)` as a cell means it. */
  async import(specifier: unknown, options?: ImportCallOptions): Promise<Record<string, unknown>> {
    if (typeof specifier !== 'string') throw new TypeError(`import(): the module specifier must be a string, got ${typeof specifier}`);
    const builtin = this.builtins.get(specifier);
    if (builtin) return builtin;
    this.installHooks();
    return importFromCell(specifier, options);
  }
}

/**
 * The default export as TypeScript's `esModuleInterop` sees it: a CommonJS module compiled
 * from ES modules (`__esModule`) has its `default` one level down.
 */
export function defaultExport(ns: Record<string, unknown>): unknown {
  const d = ns['default'];
  if (d && typeof d === 'object' && (d as Record<string, unknown>)['__esModule'] && 'default' in (d as object)) {
    return (d as Record<string, unknown>)['default'];
  }
  return 'default' in ns ? d : ns;
}

/** A named export; for CommonJS modules whose names Node could not detect, from `default`. */
export function namedExport(ns: Record<string, unknown>, name: string): unknown {
  if (name in ns) return ns[name];
  const d = ns['default'];
  if (d && (typeof d === 'object' || typeof d === 'function')) return (d as Record<string, unknown>)[name];
  return undefined;
}
