/**
 * A Jupyter client over a Jupyter server's REST API and kernel websocket
 * (`/api/kernels/ID/channels`), as JupyterLab talks to the server: for tests that run cells
 * through a started server (`npm start`) or through JupyterHub's proxy to a student's
 * server. Outputs are collected as nbformat outputs, so a test can save them into a notebook.
 */
import { randomUUID } from 'node:crypto';

import WebSocket from 'ws';

/** An nbformat 4 output. */
export type NbOutput = Record<string, unknown> & { output_type: string };

/** What one executed cell gave. */
export interface CellRun {
  status: string;
  executionCount: number | null;
  outputs: NbOutput[];
}

/** Where a Jupyter server is and how to authenticate to it. */
export interface ServerAddress {
  /** Base URL of the server, ending in `/` (a hub user's server: `http://hub/user/NAME/`). */
  baseUrl: string;
  /** An API token the server accepts (`Authorization: token ...`). */
  token: string;
}

/** A REST call to the server, with the token. */
export function serverApi(server: ServerAddress, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `token ${server.token}`);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  return fetch(new URL(path, server.baseUrl), { ...init, headers });
}

/** Text of a stream output or of `text/plain`, for assertions. */
export function outputsText(outputs: NbOutput[]): string {
  return outputs
    .map((o) => {
      const text = o['output_type'] === 'stream' ? o['text'] : o['output_type'] === 'error' ? `${String(o['ename'])}: ${String(o['evalue'])}` : (o['data'] as Record<string, unknown> | undefined)?.['text/plain'];
      return Array.isArray(text) ? text.join('') : String(text ?? '');
    })
    .join('');
}

interface Message {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  content: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  channel: string;
}

/** A kernel of a Jupyter server, reached over its websocket. */
export class ServerKernel {
  private readonly session = randomUUID();
  private readonly pending = new Map<string, (message: Message) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      // Messages with buffers come as binary frames; the cells run here send none.
      if (isBinary) return;
      const message = JSON.parse(data.toString()) as Message;
      const parent = message.parent_header?.msg_id;
      if (parent) this.pending.get(parent)?.(message);
    });
  }

  /**
   * Connects to kernel `kernelId` of the server.
   *
   * @example
   * const kernel = await ServerKernel.connect(server, id);
   * const run = await kernel.execute('1 + 1');   // run.outputs[0].data['text/plain'] === '2'
   */
  static async connect(server: ServerAddress, kernelId: string, timeoutMs = 60_000): Promise<ServerKernel> {
    const url = new URL(`api/kernels/${kernelId}/channels`, server.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, { headers: { Authorization: `token ${server.token}` } });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no websocket to ${url.pathname} within ${timeoutMs} ms`)), timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`websocket to ${url.pathname}: ${error.message}`));
      });
      socket.once('unexpected-response', (_request, response) => {
        clearTimeout(timer);
        reject(new Error(`websocket to ${url.pathname}: HTTP ${response.statusCode}`));
      });
    });
    const kernel = new ServerKernel(socket);
    // The first request also waits for the kernel to be up.
    await kernel.request('kernel_info_request', {}, timeoutMs);
    return kernel;
  }

  private request(msgType: string, content: Record<string, unknown>, timeoutMs: number, onMessage?: (message: Message) => boolean): Promise<Message> {
    const msgId = randomUUID();
    return new Promise<Message>((resolve, reject) => {
      let reply: Message | null = null;
      let idle = false;
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error(`${msgType}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = (): void => {
        if (reply && idle) {
          clearTimeout(timer);
          this.pending.delete(msgId);
          resolve(reply);
        }
      };
      this.pending.set(msgId, (message) => {
        if (message.channel === 'shell' && message.header.msg_type.endsWith('_reply')) {
          reply = message;
        } else if (message.channel === 'iopub' && message.header.msg_type === 'status' && message.content['execution_state'] === 'idle') {
          idle = true;
        } else if (message.channel === 'iopub') {
          onMessage?.(message);
        }
        finish();
      });
      const header = { msg_id: msgId, msg_type: msgType, username: 'test', session: this.session, date: new Date().toISOString(), version: '5.3' };
      this.socket.send(JSON.stringify({ header, parent_header: {}, metadata: {}, content, channel: 'shell', buffers: [] }));
    });
  }

  /** Runs `code` and collects its outputs as nbformat outputs (`update_display_data` applied). */
  async execute(code: string, timeoutMs = 600_000): Promise<CellRun> {
    const outputs: NbOutput[] = [];
    const displays = new Map<string, NbOutput[]>();
    const reply = await this.request('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, timeoutMs, (message) => {
      const c = message.content;
      const type = message.header.msg_type;
      const transient = c['transient'] as { display_id?: string } | undefined;
      if (type === 'stream') {
        const last = outputs[outputs.length - 1];
        if (last?.['output_type'] === 'stream' && last['name'] === c['name']) last['text'] = String(last['text']) + String(c['text']);
        else outputs.push({ output_type: 'stream', name: c['name'], text: c['text'] });
      } else if (type === 'display_data' || type === 'execute_result') {
        const output: NbOutput = { output_type: type, data: c['data'], metadata: c['metadata'] ?? {}, ...(type === 'execute_result' ? { execution_count: c['execution_count'] } : {}) };
        outputs.push(output);
        if (transient?.display_id) displays.set(transient.display_id, [...(displays.get(transient.display_id) ?? []), output]);
      } else if (type === 'update_display_data' && transient?.display_id) {
        for (const output of displays.get(transient.display_id) ?? []) {
          output['data'] = c['data'];
          output['metadata'] = c['metadata'] ?? {};
        }
      } else if (type === 'error') {
        outputs.push({ output_type: 'error', ename: c['ename'], evalue: c['evalue'], traceback: c['traceback'] });
      } else if (type === 'clear_output') {
        outputs.length = 0;
      }
      return true;
    });
    const count = reply.content['execution_count'];
    return { status: String(reply.content['status']), executionCount: typeof count === 'number' ? count : null, outputs };
  }

  /** Closes the websocket (the kernel keeps running on the server). */
  close(): void {
    this.socket.close();
  }
}
