/**
 * The executor in this process, without a worker or sockets: a fake host records what it
 * publishes. (This test file's process becomes the execution realm.) Module loading is
 * tested in the kernel process tests: under vitest, import() goes through Vite's runner.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../../kernel/dist/executor/executor.js';
import { CONTROL_SLOTS } from '../../../kernel/dist/core/interrupt.js';
import { tempDir } from '../helpers.js';
import { registeredCells, RECENT_CELLS } from '../../../kernel/dist/core/stack.js';
import { StreamBuffer, MAX_STREAM_MESSAGE } from '../../../kernel/dist/core/streams.js';

const published: [string, Record<string, any>][] = [];
const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
const dir = tempDir('seqlab-exec-');
let ex: Executor;
let n = 0;

async function run(code: string, extra: { silent?: boolean; userExpressions?: Record<string, string> } = {}) {
  published.length = 0;
  const outcome = await ex.execute({ code, executionCount: ++n, ...extra });
  return { outcome, out: [...published] };
}
const result = (out: [string, Record<string, any>][]) => out.find(([t]) => t === 'execute_result')?.[1]['data']['text/plain'];

beforeAll(async () => {
  ex = new Executor({ publish: (t, c) => published.push([t, c]), requestInput: (p) => `answer to ${p}`, control }, { notebookDir: dir, captureStreams: false });
  await ex.init();
});

describe('Executor', { timeout: 120_000 }, () => {
  it('keeps declarations across cells and redefines them on re-run', async () => {
    await run('const a = 1; let b = 2; function f() { return a + b } class C { v = 3 }');
    expect(result((await run('f() + new C().v')).out)).toBe('6');
    await run('const a = 10; function f() { return a * b }');
    expect(result((await run('f()')).out)).toBe('20');
  });

  it('supports destructuring, enums, namespaces and generics at top level', async () => {
    await run('const { p, q: [r, ...rest] } = { p: 1, q: [2, 3, 4] }; enum Dir { Up = 1, Down } namespace NS { export const k = 5 } function id<T>(x: T): T { return x }');
    expect(result((await run('[p, r, rest, Dir.Down, NS.k, id<string>("s")]')).out)).toBe("[ 1, 2, [ 3, 4 ], 2, 5, 's' ]");
  });

  it('top-level await and the last expression as the result; assignments show nothing', async () => {
    expect(result((await run('const v = await Promise.resolve(7); v * 6')).out)).toBe('42');
    expect(result((await run('globalThis.zz = 3')).out)).toBeUndefined();
    expect(result((await run('undefined')).out)).toBeUndefined();
  });

  it('maps error frames to cell line and column, hides the kernel', async () => {
    const { outcome } = await run('const boom = () => {\n  null.x;\n};\nboom();', {});
    expect(outcome).toMatchObject({ status: 'error', ename: 'TypeError' });
    const tb = (outcome as any).traceback.join('\n');
    expect(tb).toMatch(/at boom \(In\[\d+\]:2:8\)/);
    expect(tb).toMatch(/at In\[\d+\]:4:1/);
    expect(tb).not.toMatch(/executor\.js|node:vm/);
  });

  it('syntax errors name line and column and run nothing', async () => {
    const { outcome } = await run('globalThis.sideEffect = 1;\nconst x = ;');
    expect(outcome).toMatchObject({ status: 'error', ename: 'SyntaxError' });
    expect((outcome as any).evalue).toMatch(/:2:11\)$/);
    expect((globalThis as any).sideEffect).toBeUndefined();
  });

  it('silent publishes nothing; user expressions are evaluated', async () => {
    const { out } = await run('display("x"); 5', { silent: true });
    expect(out).toEqual([]);
    const { outcome } = await run('const ue = 4', { userExpressions: { sq: 'ue ** 2', err: 'nope()' } });
    expect(outcome.userExpressions['sq']).toEqual({ status: 'ok', data: { 'text/plain': '16' }, metadata: {} });
    expect(outcome.userExpressions['err']).toMatchObject({ status: 'error', ename: 'ReferenceError' });
  });

  it('input() goes to the host', async () => {
    expect(result((await run('input("q?")')).out)).toBe("'answer to q?'");
  });

  it('puts every engine export in scope, and the engine namespace', async () => {
    const engine = await import('@seqlab/engine');
    const names = Object.keys(engine).filter((k) => !(k in { display: 1, clearOutput: 1, input: 1, prompt: 1, progress: 1, comms: 1, require: 1 }));
    const { out } = await run(`[${names.map((k) => `typeof ${k} === typeof engine.${k}`).join(', ')}].every(Boolean)`);
    expect(result(out)).toBe('true');
    expect(ex.engineGlobals.length).toBeGreaterThan(0);
  });

  it('an interrupt ends a cell waiting on a promise and clears its timers', async () => {
    const p = run('setInterval(() => {}, 10); await new Promise(() => {})');
    await new Promise((r) => setTimeout(r, 50));
    expect(ex.interrupts.pendingTimers()).toBeGreaterThan(0);
    Atomics.add(control, 0, 1);
    Atomics.store(control, 3, 1);
    ex.interrupted();
    const { outcome } = await p;
    expect(outcome).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(ex.interrupts.pendingTimers()).toBe(0);
    expect(result((await run('a')).out)).toBe('10');
  });

  it('keeps a bounded record per cell: cells that define no function are forgotten after a while', async () => {
    await run('let counter = 0; function keepMe() { return counter }');
    const before = registeredCells();
    for (let i = 0; i < RECENT_CELLS + 50; i++) await run('counter += 1');
    expect(registeredCells()).toBeLessThanOrEqual(before + RECENT_CELLS);
    // The cell that defined a function is still mapped.
    const { outcome } = await run('keepMe.call(null); throw new Error("here")');
    expect((outcome as any).traceback.join('\n')).toMatch(/In\[\d+\]:1:/);
  });

  it('a huge write goes out in stream messages of at most 1 MiB', () => {
    const out: string[] = [];
    const s = new StreamBuffer((_t, c) => out.push(String(c['text'])));
    s.write('stdout', 'x'.repeat(2.5 * MAX_STREAM_MESSAGE));
    s.flush();
    expect(out.map((t) => t.length)).toEqual([MAX_STREAM_MESSAGE, MAX_STREAM_MESSAGE, MAX_STREAM_MESSAGE / 2]);
  });

  it('a loop checks the interrupt counter and throws KeyboardInterrupt', async () => {
    // What the session thread does on an interrupt: count it and raise the flag.
    const { outcome } = await run('let i = 0; while (true) { if (++i === 1000) { Atomics.add(__seqlab_irq, 0, 1); Atomics.store(__seqlab_irq, 3, 1) } }');
    expect(outcome).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
  });
});
