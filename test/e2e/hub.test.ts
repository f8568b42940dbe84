/**
 * A class on JupyterHub: Debian's jupyterhub 3.0 runs jupyter-config/hub/jupyterhub_config.py
 * (the lecturer's config: seqlab's JupyterLab host per student, the seqlab kernel with one
 * engine thread, each student's working copy of the notebooks, culling) with only what needs
 * system accounts swapped for test stand-ins: DummyAuthenticator and SimpleLocalProcessSpawner
 * (homes in a temporary folder), on 127.0.0.1.
 *
 * Ten students log in at once (the login form, then an API token through the REST API with
 * their password), start their servers, open lecture 1 from their working copy with the seqlab
 * kernel, and run its first cells (the recurrence by hand, loading The Time Machine from data/)
 * in every kernel at the same time. Memory per student (server + kernel) idle and after the
 * cells, the hub's own, and the time from login to first result are printed and written to
 * test-results/hub.json (reported, not asserted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freePort } from '../../extension/host/src/server.js';
import { prepareHost, repoRoot } from './harness.js';
import { outputsText, ServerKernel, serverApi, type CellRun } from './server-kernel.js';

const STUDENTS = 10;
const PASSWORD = 'lecture-password';
const LECTURE = '01-recurrent-neural-networks.ipynb';
const resultsFile = join(repoRoot, 'test-results', 'hub.json');

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Memory of a process in KiB: resident set and proportional set (shared pages split among their users). */
interface Memory {
  rss: number;
  pss: number;
}

/** A student's processes: the single-user server (and anything else) and the seqlab kernels. */
interface StudentProcesses {
  server: number[];
  kernel: number[];
}

/** The processes a hub started (servers and their kernels), by student: they carry the hub's API URL. */
function processesOfHub(hubApiUrl: string): Map<string, StudentProcesses> {
  const byUser = new Map<string, StudentProcesses>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
    } catch {
      continue;
    }
    const vars = environ.split('\0');
    if (!vars.includes(`JUPYTERHUB_API_URL=${hubApiUrl}`)) continue;
    const user = vars.find((v) => v.startsWith('JUPYTERHUB_USER='))?.slice('JUPYTERHUB_USER='.length);
    if (!user) continue;
    const processes = byUser.get(user) ?? { server: [], kernel: [] };
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    (/seqlab\.js\0kernel\0/.test(cmdline) ? processes.kernel : processes.server).push(Number(entry));
    byUser.set(user, processes);
  }
  return byUser;
}

/** Memory of a student's server and kernel, and both. */
interface StudentMemory {
  server: Memory;
  kernel: Memory;
  total: Memory;
}

function studentMemory(processes: StudentProcesses | undefined): StudentMemory {
  const server = memoryOf(processes?.server ?? []);
  const kernel = memoryOf(processes?.kernel ?? []);
  return { server, kernel, total: { rss: server.rss + kernel.rss, pss: server.pss + kernel.pss } };
}

