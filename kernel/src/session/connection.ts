/**
 * The connection file Jupyter writes for a kernel: transport, ip, the five ports and the key.
 */
import { readFileSync } from 'node:fs';

/** Contents of a Jupyter connection file. */
export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

/** The five channels. */
export type ChannelName = 'shell' | 'control' | 'iopub' | 'stdin' | 'hb';

/**
 * Reads and checks a connection file.
 *
 * @throws Error naming the file and the missing or malformed field.
 */
export function readConnectionFile(path: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read connection file ${path}: ${(e as Error).message}`);
  }
  const info = raw as Record<string, unknown>;
  for (const port of ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port']) {
    if (typeof info[port] !== 'number') throw new Error(`connection file ${path}: "${port}" must be a number`);
  }
  const transport = (info['transport'] ?? 'tcp') as string;
  if (transport !== 'tcp' && transport !== 'ipc') throw new Error(`connection file ${path}: unsupported transport "${transport}"`);
  return {
    transport,
    ip: typeof info['ip'] === 'string' ? info['ip'] : '127.0.0.1',
    shell_port: info['shell_port'] as number,
    iopub_port: info['iopub_port'] as number,
    stdin_port: info['stdin_port'] as number,
    control_port: info['control_port'] as number,
    hb_port: info['hb_port'] as number,
    key: typeof info['key'] === 'string' ? info['key'] : '',
    signature_scheme: typeof info['signature_scheme'] === 'string' ? info['signature_scheme'] : 'hmac-sha256',
    ...(typeof info['kernel_name'] === 'string' ? { kernel_name: info['kernel_name'] } : {}),
  };
}

/** The ZeroMQ endpoint of a channel, e.g. `tcp://127.0.0.1:53412` or `ipc://kernel-ipc-1`. */
export function endpoint(info: ConnectionInfo, channel: ChannelName): string {
  const port = info[`${channel}_port` as const];
  return info.transport === 'tcp' ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}
