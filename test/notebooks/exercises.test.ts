/**
 * The lecture notebooks' exercises: every solution in notebooks/solutions/ passes the
 * check the notebook runs (`exercises.check(id, fn)`); every common mistake the check
 * knows is caught with its hint; and every notebook has, for each of its exercises, one
 * unfilled exercise cell (`exercises.todo()`) whose function fails the check with "not
 * done yet", and one check cell. Uses the built engine (engine/dist, as the kernel does).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as engine from '@seqlab/engine';
import type { Exercise } from '../../engine/dist/exercises/framework.js';
import { recurrentExercises } from '../../engine/dist/exercises/recurrent.js';
import { attentionExercises } from '../../engine/dist/exercises/attention.js';
import { transformerExercises } from '../../engine/dist/exercises/transformer.js';
import { NOTEBOOKS_DIR, readNotebook, text } from './clients.js';

const { exercises } = engine;
const SPECS: Exercise[] = [...recurrentExercises, ...attentionExercises, ...transformerExercises];
const NOTEBOOKS = readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith('.ipynb') && !f.endsWith('.executed.ipynb')).map((f) => f.replace(/\.ipynb$/, '')).sort();

/** Compiles a notebook cell (TypeScript) and returns the function it declares, with the engine's exports in scope. */
function cellFunction(source: string, name: string): unknown {
  const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None } }).outputText;
  const names = Object.keys(engine).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
  return new Function(...names, `${js}\nreturn ${name};`)(...names.map((k) => (engine as Record<string, unknown>)[k]));
}

describe('exercises', () => {
  it('belong to the lecture notebooks, two to four each, with unique ids', () => {
    const ids = SPECS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(exercises.list().map((e) => e.id)).toEqual(ids);
    for (const nb of NOTEBOOKS) {
      const n = exercises.list(nb).length;
      expect(n, `${nb}: number of exercises`).toBeGreaterThanOrEqual(2);
      expect(n, `${nb}: number of exercises`).toBeLessThanOrEqual(4);
    }
    expect([...new Set(SPECS.map((e) => e.notebook))].sort()).toEqual(NOTEBOOKS);
  });

  for (const nb of NOTEBOOKS) {
    describe(nb, () => {
      const specs = SPECS.filter((e) => e.notebook === nb);

      it('solutions pass their checks', async () => {
        const solutions = (await import(join(NOTEBOOKS_DIR, 'solutions', `${nb}.ts`))) as Record<string, unknown>;
        for (const ex of specs) {
          expect(typeof solutions[ex.fn], `notebooks/solutions/${nb}.ts exports ${ex.fn}`).toBe('function');
          const r = exercises.check(ex.id, solutions[ex.fn]);
          expect(r.message, `${ex.id}`).toMatch(/^correct on all \d+ test inputs$/);
          expect(r.passed).toBe(true);
        }
      });

      it('each common mistake fails with its hint', () => {
        for (const ex of specs) {
          for (const m of ex.mistakes ?? []) {
            const r = exercises.check(ex.id, m.wrong);
            expect(r.passed, `${ex.id}: "${m.hint}" must not pass`).toBe(false);
            expect(r.message, ex.id).toContain(m.hint);
          }
        }
      });

      it('the notebook has each exercise unfilled, failing with "not done yet", and a check cell', () => {
        const cells = readNotebook(join(NOTEBOOKS_DIR, `${nb}.ipynb`)).cells.filter((c) => c.cell_type === 'code').map((c) => text(c.source));
        for (const ex of specs) {
          const declaring = cells.filter((s) => new RegExp(`function ${ex.fn}\\s*\\(`).test(s) && s.includes('exercises.todo()'));
          expect(declaring, `${nb}: one cell declares ${ex.fn} with exercises.todo()`).toHaveLength(1);
          const r = exercises.check(ex.id, cellFunction(declaring[0]!, ex.fn));
          expect(r.passed).toBe(false);
          expect(r.notDone).toBe(true);
          expect(r.message).toContain('not done yet');
          const checks = cells.filter((s) => s.includes(`exercises.check('${ex.id}', ${ex.fn})`));
          expect(checks, `${nb}: a cell runs exercises.check('${ex.id}', ${ex.fn})`).toHaveLength(1);
        }
      });
    });
  }

  it('says what is wrong without giving the answer', () => {
    const rnnStep = (_x: engine.Tensor, _h: engine.Tensor, Wxh: engine.Tensor) => Wxh; // the wrong shape
    const r = exercises.check('rnn-step', rnnStep);
    expect(r.passed).toBe(false);
    expect(r.message).toBe('on inputs x_t of size 3, h_{t−1} of size 3 it returned a tensor of shape [3, 3], expected a tensor of shape [3]');
    expect(exercises.check('perplexity', () => undefined).message).toContain('is the `return` missing?');
    expect(exercises.check('perplexity', () => { throw new TypeError('boom'); }).message).toBe('threw TypeError: boom — on inputs 4 losses');
    expect(exercises.check('perplexity', () => 1).message).toMatch(/^the shape is right but the values are not, on inputs 4 losses \(off by up to [\d.]+\)$/);
    expect(() => exercises.check('rnn', () => 0)).toThrow("no exercise \"rnn\"; did you mean 'rnn-step'?");
    const bundle = (r as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for('Jupyter.display')]!();
    expect(bundle['text/plain']).toMatch(/^✗ rnnStep \(exercise rnn-step\): on inputs/);
    expect(bundle['text/html']).toContain('<code>rnnStep</code>');
  });
});
