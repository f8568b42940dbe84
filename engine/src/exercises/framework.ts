/**
 * How an exercise is checked: the student's function is called on inputs drawn from a
 * seeded generator, and its results are compared with the expected ones — shapes first,
 * then values. A wrong answer is compared with common mistakes, so the message can name
 * the mistake ("the cell state ignores the previous cell") without giving the answer.
 */
import { Tensor } from '../tensor.js';
import { describe } from '../shape.js';
import { JUPYTER_DISPLAY } from '../display/protocol.js';
import { Generator } from '../random.js';
import { noGrad } from '../autograd/grad-mode.js';

/** Thrown by `todo()`: the exercise has not been filled in yet. */
export class ExerciseTodo extends Error {
  constructor() {
    super('exercise not done yet: replace exercises.todo() with your code');
    this.name = 'ExerciseTodo';
  }
}

/**
 * The body of an exercise before it is done: `return exercises.todo();`. Throws; the
 * check then says the exercise is not done yet.
 */
export function todo(): never {
  throw new ExerciseTodo();
}

/** A common mistake: what a function with that mistake returns, and the hint to give. */
export interface Mistake {
  hint: string;
  wrong: (...args: never[]) => unknown;
}

/** An exercise: the function to write and how to check it. */
export interface Exercise {
  /** Short id used in `exercises.check(id, fn)`, e.g. 'rnn-step'. */
  id: string;
  /** The notebook it belongs to, e.g. '01-recurrent-neural-networks'. */
  notebook: string;
  /** Name of the function the student writes. */
  fn: string;
  /** One line: what the function does. */
  title: string;
  /** Argument lists to try (made from a seeded generator, so every run checks the same). */
  cases: (g: Generator) => unknown[][];
  /** The right result for an argument list. */
  expected: (...args: never[]) => unknown;
  /** How each argument is described in messages (default: tensor shapes, short arrays, numbers). */
  describeArgs?: (...args: never[]) => string;
  mistakes?: Mistake[];
  /**
   * Brings a result into the form compared (applied to the student's result, the expected
   * one and the mistakes'), e.g. a 0-d tensor to a number. Throw with a message to reject
   * a result of the wrong kind.
   */
  normalize?: (result: unknown) => unknown;
  /** Largest allowed difference (relative to the size of the expected values). Default 1e-4. */
  tolerance?: number;
}

/** What a check found. Shows itself in a notebook as a short verdict. */
export class CheckResult {
  constructor(
    readonly id: string,
    readonly fn: string,
    readonly passed: boolean,
    /** Why: what is right, or what is wrong (never the answer). */
    readonly message: string,
    /** The check could not run the function at all because it was not written yet. */
    readonly notDone = false,
  ) {}

  /** One line of text. */
  toString(): string {
    return `${this.passed ? '✓' : this.notDone ? '…' : '✗'} ${this.fn} (exercise ${this.id}): ${this.message}`;
  }

  [JUPYTER_DISPLAY](): Record<string, string> {
    const mark = this.passed ? '✓' : this.notDone ? '…' : '✗';
    const color = this.passed ? '#1a7f37' : this.notDone ? '#6e7781' : '#cf222e';
    const html = `<div style="border-left:4px solid ${color};padding:4px 10px;margin:2px 0"><b style="color:${color}">${mark} <code>${escapeHtml(this.fn)}</code></b> — ${escapeHtml(this.message)}</div>`;
    return { 'text/plain': this.toString(), 'text/html': html };
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A result as nested plain numbers, for comparing: tensors by value, arrays element-wise. */
type Plain = number | boolean | null | undefined | string | Plain[];

function plain(v: unknown): Plain {
  if (v instanceof Tensor) return v.toArray() as Plain;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v === null || v === undefined) return v;
  return String(v);
}

function shapeOf(v: unknown): string {
  if (v instanceof Tensor) return `a tensor of shape [${v.shape.join(', ')}]`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'number') return 'a number';
  if (v === undefined) return 'undefined';
  return describe(v);
}

/** Whether two results have the same structure (tensor shapes, array lengths, kinds). */
function sameShape(a: unknown, b: unknown): boolean {
  if (b instanceof Tensor) return a instanceof Tensor && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (Array.isArray(b)) return Array.isArray(a) && a.length === b.length && b.every((x, i) => sameShape(a[i], x));
  if (typeof b === 'number') return typeof a === 'number';
  return typeof a === typeof b;
}

