/**
 * The language service in this process: completion, inspection and type checking against
 * earlier cells, with the engine's exports declared generically from its .d.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LanguageService } from '../../../kernel/dist/language/service.js';
import { tempDir } from '../helpers.js';

let ls: LanguageService;

beforeAll(() => {
  ls = new LanguageService({ notebookDir: tempDir() });
});

describe('LanguageService', { timeout: 120_000 }, () => {
  it('checks a cell against earlier cells, at cell line and column', () => {
    ls.cellExecuted('const rate: number = 0.1;\nfunction scale(x: number): number { return x * rate }');
    expect(ls.check('const s: string = scale(2);')).toEqual([expect.objectContaining({ line: 1, column: 7, code: 2322, category: 'error' })]);
    expect(ls.check('const ok: number = scale(2);')).toEqual([]);
    expect(ls.check('\n\nscale("x")')[0]).toMatchObject({ line: 3, column: 7 });
  });

  it('a later declaration of a name replaces the earlier one', () => {
    ls.cellExecuted('const rate = "fast";');
    expect(ls.check('const r: string = rate;')).toEqual([]);
    expect(ls.check('const rate = 1; const n: number = rate;')).toEqual([]);
  });

  it('declares every engine export, with its types', async () => {
    const engine = await import('@seqlab/engine');
    const names = Object.keys(engine).filter((n) => !(n in globalThis));
    const diags = ls.check(names.map((n) => `void ${n};`).join('\n') + '\nvoid engine;');
    expect(diags).toEqual([]);
    expect(ls.check('const notThere = thisIsNotAnEngineExport;')[0]).toMatchObject({ code: 2304 });
  });

  it('keeps lib\'s Generator<T> as a type beside the engine\'s Generator class (value, and engine.Generator as a type)', () => {
    // The engine's random Generator and ES2015's generator interface share a name: `new
    // Generator()` is the engine's, `Generator<number>` lib's, `engine.Generator` the engine's type.
    const cell = [
      'const g: engine.Generator = new Generator(1); g.manualSeed(2);',
      'function* f(): Generator<number> { yield g.random() }',
      'const it: Generator<number, void> = f(); const first: number | void = it.next().value;',
      'function draw(rng: engine.Generator = defaultGenerator): number { return rng.random() }',
      'const lin: engine.nn.Linear | undefined = undefined;',
    ].join('\n');
    expect(ls.check(cell)).toEqual([]);
    // The type Generator is lib's, so the engine's instance is not one.
    expect(ls.check('const h: Generator<number> = new Generator(1);')[0]).toMatchObject({ line: 1, column: 7, code: 2739 });
    expect(ls.complete('new Generat', 11).types).toEqual([{ text: 'Generator', type: 'class' }]);
    expect(ls.inspect('new Generator', 13, 0).data['text/plain']).toContain('Seedable random numbers');
    expect(ls.inspect('engine', 3, 0).data['text/plain']).toMatch(/^namespace engine\n/);
  });

  it('knows the kernel helpers and the tslab module', () => {
    expect(ls.check('display.html("x"); clearOutput(); const v: string = input("?"); const bar = progress(3); bar.update(); comms.open("t");')).toEqual([]);
    expect(ls.check('import * as tslab from "tslab"; tslab.newDisplay().png(new Uint8Array(1)); tslab.display.markdown("m");')).toEqual([]);
    expect(ls.check('display.nope()')[0]).toMatchObject({ code: 2339 });
  });

  it('has Node globals always, and a Node module\'s types once a cell imports it', () => {
    expect(ls.check('console.log(process.argv.length); const b: Buffer = Buffer.from("x"); setTimeout(() => {}, 1);')).toEqual([]);
    const d = ls.check('import * as fs from "node:fs";\nconst n: number = fs.readFileSync("f", "utf8");');
    expect(d).toEqual([expect.objectContaining({ line: 2, column: 7, code: 2322 })]);
  });

  it('types every global of a Node realm (fetch, URL, TextEncoder, performance, crypto, ...) without Node\'s module declarations', () => {
    const cell = [
      'const host: string = new URL("http://x").hostname; new URLSearchParams("a=1").get("a");',
      'const bytes: Uint8Array = new TextEncoder().encode("x"); new TextDecoder().decode(bytes);',
      'const t: number = performance.now(); const copy: { a: number } = structuredClone({ a: 1 });',
      'const id: string = crypto.randomUUID(); new MessageChannel().port1.close(); new ReadableStream();',
      'const status: Promise<number> = fetch("http://x").then((r) => r.status); new Headers({ a: "b" });',
      'const path: typeof import("node:path") = require("node:path");',
    ].join('\n');
    expect(ls.check(cell)).toEqual([]);
    // Typed for real, not `any`:
    expect(ls.check('const n: number = new URL("http://x").hostname;')[0]).toMatchObject({ code: 2322 });
    expect(ls.check('const r = await fetch("http://x"); const n: number = r.statusText;')[0]).toMatchObject({ line: 1, column: 42, code: 2322 });
    const h = ls.check('import { createServer } from "node:http";\nconst port: string = createServer().address();');
    expect(h).toEqual([expect.objectContaining({ line: 2, column: 7, code: 2322 })]);
    expect(ls.complete('process.stdout.wri', 18).matches).toContain('write');
  });

  it('completes Node globals whose declarations are parsed on demand (crypto, TextEncoder, performance, URL, require, process.stdout)', () => {
    // A fresh service: nothing has mentioned these globals yet, the prefix being completed does.
    const fresh = new LanguageService({ notebookDir: tempDir() });
    expect(fresh.complete('cryp', 4).matches).toContain('crypto');
    expect(fresh.complete('TextEnc', 7).types).toContainEqual({ text: 'TextEncoder', type: expect.any(String) });
    expect(fresh.complete('structuredCl', 12).matches).toEqual(['structuredClone']);
    expect(fresh.complete('performance.no', 14).matches).toContain('now');
    expect(fresh.inspect('crypto.randomUUID', 17, 0).data['text/plain']).toContain('randomUUID(');
    expect(fresh.complete('URLSea', 6).matches).toEqual(['URLSearchParams']);
    expect(fresh.complete('requi', 5).matches).toContain('require');
    expect(fresh.complete('process.std', 11).matches).toEqual(['stderr', 'stdin', 'stdout']);
    expect(fresh.complete('process.stdout.wri', 18).matches).toContain('write');
    expect(fresh.check('const r = await fetch("http://x"); const n: number = r.status; const t: string = await r.text();')).toEqual([]);
  });

  it('completes members and globals with kinds', () => {
    const c = ls.complete('Math.fl', 7);
    expect(c).toMatchObject({ matches: ['floor'], cursorStart: 5, cursorEnd: 7 });
    expect(c.types[0]).toMatchObject({ text: 'floor', type: 'function' });
    expect(ls.complete('sca', 3).matches).toContain('scale');
  });

  it('inspects with signature and documentation', () => {
    const r = ls.inspect('Math.max', 8, 0);
    expect(r.found).toBe(true);
    expect(r.data['text/plain']).toContain('max(...values: number[]): number');
    expect(r.data['text/markdown']).toContain('Returns the larger');
    expect(ls.inspect('   ', 1, 0).found).toBe(false);
  });
});
