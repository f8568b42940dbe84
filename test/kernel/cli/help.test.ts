/** `seqlab --help` lists every command with what it does; every command answers --help. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { SEQLAB_BIN } from '../helpers.js';

const seqlab = (args: string[]) => spawnSync(process.execPath, [SEQLAB_BIN, ...args], { encoding: 'utf8' });
const COMMANDS = ['install', 'uninstall', 'kernel', 'run', 'export'];

describe('seqlab --help', () => {
  it('lists every command with a one-line description', () => {
    const r = seqlab(['--help']);
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S.+$`, 'm'));
  });

  it('answers --help and -h for every command, exit 0, with its usage', () => {
    for (const c of COMMANDS) {
      for (const flag of ['--help', '-h']) {
        const r = seqlab([c, flag]);
        expect(r.status, `${c} ${flag}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^Usage: seqlab ${c}\\b`));
      }
    }
    const run = seqlab(['run', '--help']).stdout;
    for (const option of ['--out', '--inplace', '--timeout', '--allow-errors', '--kernel', 'raises-exception']) expect(run).toContain(option);
  });
});
