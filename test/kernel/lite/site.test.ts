/**
 * `seqlab lite`'s site writer and `seqlab serve`, without a browser: the files a site holds
 * (the notebooks, the data files their cells name, contents listings JupyterLite reads, the
 * extension as a federated extension in the page config), refusing to replace a folder that
 * is not a site, and the server's isolation headers, MIME types and 404s. The site in a
 * browser is test/e2e/lite.test.ts.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSite, referencedFiles, type SiteSources } from '../../../kernel/dist/lite/site.js';
import { serveSite, type SiteServer } from '../../../kernel/dist/lite/serve.js';
import { REPO, tempDir } from '../helpers.js';

function notebook(...code: string[]): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: code.map((source, i) => ({ id: `c${i}`, cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source })),
  };
}

/** A stand-in for the built app and extension: only what writeSite reads and copies. */
function fakeSources(dir: string): SiteSources {
  const appDir = join(dir, 'app');
  mkdirSync(join(appDir, 'lab'), { recursive: true });
  mkdirSync(join(appDir, 'build', 'schemas'), { recursive: true });
  mkdirSync(join(appDir, 'build', 'kernel'), { recursive: true });
  writeFileSync(join(appDir, 'build', 'kernel', 'worker.js'), '// worker');
  writeFileSync(join(appDir, 'build', 'kernel', 'k.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(
    join(appDir, 'lab', 'index.html'),
    '<html><head><script id="jupyter-config-data" type="application/json" data-site-root="..">{"appName":"seqlab","baseUrl":"./","federated_extensions":[]}</script></head></html>',
  );
  const labextensionDir = join(dir, 'labextension');
  mkdirSync(join(labextensionDir, 'static'), { recursive: true });
  writeFileSync(join(labextensionDir, 'static', 'remoteEntry.abc.js'), '// remote');
  writeFileSync(
    join(labextensionDir, 'package.json'),
    JSON.stringify({ name: '@seqlab/jupyterlab', jupyterlab: { _build: { load: 'static/remoteEntry.abc.js', extension: './extension', mimeExtension: './mimeExtension', style: './style' } } }),
  );
  return { appDir, labextensionDir, staticDir: join(REPO, 'kernel', 'lite-static') };
}

function pageConfig(siteDir: string): Record<string, unknown> {
  const html = readFileSync(join(siteDir, 'lab', 'index.html'), 'utf8');
  return JSON.parse(/<script id="jupyter-config-data"[^>]*>([\s\S]*?)<\/script>/.exec(html)![1]!) as Record<string, unknown>;
}

describe('seqlab lite: the site', () => {
  const dir = tempDir();
  const course = join(dir, 'course');
  mkdirSync(join(course, 'data'), { recursive: true });
  mkdirSync(join(course, 'week2'), { recursive: true });
  writeFileSync(join(course, 'data', 'timemachine.txt'), 'the time machine');
  writeFileSync(join(course, 'data', 'unused.txt'), 'not named by any cell');
  writeFileSync(join(course, 'notes.md'), '# notes');
  writeFileSync(join(course, '01-rnn.ipynb'), JSON.stringify(notebook("const tm = await data.loadTimeMachine('data/timemachine.txt');", "const missing = 'data/absent.txt'; const escape = '../outside.txt';")));
  writeFileSync(join(course, 'week2', '02-lstm.ipynb'), JSON.stringify(notebook('1 + 1')));
  writeFileSync(join(dir, 'outside.txt'), 'outside the course');
  const sources = fakeSources(dir);

  it('finds the files a notebook names that exist inside its folder', () => {
    expect(referencedFiles(join(course, '01-rnn.ipynb'), course)).toEqual([join(course, 'data', 'timemachine.txt')]);
  });

  it('writes the app, the extension, the notebooks with their data, and the listings', () => {
    const out = join(dir, 'site');
    const report = writeSite({ notebooks: [join(course, '01-rnn.ipynb'), join(course, 'week2', '02-lstm.ipynb')], outDir: out, include: ['notes.md'], sources });
    expect(report.files).toEqual(['01-rnn.ipynb', 'data/timemachine.txt', 'notes.md', 'week2/02-lstm.ipynb']);
    expect(existsSync(join(out, 'files', 'data', 'unused.txt'))).toBe(false);
    expect(existsSync(join(out, 'build', 'kernel', 'k.wasm'))).toBe(true);
    expect(existsSync(join(out, 'extensions', '@seqlab', 'jupyterlab', 'static', 'remoteEntry.abc.js'))).toBe(true);
    expect(existsSync(join(out, 'seqlab-isolation-sw.js'))).toBe(true);
    expect(pageConfig(out)['federated_extensions']).toEqual([
      { name: '@seqlab/jupyterlab', load: 'static/remoteEntry.abc.js', extension: './extension', mimeExtension: './mimeExtension', style: './style' },
    ]);
    const root = JSON.parse(readFileSync(join(out, 'api', 'contents', 'all.json'), 'utf8')) as { type: string; content: Array<{ name: string; type: string; path: string; size: number | null }> };
    expect(root.type).toBe('directory');
    expect(root.content.map((c) => [c.name, c.type])).toEqual([
      ['01-rnn.ipynb', 'notebook'],
      ['data', 'directory'],
      ['notes.md', 'file'],
      ['week2', 'directory'],
    ]);
    const week2 = JSON.parse(readFileSync(join(out, 'api', 'contents', 'week2', 'all.json'), 'utf8')) as { content: Array<{ path: string }> };
    expect(week2.content.map((c) => c.path)).toEqual(['week2/02-lstm.ipynb']);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('lab/index.html?path=01-rnn.ipynb');
    // A second run replaces the site.
    writeSite({ notebooks: [join(course, 'week2', '02-lstm.ipynb')], outDir: out, sources });
    expect(existsSync(join(out, 'files', '01-rnn.ipynb'))).toBe(false);
  });

  it('refuses to replace a folder that is not a seqlab site, and names bad input', () => {
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'thesis.tex'), 'precious');
    expect(() => writeSite({ notebooks: [join(course, '01-rnn.ipynb')], outDir: other, sources })).toThrow(/exists and is not a seqlab site/);
    expect(readFileSync(join(other, 'thesis.tex'), 'utf8')).toBe('precious');
    expect(() => writeSite({ notebooks: [join(course, 'nope.ipynb')], outDir: join(dir, 's2'), sources })).toThrow(/nope.ipynb does not exist/);
    expect(() => writeSite({ notebooks: [join(course, 'notes.md')], outDir: join(dir, 's2'), sources })).toThrow(/is not a notebook/);
    expect(() => writeSite({ notebooks: [join(course, '01-rnn.ipynb')], outDir: join(dir, 's3'), include: ['absent.csv'], sources })).toThrow(/--include absent.csv: .* does not exist/);
    expect(() => writeSite({ notebooks: [join(course, '01-rnn.ipynb')], outDir: join(dir, 's4'), sources: { ...sources, appDir: join(dir, 'no-app') } })).toThrow(/the site app is not built/);
  });
});

