/**
 * One table of cell behaviour, run through both execution workers: the Node execution worker
 * and the browser execution worker (in a stand-in Web Worker scope). Both hosts call the same
 * core (kernel/src/core), so both must answer alike; the few rows that differ by host say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostUnderTest, type Exchange } from './hosts.js';

const result = (x: Exchange): string | undefined => x.iopub.find((m) => m.msgType === 'execute_result')?.content['data']['text/plain'];
const streams = (x: Exchange, name: string): string => x.iopub.filter((m) => m.msgType === 'stream' && m.content['name'] === name).map((m) => m.content['text']).join('');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const kind of ['node', 'browser'] as const) {
  describe(`cells in the ${kind} execution worker`, { timeout: 120_000 }, () => {
    let host: HostUnderTest;
    beforeAll(() => {
      host = new HostUnderTest(kind);
    });
    afterAll(async () => {
      await host?.stop();
    });

    it('keeps state across cells and redefines on re-run (plain JavaScript, no TypeScript needed)', async () => {
      await host.execute('const a = 1; let b = 2; function f() { return a + b }');
      expect(result(await host.execute('f()'))).toBe('3');
      await host.execute('const a = 10; function f() { return a * b }');
      expect(result(await host.execute('f()'))).toBe('20');
    });

    it('compiles TypeScript: enums, namespaces, decorators, generics, parameter properties, destructuring', async () => {
      const x = await host.execute(
        [
          'enum Dir { Up = 1, Down }',
          'namespace NS { export const k = 5 }',
          'function logged<T extends (...a: any[]) => any>(m: T, _c: ClassMethodDecoratorContext): T { return m }',
          'class Box<T> { constructor(public v: T) {} @logged get2(): T { return this.v } }',
          'const { p, q: [r, ...rest] }: { p: number; q: number[] } = { p: 1, q: [2, 3, 4] };',
          'function id<T>(x: T): T { return x }',
          '[Dir.Down, NS.k, new Box<number>(7).get2(), p, r, rest, id<string>("s")]',
        ].join('\n'),
      );
      expect(x.reply.outcome.status).toBe('ok');
      expect(result(x)).toBe("[ 2, 5, 7, 1, 2, [ 3, 4 ], 's' ]");
    });

    it('top-level await; the last expression is the result, an assignment is not', async () => {
      expect(result(await host.execute('const v = await new Promise<number>((r) => setTimeout(() => r(7), 5)); v * 6'))).toBe('42');
      expect(result(await host.execute('globalThis.zz = 3'))).toBeUndefined();
    });

    it('console.log and console.error are stdout and stderr streams', async () => {
      const x = await host.execute('console.log("hello", { a: [1, 2] }); console.error("oops %d", 3)');
      expect(streams(x, 'stdout')).toBe('hello { a: [ 1, 2 ] }\n');
      expect(streams(x, 'stderr')).toBe('oops 3\n');
    });

    it('display(), display.html, Jupyter.display bundles, update in place, clearOutput', async () => {
      const x = await host.execute(
        [
          'display.html("<b>b</b>");',
          'display("v1", { displayId: "d1" }); display("v2", { displayId: "d1", update: true });',
          'clearOutput(true);',
          'const shown = { [Symbol.for("Jupyter.display")]() { return { "application/vnd.seqlab.test+json": { x: 1 } } } };',
          'shown',
        ].join('\n'),
      );
      expect(x.iopub.map((m) => m.msgType)).toEqual(['display_data', 'display_data', 'update_display_data', 'clear_output', 'execute_result']);
      expect(x.iopub[0]!.content['data']['text/html']).toBe('<b>b</b>');
      expect(x.iopub[2]!.content['transient']).toEqual({ display_id: 'd1' });
      expect(x.iopub[4]!.content['data']['application/vnd.seqlab.test+json']).toEqual({ x: 1 });
    });

    it('the progress bar updates one output', async () => {
      const x = await host.execute('let total = 0; for (const i of progress([...Array(500).keys()], { label: "train" })) total += i; total');
      const bars = x.iopub.filter((m) => m.msgType.endsWith('display_data'));
      expect(new Set(bars.map((m) => m.content['transient'].display_id)).size).toBe(1);
      expect(bars.at(-1)!.content['data']['text/plain']).toContain('500/500');
      expect(result(x)).toBe('124750');
    });

    it('the progress bar draws the loss curve with the engine\'s linePlot, updated in place', async () => {
      const x = await host.execute('const bar = progress(50, { label: "train", plot: ["loss"] }); for (let i = 0; i < 50; i++) bar.update(1, { loss: 1 / (i + 1) }); bar.close()');
      const plots = x.iopub.filter((m) => m.content['data']?.['application/vnd.plotly.v1+json']);
      expect(plots.length).toBeGreaterThan(0);
      expect(plots[0]!.msgType).toBe('display_data');
      expect(new Set(plots.map((m) => m.content['transient'].display_id)).size).toBe(1);
      const fig = plots.at(-1)!.content['data']['application/vnd.plotly.v1+json'];
      expect(fig.data[0].y).toHaveLength(50);
      expect(plots.at(-1)!.content['data']['image/svg+xml']).toContain('<svg');
    });

    it('errors point at cell line and column, with an excerpt; the kernel is hidden', async () => {
      const x = await host.execute('const boom = () => {\n  null.x;\n};\nboom();');
      expect(x.reply.outcome).toMatchObject({ status: 'error', ename: 'TypeError' });
      const tb = x.reply.outcome.traceback.join('\n');
      expect(tb).toMatch(/at boom \(In\[\d+\]:2:8\)/);
      expect(tb).toMatch(/at In\[\d+\]:4:1/);
      expect(tb).toContain('-->');
      expect(tb).not.toMatch(/dist\/core|kernel\/worker\.js|executor\.js/);
      const ts = await host.execute('function typed(n: number): number {\n  if (n > 1) throw new RangeError(`too big: ${n}`);\n  return n;\n}\ntyped(5)');
      expect(ts.reply.outcome.traceback.join('\n')).toMatch(/at typed \(In\[\d+\]:2:20\)/);
    });

    it('syntax errors name line and column and run nothing', async () => {
      const x = await host.execute('globalThis.sideEffect = 1;\nconst = 2');
      expect(x.reply.outcome).toMatchObject({ status: 'error', ename: 'SyntaxError' });
      expect(x.reply.outcome.evalue).toMatch(/:2:7\)$/);
      expect(result(await host.execute('typeof (globalThis as any).sideEffect'))).toBe("'undefined'");
    });

    it('any thrown value gets an error reply, and state is kept', async () => {
      await host.execute('const kept = "still here"');
      const hostile = [
        'class E extends Error { get message(): string { throw 1 } }; throw new E()',
        'class S extends Error { get stack(): string { throw 2 } }; throw new S("s")',
        'class N extends Error { get name(): string { throw 3 } }; throw new N("n")',
        'throw new Proxy({}, { get() { throw 4 }, getPrototypeOf() { throw 5 }, has() { throw 6 } })',
        'throw { toString() { throw 7 }, [Symbol.toPrimitive]() { throw 8 } }',
        'const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); throw proxy',
      ];
      for (const code of hostile) {
        const x = await host.execute(code);
        expect(x.reply.outcome.status, code).toBe('error');
        expect(typeof x.reply.outcome.evalue).toBe('string');
      }
      expect(result(await host.execute('kept'))).toBe("'still here'");
    });

    it('is_complete and completion from the realm', async () => {
      const ask = async (code: string) => (await host.request({ type: 'is_complete', code } as never)).reply.result;
      expect(await ask('x = )')).toEqual({ status: 'invalid' });
      expect(await ask('function f() {')).toEqual({ status: 'incomplete', indent: '  ' });
      expect(await ask('const n: number = 1')).toEqual({ status: 'complete' });
      await host.execute('const learningRateSchedule = [0.1]');
      const c = async (code: string) => (await host.request({ type: 'complete', code, cursor: code.length } as never)).reply.result;
      expect((await c('Math.fl')).matches).toEqual(['floor']);
      expect((await c('learningRateS')).matches).toEqual(['learningRateSchedule']);
      expect((await c('learningRateSchedule.ma')).matches).toContain('map');
    });

    it('the engine is in scope, and importable', async () => {
      expect(result(await host.execute('typeof tensor === "function" && typeof engine.nn'))).toBe("'object'");
      expect(result(await host.execute('import { tensor as t2 } from "@seqlab/engine"; t2 === tensor'))).toBe('true');
    });

    it('imports: Node modules in Node, a clear error in the browser', async () => {
      const x = await host.execute('import { basename } from "node:path"; basename("/a/b.txt")');
      if (kind === 'node') expect(result(x)).toBe("'b.txt'");
      else {
        expect(x.reply.outcome.status).toBe('error');
        expect(x.reply.outcome.evalue).toContain('not available in the browser kernel');
      }
    });

    it('input() over shared memory', async () => {
      host.onInput = (p) => `answer to ${p}`;
      expect(result(await host.execute('input("q?")'))).toBe("'answer to q?'");
    });

    it('the seqlab comm target answers', async () => {
      const open = await host.request({ type: 'comm', action: 'open', content: { comm_id: 'c1', target_name: 'seqlab', data: {} }, metadata: {}, buffers: [] } as never);
      expect(open.reply.type).toBe('comm_done');
      const msg = await host.request({ type: 'comm', action: 'msg', content: { comm_id: 'c1', data: { request: 'info' } }, metadata: {}, buffers: [] } as never);
      expect(msg.iopub[0]!.content['data']).toMatchObject({ engine: expect.any(Array) });
    });

    it('an interrupt stops a synchronous loop and a loop after await; earlier definitions survive', async () => {
      await host.execute('const survivor = 1');
      for (const code of ['while (true) {}', 'await new Promise((r) => setTimeout(r, 5)); for (;;) {}']) {
        const run = host.execute(code);
        await sleep(300);
        host.interrupt();
        const x = await run;
        expect(x.reply.outcome).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
      }
      expect(result(await host.execute('survivor'))).toBe('1');
    });
  });
}
