#!/usr/bin/env node
// Proves the README's first command on this machine: runs `npm start` exactly as a newcomer
// does (no options: it installs the Debian packages it needs where it can, builds, serves the
// working copy of the lecture notebooks), opens a lecture notebook through the server, starts
// a seqlab kernel on it and runs a cell over the kernel's websocket (as JupyterLab does), then
// presses Ctrl-C and checks that everything stopped and the repository's notebooks/ is as
// committed. .ci/run runs it after `npm ci`.
//
//   node scripts/check-start.mjs [--timeout SECONDS]     (default 1800: the first start builds everything)
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import WebSocket from 'ws';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { timeout: { type: 'string', default: '1800' } } });
const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const lecture = readdirSync(join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb') && !f.endsWith('.executed.ipynb')).sort()[0];
const gitStatus = () => execFileSync('git', ['status', '--porcelain', '--untracked-files=all', 'notebooks'], { cwd: root, encoding: 'utf8' });

function fail(message, output) {
  process.stderr.write(`check-start: ${message}\n--- npm start said:\n${output}\n`);
  process.exit(1);
}

/** Runs `code` in a kernel over the server's websocket; resolves with the result's text/plain. */
function runCell(url, token, kernelId, code) {
  const ws = new URL(`api/kernels/${kernelId}/channels`, url);
  ws.protocol = 'ws:';
  const socket = new WebSocket(ws, { headers: { Authorization: `token ${token}` } });
  const msgId = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from the seqlab kernel within 120 s')), 120_000);
    let result = null;
    let replied = false;
    let idle = false;
    socket.on('error', (error) => reject(new Error(`kernel websocket: ${error.message}`)));
    socket.on('open', () => {
      const header = { msg_id: msgId, msg_type: 'execute_request', username: 'check-start', session: randomUUID(), date: new Date().toISOString(), version: '5.3' };
      socket.send(JSON.stringify({ header, parent_header: {}, metadata: {}, channel: 'shell', buffers: [], content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true } }));
    });
    socket.on('message', (data, binary) => {
      if (binary) return;
      const message = JSON.parse(data.toString());
      if (message.parent_header?.msg_id !== msgId) return;
      const type = message.header.msg_type;
      if (type === 'execute_result') result = message.content.data['text/plain'];
      if (type === 'error') result = `${message.content.ename}: ${message.content.evalue}`;
      if (type === 'execute_reply') replied = true;
      if (type === 'status' && message.content.execution_state === 'idle') idle = true;
      // The reply (shell) and the outputs (iopub) may come in either order; idle ends the outputs.
      if (replied && idle) {
        clearTimeout(timer);
        socket.close();
        resolve(result);
      }
    });
  });
}

const before = gitStatus();
const started = Date.now();
let output = '';
// detached: npm start and its server in a process group of their own, like a terminal's foreground job.
const child = spawn('npm', ['start'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
child.stdout.on('data', (c) => {
  output += c;
  process.stdout.write(c);
});
child.stderr.on('data', (c) => {
  output += c;
  process.stderr.write(c);
});
const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));

let url;
try {
  for (const deadline = Date.now() + Number(values.timeout) * 1000; ; ) {
    url = output.match(/http:\/\/127\.0\.0\.1:\d+\/lab\?token=[0-9a-f]+/)?.[0];
    if (url) break;
    if (child.exitCode !== null) fail(`npm start exited (${child.exitCode}) before serving`, output);
    if (Date.now() > deadline) fail(`npm start did not print its URL within ${values.timeout} s`, output);
    await delay(500);
  }
  const token = new URL(url).searchParams.get('token');
  const api = (path, init = {}) =>
    fetch(new URL(path, url), { ...init, headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' } });

  const page = await fetch(new URL(`lab/tree/${lecture}?token=${token}`, url));
  if (page.status !== 200 || !(await page.text()).includes('jupyter-config-data')) fail(`GET /lab/tree/${lecture}: ${page.status}`, output);
  const nb = await api(`api/contents/${lecture}?type=notebook&content=1`);
  const model = nb.ok ? await nb.json() : null;
  if (!model?.content?.cells?.length) fail(`GET /api/contents/${lecture}: ${nb.status}, no cells`, output);
  const session = await api('api/sessions', { method: 'POST', body: JSON.stringify({ path: lecture, name: lecture, type: 'notebook', kernel: { name: 'seqlab' } }) });
  if (session.status !== 201) fail(`starting a seqlab kernel on ${lecture}: ${session.status} ${await session.text()}`, output);
  const kernelId = (await session.json()).kernel.id;
  const said = await runCell(url, token, kernelId, 'const answer: number = 6 * 7;\nanswer').catch((error) => fail(String(error), output));
  if (said !== '42') fail(`the seqlab kernel answered ${JSON.stringify(said)} instead of 42`, output);
  const ready = (Date.now() - started) / 1000;

  // Ctrl-C, as a terminal sends it: to the whole foreground process group.
  process.kill(-child.pid, 'SIGINT');
  const result = await Promise.race([exited, delay(60_000).then(() => null)]);
  if (!result) fail('npm start did not stop within 60 s of Ctrl-C', output);
  if (!output.includes('seqlab: stopped.')) fail('npm start did not say it stopped', output);
  const after = gitStatus();
  if (after !== before) fail(`running npm start changed notebooks/:\n${after}`, output);
  process.stdout.write(`check-start: npm start served ${lecture} and ran a cell in a seqlab kernel ${ready.toFixed(1)} s after it was run, stopped on Ctrl-C, and left notebooks/ as committed\n`);
} finally {
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}