describe('seqlab serve', () => {
  let server: SiteServer;
  const dir = tempDir();
  beforeAll(async () => {
    const sources = fakeSources(dir);
    const course = join(dir, 'course');
    mkdirSync(course);
    writeFileSync(join(course, 'a.ipynb'), JSON.stringify(notebook('1')));
    writeSite({ notebooks: [join(course, 'a.ipynb')], outDir: join(dir, 'site'), sources });
    server = await serveSite({ dir: join(dir, 'site'), port: 0 });
  });
  afterAll(() => server.close());

  it('serves on 127.0.0.1 with the cross-origin isolation headers and the right types', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const [path, type] of [
      ['lab/index.html', 'text/html'],
      ['build/kernel/k.wasm', 'application/wasm'],
      ['build/kernel/worker.js', 'text/javascript'],
      ['files/a.ipynb', 'application/x-ipynb+json'],
      ['api/contents/all.json', 'application/json'],
    ] as const) {
      const r = await fetch(server.url + path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toContain(type);
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(r.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
    const missing = await fetch(server.url + 'files/nothing.txt');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const outside = await fetch(server.url + '..%2f..%2fetc/passwd');
    expect(outside.status).toBe(404);
  });

  it('names a busy port and a folder that does not exist', async () => {
    const port = Number(new URL(server.url).port);
    await expect(serveSite({ dir: join(dir, 'site'), port })).rejects.toThrow(`port ${port} is in use`);
    await expect(serveSite({ dir: join(dir, 'nothing'), port: 0 })).rejects.toThrow(/is not a folder/);
  });
});
