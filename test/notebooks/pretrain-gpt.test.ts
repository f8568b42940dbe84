/**
 * scripts/pretrain-gpt.mjs, the script behind notebook 10's weights: a short run prints its
 * training curve and writes both models as safetensors with their record, and a second run
 * with the same seed and step counts writes the same weights (the run is reproducible). The
 * committed weights load into the models their metadata names.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSafetensors, models, readSafetensorsHeader } from '@seqlab/engine';
import { REPO, tempDir } from '../kernel/helpers.js';

const SCRIPT = join(REPO, 'scripts', 'pretrain-gpt.mjs');
const dirs: string[] = [];

function run(): { dir: string; stdout: string } {
  const dir = tempDir('seqlab-pretrain-');
  dirs.push(dir);
  const r = spawnSync(process.execPath, [SCRIPT, '--steps', '3', '--eval-every', '3', '--lstm-steps', '4', '--skip-full-val', '--out', dir], { encoding: 'utf8', timeout: 10 * 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return { dir, stdout: r.stdout };
}

describe('npm run pretrain:gpt', () => {
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('prints its curve, writes both models with their record, and repeats itself exactly', { timeout: 20 * 60_000 }, () => {
    const a = run();
    expect(a.stdout).toMatch(/^GPT {3}step {5}0 .* val 4\.\d{3}$/m);
    expect(a.stdout).toMatch(/^GPT {3}step {5}3 .* train \d\.\d{3} {2}val \d\.\d{3}$/m);
    expect(a.stdout).toMatch(/^LSTM {2}step {5}4 /m);
    expect(a.stdout).toContain('to repeat this run exactly: npm run pretrain:gpt -- --steps 3 --seed 1337 --eval-every 3 --lstm-steps 4');
    const b = run();
    for (const file of ['gpt-shakespeare.safetensors', 'lstm-shakespeare.safetensors']) {
      const first = loadSafetensors(readFileSync(join(a.dir, file)));
      const second = loadSafetensors(readFileSync(join(b.dir, file)));
      expect(Object.keys(second)).toEqual(Object.keys(first));
      for (const [name, t] of Object.entries(first)) expect(Array.from(second[name]!.toTypedArray()), `${file}: ${name}`).toEqual(Array.from(t.toTypedArray()));
    }
    const meta = readSafetensorsHeader(readFileSync(join(a.dir, 'gpt-shakespeare.safetensors'))).metadata!;
    expect(JSON.parse(meta['curve']!).map((p: { step: number }) => p.step)).toEqual([0, 3]);
    expect(meta['steps']).toBe('3');
    expect(meta['seed']).toBe('1337');
    expect(JSON.parse(meta['config']!)).toEqual({ vocabSize: 65, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, activation: 'relu' });
  });

  it('the committed weights are at most 5 MB and load into the models their metadata names', () => {
    for (const [file, Model] of [['gpt-shakespeare.safetensors', models.GPT], ['lstm-shakespeare.safetensors', models.RecurrentLM]] as const) {
      const path = join(REPO, 'notebooks', 'data', file);
      expect(statSync(path).size).toBeLessThanOrEqual(5e6);
      const bytes = readFileSync(path);
      const meta = readSafetensorsHeader(bytes).metadata!;
      const model = new (Model as new (c: never) => InstanceType<typeof models.GPT>)(JSON.parse(meta['config']!) as never);
      const loaded = model.loadStateDict(loadSafetensors(bytes));
      expect(loaded.missingKeys).toEqual([]);
      expect(loaded.unexpectedKeys).toEqual([]);
      expect(meta['command']).toMatch(/^npm run pretrain:gpt -- --steps \d+ --seed \d+ --eval-every \d+ --lstm-steps \d+$/);
    }
  });
});
