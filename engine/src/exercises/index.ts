/**
 * `exercises`: the lecture notebooks' exercises and their automatic checks. A student
 * writes the function, then runs the check cell, which says whether it is right and, if
 * not, what is wrong — on which input, with which shape, or which common mistake it looks
 * like — without showing the answer. The checks run wherever the engine runs (Node or a
 * browser), so they work in both kernels.
 *
 * @example
 * function rnnStep(x: Tensor, h: Tensor, Wxh: Tensor, Whh: Tensor, b: Tensor): Tensor {
 *   return exercises.todo();          // replace with your code
 * }
 * exercises.check('rnn-step', rnnStep)  // ✓ or ✗ with a hint
 */
import { describe } from '../shape.js';
import { CheckResult, runCheck, type Exercise } from './framework.js';
import { recurrentExercises } from './recurrent.js';
import { attentionExercises } from './attention.js';
import { transformerExercises } from './transformer.js';

export { todo, CheckResult, ExerciseTodo, type Exercise, type Mistake } from './framework.js';

const ALL: readonly Exercise[] = [...recurrentExercises, ...attentionExercises, ...transformerExercises];
const BY_ID = new Map(ALL.map((e) => [e.id, e]));

/** Every exercise, or those of one notebook (e.g. '03-lstm-and-gru'): id, notebook, function name and title. */
export function list(notebook?: string): { id: string; notebook: string; fn: string; title: string }[] {
  return ALL.filter((e) => notebook === undefined || e.notebook === notebook).map(({ id, notebook: nb, fn, title }) => ({ id, notebook: nb, fn, title }));
}

/**
 * Checks the function written for exercise `id` on a fixed set of inputs. Returns a
 * `CheckResult` ({ passed, message }) that a notebook shows as ✓ or ✗ with the reason.
 */
export function check(id: string, fn: unknown): CheckResult {
  const ex = BY_ID.get(id);
  if (ex === undefined) {
    const near = ALL.filter((e) => e.id.includes(String(id)) || String(id).includes(e.id)).map((e) => e.id);
    throw new RangeError(`exercises.check: no exercise ${describe(id)}${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : ''} (exercises.list() shows them all)`);
  }
  return runCheck(ex, fn);
}
