#!/usr/bin/env node
// Regenerates the README's screenshots (docs/images/*.png) from the lecture notebooks:
// executes the notebooks that hold the views with `seqlab run`, exports them with
// `seqlab export`, opens the pages in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and photographs one output of each view. Run after `npm run build`:
//
//   node scripts/readme-screenshots.mjs
//
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seqlab = join(root, 'kernel', 'bin', 'seqlab.js');
const out = join(root, 'docs', 'images');

/**
 * What to photograph: the n-th output of `mime` in `notebook` (0-based), optionally on the last
 * layer of a multi-layer attention view and hovering a token.
 */
const SHOTS = [
  { file: 'gates.png', notebook: '03-lstm-and-gru', mime: 'application/vnd.seqlab.gates.v1+json', index: 0 },
  { file: 'hidden-states.png', notebook: '01-recurrent-neural-networks', mime: 'application/vnd.seqlab.hidden-states.v1+json', index: 0 },
  { file: 'attention.png', notebook: '08-self-attention', mime: 'application/vnd.seqlab.attention.v1+json', index: 1, lastLayer: true, hover: 'it' },
  { file: 'plot.png', notebook: '02-backpropagation-through-time', mime: 'application/vnd.plotly.v1+json', index: 2 },
];

function run(args, cwd) {
  const r = spawnSync(process.execPath, [seqlab, ...args], { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`seqlab ${args.join(' ')} failed with status ${r.status}`);
}

const work = mkdtempSync(join(tmpdir(), 'seqlab-shots-'));
try {
  const notebooks = [...new Set(SHOTS.map((s) => `${s.notebook}.ipynb`))];
  run(['run', ...notebooks, '--out', join(work, 'executed')], join(root, 'notebooks'));
  run(['export', ...notebooks.map((n) => join(work, 'executed', n)), '--out', join(work, 'site')], work);
  mkdirSync(out, { recursive: true });
  const context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1000, height: 900 },
    deviceScaleFactor: 1,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  for (const shot of SHOTS) {
    await page.goto(`file://${join(work, 'site', `${shot.notebook}.html`)}`);
    // The execution counts float beside the outputs: not part of the view.
    await page.addStyleTag({ content: '.prompt { display: none !important; }' });
    await page.waitForFunction(() => [...document.querySelectorAll('.seqlab-output')].every((c) => c.querySelector('.seqlab-view')), null, { timeout: 60_000 });
    const output = page.locator(`.seqlab-output[data-mime-type="${shot.mime}"]`).nth(shot.index);
    await output.scrollIntoViewIfNeeded();
    if (shot.lastLayer) {
      const layer = output.locator('select').first();
      const options = await layer.locator('option').allTextContents();
      await layer.selectOption({ label: options[options.length - 1] });
    }
    if (shot.hover) await output.getByText(shot.hover, { exact: true }).first().hover();
    await page.waitForTimeout(800); // let plotly finish its transitions
    await output.screenshot({ path: join(out, shot.file) });
    console.log(`wrote docs/images/${shot.file}`);
  }
  await context.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