/** Largest absolute difference and the scale of the expected values (NaN/Infinity must match exactly). */
function difference(a: Plain, b: Plain): { diff: number; scale: number } {
  if (Array.isArray(b)) {
    if (!Array.isArray(a) || a.length !== b.length) return { diff: Infinity, scale: 1 };
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      const d = difference(a[i]!, b[i]!);
      diff = Math.max(diff, d.diff);
      scale = Math.max(scale, d.scale);
    }
    return { diff, scale };
  }
  if (typeof b === 'number') {
    if (typeof a !== 'number') return { diff: Infinity, scale: 1 };
    if (!Number.isFinite(b) || !Number.isFinite(a)) return { diff: Object.is(a, b) || a === b ? 0 : Infinity, scale: 0 };
    return { diff: Math.abs(a - b), scale: Math.abs(b) };
  }
  if (typeof b === 'boolean') return { diff: a === b ? 0 : Infinity, scale: 1 };
  return { diff: a === b ? 0 : Infinity, scale: 1 };
}

function close(a: unknown, b: unknown, tolerance: number): { ok: boolean; diff: number } {
  const { diff, scale } = difference(plain(a), plain(b));
  return { ok: diff <= tolerance * Math.max(1, scale), diff };
}

function defaultDescribe(args: unknown[]): string {
  return args
    .map((a) => {
      if (a instanceof Tensor) return `[${a.shape.join(', ')}]`;
      if (Array.isArray(a)) return a.length <= 6 && a.every((x) => typeof x === 'number' || typeof x === 'string') ? JSON.stringify(a) : `an array of ${a.length}`;
      if (typeof a === 'number') return String(Number(a.toPrecision(4)));
      return describe(a);
    })
    .join(', ');
}

/** A deep copy of an argument (tensors cloned), so that a function that modifies its inputs cannot change the check. */
function copy(v: unknown): unknown {
  if (v instanceof Tensor) return v.clone().detach();
  if (Array.isArray(v)) return v.map(copy);
  return v;
}

/** Runs `ex`'s check on `fn`. */
export function runCheck(ex: Exercise, fn: unknown): CheckResult {
  const result = (passed: boolean, message: string, notDone = false) => new CheckResult(ex.id, ex.fn, passed, message, notDone);
  if (typeof fn !== 'function') return result(false, `expects the function ${ex.fn}, got ${describe(fn)}`);
  const cases = ex.cases(new Generator(20240601));
  const tolerance = ex.tolerance ?? 1e-4;
  const say = (args: unknown[]) => (ex.describeArgs ? (ex.describeArgs as (...a: unknown[]) => string)(...args) : defaultDescribe(args));
  const norm = ex.normalize ?? ((v: unknown) => v);
  const mistaken = (m: Mistake, args: unknown[]) => norm(noGrad(() => (m.wrong as (...a: unknown[]) => unknown)(...args.map(copy))));
  for (const args of cases) {
    const expected = norm(noGrad(() => (ex.expected as (...a: unknown[]) => unknown)(...args.map(copy))));
    let got: unknown;
    try {
      got = noGrad(() => (fn as (...a: unknown[]) => unknown)(...args.map(copy)));
    } catch (e) {
      if (e instanceof ExerciseTodo || (e as Error)?.name === 'ExerciseTodo') return result(false, `not done yet: replace \`exercises.todo()\` in ${ex.fn} with your code, run its cell, then this one`, true);
      return result(false, `threw ${(e as Error)?.name ?? 'an error'}: ${(e as Error)?.message ?? String(e)} — on inputs ${say(args)}`);
    }
    if (got instanceof Promise) return result(false, 'returned a Promise: the function must compute its result synchronously (no async/await)');
    if (got === undefined) return result(false, `returned undefined on inputs ${say(args)}: is the \`return\` missing?`);
    try {
      got = norm(got);
    } catch (e) {
      return result(false, `on inputs ${say(args)}: ${(e as Error).message}`);
    }
    if (!sameShape(got, expected)) {
      const mistake = (ex.mistakes ?? []).find((m) => {
        try {
          const w = mistaken(m, args);
          return sameShape(got, w) && close(got, w, tolerance).ok;
        } catch {
          return false;
        }
      });
      return result(false, `on inputs ${say(args)} it returned ${shapeOf(got)}, expected ${shapeOf(expected)}${mistake ? `. ${mistake.hint}` : ''}`);
    }
    const c = close(got, expected, tolerance);
    if (!c.ok) {
      for (const m of ex.mistakes ?? []) {
        try {
          const w = mistaken(m, args);
          if (sameShape(got, w) && close(got, w, tolerance).ok) return result(false, `wrong values on inputs ${say(args)}. ${m.hint}`);
        } catch {
          // a mistake that does not apply to these inputs
        }
      }
      const by = Number.isFinite(c.diff) ? ` (off by up to ${Number(c.diff.toPrecision(2))})` : '';
      return result(false, `the shape is right but the values are not, on inputs ${say(args)}${by}`);
    }
  }
  return result(true, `correct on all ${cases.length} test inputs`);
}
