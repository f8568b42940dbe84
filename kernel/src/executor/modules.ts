/**
 * How cells import modules in Node (the runtime answers `tslab` and `@seqlab/engine` itself):
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

  constructor(private readonly notebookDir: string) {}

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
  async import(specifier: string, options?: ImportCallOptions): Promise<Record<string, unknown>> {
    this.installHooks();
    return importFromCell(specifier, options);
  }
}
