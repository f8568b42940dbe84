/**
 * Starting a kernel process the way Jupyter does: pick five free ports, write a connection
 * file with a fresh key, run the kernel's argv with `{connection_file}` filled in, connect a
 * {@link KernelClient}. Also restart (shutdown_request with restart, then a new process on
 * the same connection file) and interrupt in both modes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelClient } from './client.js';
import type { ConnectionInfo } from '../session/connection.js';

/** The seqlab kernel's argv (as kernel.json has it). */
export function seqlabArgv(): string[] {
  const bin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'seqlab.js');
  return [process.execPath, bin, 'kernel', '--connection-file', '{connection_file}'];
}

async function freePort(ip: string): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, ip, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Options of {@link launchKernel}. */
export interface LaunchOptions {
  /** Command with `{connection_file}` placeholder (default: the seqlab kernel). */
  argv?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How {@link LaunchedKernel.interrupt} interrupts by default. */
  interruptMode?: 'signal' | 'message';
  /** Milliseconds to wait for the first kernel_info_reply (default 60 s). */
  readyTimeout?: number;
}

/** A kernel process with a connected client. */
export interface LaunchedKernel {
  client: KernelClient;
  info: ConnectionInfo;
  connectionFile: string;
  readonly process: ChildProcess;
  /** What the kernel wrote to stderr so far. */
  stderr(): string;
  /** Interrupts the kernel (SIGINT, or interrupt_request on control). */
  interrupt(mode?: 'signal' | 'message'): Promise<void>;
  /** Restarts the kernel process on the same connection file (as jupyter_client does). */
  restart(): Promise<void>;
  /** Sends shutdown_request and waits for the process to exit (killing it after `graceMs`). */
  shutdown(graceMs?: number): Promise<void>;
  /** Kills the process (SIGKILL, which also ends a stopped one) and cleans up, as {@link shutdown} does. */
  kill(): Promise<void>;
  /**
   * Resolves when the current kernel process exits, for whatever reason: how a client learns
   * at once that the kernel died under a running cell.
   */
  exited(): Promise<KernelExit>;
}

/** How a kernel process ended. */
export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Connection info with five free ports on 127.0.0.1 and a fresh key. */
export async function newConnectionInfo(): Promise<ConnectionInfo> {
  const ip = '127.0.0.1';
  const ports: number[] = [];
  while (ports.length < 5) {
    const p = await freePort(ip);
    if (!ports.includes(p)) ports.push(p);
  }
  const info: ConnectionInfo = {
    transport: 'tcp',
    ip,
    shell_port: ports[0]!,
    iopub_port: ports[1]!,
    stdin_port: ports[2]!,
    control_port: ports[3]!,
    hb_port: ports[4]!,
    key: randomUUID(),
    signature_scheme: 'hmac-sha256',
    kernel_name: 'seqlab',
  };
  return info;
}

/** Starts a kernel and connects to it; see the module comment. */
export async function launchKernel(options: LaunchOptions = {}): Promise<LaunchedKernel> {
  const info = await newConnectionInfo();
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-kernel-'));
  const connectionFile = join(dir, 'connection.json');
  writeFileSync(connectionFile, JSON.stringify(info, null, 2));
  const argv = (options.argv ?? seqlabArgv()).map((a) => a.replace('{connection_file}', connectionFile));
  let stderr = '';
  const start = (): ChildProcess => {
    // JPY_PARENT_PID: the kernel exits when this process dies (as with jupyter_client).
    const env = { ...(options.env ?? process.env), JPY_PARENT_PID: String(process.pid) };
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd ?? process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return child;
  };
  let child = start();
  const exited = (p: ChildProcess): Promise<KernelExit> =>
    new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r({ code: p.exitCode, signal: p.signalCode }) : p.once('exit', (code, signal) => r({ code, signal }))));
  const client = new KernelClient(info);
  const failed = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`kernel exited before it was ready (code ${code}, signal ${signal}):\n${stderr}`))),
  );
  failed.catch(() => {});
  try {
    await Promise.race([client.waitReady(options.readyTimeout ?? 60_000), failed]);
  } catch (e) {
    client.close();
    child.kill('SIGKILL');
    throw e;
  }
  const kernel: LaunchedKernel = {
    client,
    info,
    connectionFile,
    get process() {
      return child;
    },
    stderr: () => stderr,
    async interrupt(mode = options.interruptMode ?? 'message') {
      if (mode === 'signal') child.kill('SIGINT');
      else await client.request('control', 'interrupt_request', {}, { timeout: 10_000 });
    },
    async restart() {
      const old = child;
      await client.request('control', 'shutdown_request', { restart: true }, { timeout: 10_000 }).catch(() => undefined);
      const timer = setTimeout(() => old.kill('SIGKILL'), 10_000);
      await exited(old);
      clearTimeout(timer);
      child = start();
      await client.waitReady(options.readyTimeout ?? 60_000);
    },
    async shutdown(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        await client.request('control', 'shutdown_request', { restart: false }, { timeout: graceMs }).catch(() => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited(child);
        clearTimeout(timer);
      }
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
    exited: () => exited(child),
  };
  return kernel;
}
