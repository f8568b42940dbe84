/**
 * The browser execution worker in a real browser: bundled for a module Web Worker, started by
 * a page served cross-origin isolated (COOP/COEP, so SharedArrayBuffer exists) to headless
 * Chromium, and driven with the execution worker protocol as the JupyterLite kernel drives it:
 * plain and TypeScript cells, errors at cell line and column from Chromium's own stacks,
 * console streams, an interrupt of a spinning loop through the shared flag, input().
 * The engine is not loaded here (its browser build is the site's): TypeScript is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { KERNEL_DIST, tempDir } from '../helpers.js';
import { bundleBrowserWorker } from './hosts.js';

const CHROMIUM = '/usr/bin/chromium';
let server: Server;
let context: BrowserContext;
let page: Page;

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
const worker = new Worker('./worker.js', { type: 'module' });
const control = new Int32Array(new SharedArrayBuffer(16));
const stdin = new Uint8Array(new SharedArrayBuffer(1 << 16));
let nextId = 1, current, started;
const waiting = new Map();
const ready = new Promise((r) => (started = r));
worker.onmessage = ({ data: m }) => {
  if (m.type === 'started') started();
  else if (m.type === 'iopub') current?.iopub.push({ msgType: m.msgType, content: m.content });
  else if (m.type === 'input_request') {
    const bytes = new TextEncoder().encode('answer to ' + m.prompt);
    stdin.set(bytes);
    Atomics.store(control, 2, bytes.length);
    Atomics.store(control, 1, 2);
    Atomics.notify(control, 1);
  } else if ('id' in m) waiting.get(m.id)?.(m);
};
window.kernel = {
  isolated: crossOriginIsolated,
  async request(m) {
    await ready;
    const id = nextId++;
    const x = { iopub: [] };
    current = x;
    x.reply = await new Promise((r) => { waiting.set(id, r); worker.postMessage({ ...m, id }); });
    return x;
  },
  interrupt() {
    Atomics.add(control, 0, 1);
    Atomics.store(control, 3, 1);
    worker.postMessage({ type: 'interrupt' });
  },
};
worker.postMessage({ type: 'init', control: control.buffer, stdin: stdin.buffer, preloadEngine: false, versions: { seqlab: 'test' } });
</script>`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package chromium with: bash scripts/system-deps.sh`);
  const dir = tempDir('seqlab-browser-worker-');
  const entry = join(dir, 'entry.js');
  // TypeScript's typescript.js is a script that defines `ts`: the test site loads it that way.
  writeFileSync(
    entry,
    `import { startBrowserWorker } from ${JSON.stringify(join(KERNEL_DIST, 'browser', 'worker.js'))};\n` +
      `startBrowserWorker({ loadTypeScript: async () => { const text = await (await fetch('./typescript.js')).text(); (0, eval)(text); return globalThis.ts; } });\n`,
  );
  await bundleBrowserWorker(entry, dir);
  const files: Record<string, [string, string]> = {
    '/': [PAGE, 'text/html'],
    '/worker.js': [readFileSync(join(dir, 'worker.js'), 'utf8'), 'text/javascript'],
    '/typescript.js': [readFileSync(createRequire(import.meta.url).resolve('typescript'), 'utf8'), 'text/javascript'],
  };
  server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f[1], 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' }).end(f[0]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => (window as any).kernel !== undefined);
}, 180_000);

afterAll(async () => {
  await context?.close();
  server?.close();
});

let count = 0;
const execute = (code: string): Promise<any> => page.evaluate(([code, n]) => (window as any).kernel.request({ type: 'execute', args: { code, executionCount: n } }), [code, ++count] as const);
const result = (x: any): string | undefined => x.iopub.find((m: any) => m.msgType === 'execute_result')?.content.data['text/plain'];

describe('the browser execution worker in Chromium', { timeout: 120_000 }, () => {
  it('runs on a cross-origin-isolated page', async () => {
    expect(await page.evaluate(() => (window as any).kernel.isolated)).toBe(true);
  });

  it('plain JavaScript and TypeScript cells keep state; console is a stream', async () => {
    await execute('const a = 2; function twice(x) { return 2 * x }');
    expect(result(await execute('twice(a)'))).toBe('4');
    const ts = await execute('enum Dir { Up = 1, Down }\nconst n: number = Dir.Down;\nconsole.log("n is", n, { k: [1] });\nn');
    expect(ts.reply.outcome.status).toBe('ok');
    expect(result(ts)).toBe('2');
    expect(ts.iopub.find((m: any) => m.msgType === 'stream').content).toEqual({ name: 'stdout', text: 'n is 2 { k: [ 1 ] }\n' });
  });

  it("errors point at cell line and column from Chromium's stacks; the worker's frames are hidden", async () => {
    const x = await execute('const boom = (): void => {\n  (null as any).x;\n};\nboom();');
    expect(x.reply.outcome).toMatchObject({ status: 'error', ename: 'TypeError' });
    const tb = x.reply.outcome.traceback.join('\n');
    expect(tb).toMatch(/at boom \(In\[\d+\]:2:17\)/);
    expect(tb).toMatch(/at In\[\d+\]:4:1/);
    expect(tb).not.toContain('worker.js');
  });

  it('an interrupt stops a spinning loop through the shared flag; state survives', async () => {
    const run = execute('let spins = 0; while (true) { spins++ }');
    await page.waitForTimeout(300);
    await page.evaluate(() => (window as any).kernel.interrupt());
    const x = await run;
    expect(x.reply.outcome).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(result(await execute('a'))).toBe('2');
  });

  it('input() blocks on shared memory until the page answers', async () => {
    expect(result(await execute('input("q?")'))).toBe("'answer to q?'");
  });

  it('imports other than the engine say that the browser kernel cannot', async () => {
    const x = await execute('import x from "lodash"');
    expect(x.reply.outcome.evalue).toContain('not available in the browser kernel');
  });
});