function memoryOf(pids: number[]): Memory {
  const total: Memory = { rss: 0, pss: 0 };
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total.rss += Number(rollup.match(/^Rss:\s+(\d+) kB/m)?.[1] ?? 0);
      total.pss += Number(rollup.match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

const mib = (kib: number): number => Math.round(kib / 1024);

interface Student {
  name: string;
  token: string;
  kernel: ServerKernel;
  loginToKernel: number;
  runs: CellRun[];
  loginToFirstResult: number;
}

describe('a class on JupyterHub', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-hub-'));
  let hub: ChildProcess | null = null;
  let log = '';
  let hubApiUrl = '';

  beforeAll(async () => {
    const hubCheck = spawn('/usr/bin/python3', ['-c', 'import jupyterhub'], { stdio: 'ignore' });
    const status = await new Promise<number | null>((resolve) => hubCheck.once('exit', resolve));
    if (status !== 0) {
      throw new Error("Debian's jupyterhub is missing: install it with: sudo bash scripts/system-deps.sh hub");
    }
    // The students' JupyterLab: the host frontend (built once per machine, shared with the other e2e tests).
    await prepareHost();
  }, 900_000);

  afterAll(async () => {
    if (hub?.pid && hub.exitCode === null && hub.signalCode === null) {
      // JupyterHub stops the proxy and every student's server (cleanup_servers) on SIGTERM.
      process.kill(hub.pid, 'SIGTERM');
      const deadline = Date.now() + 30_000;
      while (hub.exitCode === null && hub.signalCode === null && Date.now() < deadline) await delay(200);
    }
    for (const { server, kernel } of processesOfHub(hubApiUrl).values()) {
      for (const pid of [...server, ...kernel]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone.
        }
      }
    }
    if (hub?.pid) {
      try {
        process.kill(-hub.pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it(`logs in ${STUDENTS} students, starts their servers and seqlab kernels, and runs a lecture cell in every kernel at once`, async () => {
    const [port, hubPort, proxyApiPort] = [await freePort(), await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}/`;
    hubApiUrl = `http://127.0.0.1:${hubPort}/hub/api`;
    const config = join(dir, 'jupyterhub_config.py');
    writeFileSync(
      config,
      [
        '# The lecturer\'s config, with test stand-ins for what needs system accounts.',
        'c = get_config()',
        `load_subconfig(${JSON.stringify(join(repoRoot, 'jupyter-config', 'hub', 'jupyterhub_config.py'))})`,
        "c.JupyterHub.authenticator_class = 'dummy'",
        `c.DummyAuthenticator.password = ${JSON.stringify(PASSWORD)}`,
        'c.LocalAuthenticator.allowed_groups = set()',
        "c.JupyterHub.spawner_class = 'simple'",
        `c.SimpleLocalProcessSpawner.home_dir_template = ${JSON.stringify(join(dir, 'home', '{username}'))}`,
        `c.JupyterHub.bind_url = ${JSON.stringify(base)}`,
        `c.JupyterHub.hub_bind_url = ${JSON.stringify(`http://127.0.0.1:${hubPort}`)}`,
        `c.ConfigurableHTTPProxy.api_url = ${JSON.stringify(`http://127.0.0.1:${proxyApiPort}`)}`,
        // Ten servers start at once on a shared 2-core machine.
        'c.Spawner.start_timeout = 600',
        'c.Spawner.http_timeout = 600',
        // Jupyter Server refuses to run as root unless told (the test runner may be root).
        ...(process.getuid?.() === 0 ? ["c.Spawner.args = c.Spawner.args + ['--allow-root']"] : []),
        '',
      ].join('\n'),
    );
    hub = spawn('jupyterhub', ['-f', config], {
      cwd: dir,
      env: { ...process.env, SEQLAB_HUB_DIR: join(dir, 'state') },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    hub.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    hub.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const tail = (): string => log.split('\n').slice(-60).join('\n');
    for (const deadline = Date.now() + 120_000; ; ) {
      const up = await fetch(`${base}hub/api`).then((r) => r.ok, () => false);
      if (up) break;
      if (hub.exitCode !== null || Date.now() > deadline) throw new Error(`the hub did not come up:\n${tail()}`);
      await delay(300);
    }
    // The kernelspec the config installs: one engine thread per kernel.
    const spec = JSON.parse(readFileSync(join(dir, 'state', 'jupyter', 'share', 'jupyter', 'kernels', 'seqlab', 'kernel.json'), 'utf8')) as { env: Record<string, string> };
    expect(spec.env['SEQLAB_THREADS']).toBe('1');

    const lecture = JSON.parse(readFileSync(join(repoRoot, 'notebooks', LECTURE), 'utf8')) as { cells: Array<{ cell_type: string; source: string | string[] }> };
    const code = lecture.cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
    const byHand = code[0]!;
    const corpus = code.find((c) => c.includes('timemachine'));
    expect(corpus, `${LECTURE}: the cell that loads The Time Machine`).toBeDefined();

    // Every student at once: log in, take a token, start the server, open the lecture with the seqlab kernel.
    let idle: Map<string, StudentMemory> | null = null;
    let ready = 0;
    let allReady: () => void = () => undefined;
    const everyoneReady = new Promise<void>((resolve) => (allReady = resolve));
    const names = Array.from({ length: STUDENTS }, (_, i) => `student${String(i + 1).padStart(2, '0')}`);
    const students = await Promise.all(
      names.map(async (name): Promise<Student> => {
        const started = Date.now();
        const login = await fetch(`${base}hub/login`, {
          method: 'POST',
          body: new URLSearchParams({ username: name, password: PASSWORD }),
          redirect: 'manual',
        });
        expect(login.status, `${name}: login`).toBe(302);
        expect(login.headers.get('set-cookie') ?? '').toContain('jupyterhub-hub-login=');
        const hubApi = { baseUrl: base, token: '' };
        const tokenResponse = await fetch(`${base}hub/api/users/${name}/tokens`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ auth: { username: name, password: PASSWORD }, note: 'hub test' }),
        });
        expect(tokenResponse.status, `${name}: token`).toBe(201);
        hubApi.token = ((await tokenResponse.json()) as { token: string }).token;
        // A wrong password gets no token.
        if (name === names[0]) {
          const wrong = await fetch(`${base}hub/api/users/${name}/tokens`, { method: 'POST', body: JSON.stringify({ auth: { username: name, password: 'nope' } }) });
          expect(wrong.status).toBe(403);
        }
        const spawned = await serverApi(hubApi, `hub/api/users/${name}/server`, { method: 'POST', body: '{}' });
        expect([201, 202], `${name}: start server (${spawned.status})`).toContain(spawned.status);
        for (const deadline = Date.now() + 600_000; ; ) {
          const user = (await (await serverApi(hubApi, `hub/api/users/${name}`)).json()) as { servers?: Record<string, { ready: boolean }> };
          if (user.servers?.['']?.ready) break;
          if (Date.now() > deadline) throw new Error(`${name}'s server did not become ready:\n${tail()}`);
          await delay(500);
        }
        const server = { baseUrl: `${base}user/${name}/`, token: hubApi.token };
        // The working copy, made by the config's pre-spawn hook in the student's home.
        expect(existsSync(join(dir, 'home', name, 'seqlab-notebooks', LECTURE))).toBe(true);
        expect(existsSync(join(dir, 'home', name, 'seqlab-notebooks', 'data', 'timemachine.txt'))).toBe(true);
        const session = await serverApi(server, 'api/sessions', {
          method: 'POST',
          body: JSON.stringify({ path: `seqlab-notebooks/${LECTURE}`, name: LECTURE, type: 'notebook', kernel: { name: 'seqlab' } }),
        });
        expect(session.status, `${name}: session`).toBe(201);
        const kernelId = ((await session.json()) as { kernel: { id: string } }).kernel.id;
        const kernel = await ServerKernel.connect(server, kernelId, 600_000);
        const loginToKernel = (Date.now() - started) / 1000;

        // Wait for the whole class, measure idle memory once, then run the cells everywhere at once.
        ready += 1;
        if (ready === STUDENTS) allReady();
        await everyoneReady;
        idle ??= new Map([...processesOfHub(hubApiUrl)].map(([user, processes]) => [user, studentMemory(processes)]));
        const runs = [await kernel.execute(byHand)];
        const loginToFirstResult = (Date.now() - started) / 1000;
        runs.push(await kernel.execute(corpus!));
        return { name, token: hubApi.token, kernel, loginToKernel, runs, loginToFirstResult };
      }),
    );
    // Memory after the cells, once the kernels' background work after a first cell (the
    // language service warm-up) has started.
    await delay(3_000);
    const processes = processesOfHub(hubApiUrl);
    const after = new Map([...processes].map(([user, p]) => [user, studentMemory(p)]));

    // Every kernel computed the same, right thing.
    const reference = students[0]!.runs.map((r) => outputsText(r.outputs));
    expect(reference[0]).toMatch(/tensor\(\[\[/);
    expect(reference[1]).toMatch(/characters, vocabulary of \d+/);
    for (const student of students) {
      expect(student.runs.map((r) => r.status), student.name).toEqual(['ok', 'ok']);
      expect(student.runs.map((r) => outputsText(r.outputs)), student.name).toEqual(reference);
      // A server and a kernel per student.
      expect(processes.get(student.name)?.server.length, `${student.name}'s server`).toBeGreaterThanOrEqual(1);
      expect(processes.get(student.name)?.kernel.length, `${student.name}'s kernel`).toBe(1);
    }
    // The students' JupyterLab, through the proxy, with the hub's page config.
    const lab = await fetch(`${base}user/${names[0]}/lab`, { headers: { Authorization: `token ${students[0]!.token}` } });
    expect(lab.status).toBe(200);
    const page = await lab.text();
    expect(page).toContain('"hubUser": "student01"');
    expect(page).toContain('"hubPrefix": "/hub/"');
    // The seqlab extension, from the kernel prefix the config put on the students' JUPYTER_PATH.
    expect(page).toContain('@seqlab/jupyterlab');
    for (const student of students) student.kernel.close();

    // The numbers a lecturer needs, reported.
    const hubOwn = memoryOf([hub.pid!, ...readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${proxyApiPort}`);
      } catch {
        return false;
      }
    })]);
    const rows = students.map((s) => {
      const [before, later] = [idle!.get(s.name) ?? studentMemory(undefined), after.get(s.name) ?? studentMemory(undefined)];
      return {
        student: s.name,
        idleServerRssMiB: mib(before.server.rss),
        idleKernelRssMiB: mib(before.kernel.rss),
        idlePssMiB: mib(before.total.pss),
        afterServerRssMiB: mib(later.server.rss),
        afterKernelRssMiB: mib(later.kernel.rss),
        afterPssMiB: mib(later.total.pss),
        loginToKernelSeconds: s.loginToKernel,
        loginToFirstResultSeconds: s.loginToFirstResult,
      };
    });
    type Row = (typeof rows)[number];
    const sum = (key: keyof Row): number => rows.reduce((t, r) => t + Number(r[key]), 0);
    const mean = (key: keyof Row): number => Math.round((sum(key) / rows.length) * 10) / 10;
    const summary = {
      students: STUDENTS,
      cpus: readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0,
      perStudentMiB: {
        idle: { serverRss: mean('idleServerRssMiB'), kernelRss: mean('idleKernelRssMiB'), pss: mean('idlePssMiB') },
        afterCells: { serverRss: mean('afterServerRssMiB'), kernelRss: mean('afterKernelRssMiB'), pss: mean('afterPssMiB') },
      },
      totalMiB: { idlePss: sum('idlePssMiB'), afterCellsPss: sum('afterPssMiB'), hubAndProxyRss: mib(hubOwn.rss) },
      loginToKernelSeconds: { min: Math.min(...rows.map((r) => r.loginToKernelSeconds)), max: Math.max(...rows.map((r) => r.loginToKernelSeconds)) },
      loginToFirstResultSeconds: { min: Math.min(...rows.map((r) => r.loginToFirstResultSeconds)), max: Math.max(...rows.map((r) => r.loginToFirstResultSeconds)) },
      rows,
    };
    mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify({ at: new Date().toISOString(), ...summary }, null, 2)}\n`);
    const { idle: i, afterCells: a } = summary.perStudentMiB;
    console.log(
      [
        `JupyterHub, ${STUDENTS} students at once on ${summary.cpus} cores. Memory in MiB: RSS of the student's server and kernel, PSS of both (shared pages split):`,
        'student     idle server/kernel/PSS   after cells server/kernel/PSS   login->kernel s   login->first result s',
        ...rows.map(
          (r) =>
            `${r.student}   ${`${r.idleServerRssMiB}/${r.idleKernelRssMiB}/${r.idlePssMiB}`.padStart(22)}   ${`${r.afterServerRssMiB}/${r.afterKernelRssMiB}/${r.afterPssMiB}`.padStart(29)}   ${r.loginToKernelSeconds.toFixed(1).padStart(15)}   ${r.loginToFirstResultSeconds.toFixed(1).padStart(21)}`,
        ),
        `per student (mean): idle server ${i.serverRss} + kernel ${i.kernelRss} MiB RSS (${i.pss} PSS); after the cells server ${a.serverRss} + kernel ${a.kernelRss} MiB RSS (${a.pss} PSS)`,
        `total PSS: idle ${summary.totalMiB.idlePss} MiB, after the cells ${summary.totalMiB.afterCellsPss} MiB; hub + proxy ${summary.totalMiB.hubAndProxyRss} MiB RSS`,
        `login -> kernel ready ${summary.loginToKernelSeconds.min.toFixed(1)}-${summary.loginToKernelSeconds.max.toFixed(1)} s, -> first result ${summary.loginToFirstResultSeconds.min.toFixed(1)}-${summary.loginToFirstResultSeconds.max.toFixed(1)} s (written to ${resultsFile})`,
      ].join('\n'),
    );
  }, 1_200_000);
});
