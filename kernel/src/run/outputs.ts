/**
 * IOPub messages -> nbformat 4 outputs, as a notebook client records them: streams of the
 * same name merge, update_display_data replaces every output with its display_id,
 * clear_output (with `wait`, at the next output) empties the list.
 */
import type { Message } from '../wire/message.js';

/** One nbformat 4 output. */
export type NotebookOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; execution_count: number | null; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/** Collects the outputs of one cell from its IOPub messages. */
export class OutputRecorder {
  readonly outputs: NotebookOutput[] = [];
  private readonly byDisplayId = new Map<string, NotebookOutput[]>();
  private clearPending = false;

  private push(o: NotebookOutput, displayId?: string): void {
    if (this.clearPending) this.clear();
    const last = this.outputs.at(-1);
    if (o.output_type === 'stream' && last?.output_type === 'stream' && last.name === o.name) {
      last.text += o.text;
      return;
    }
    this.outputs.push(o);
    if (displayId !== undefined) {
      const list = this.byDisplayId.get(displayId) ?? [];
      list.push(o);
      this.byDisplayId.set(displayId, list);
    }
  }

  private clear(): void {
    this.outputs.length = 0;
    this.clearPending = false;
  }

  /** Takes one IOPub message of the cell. */
  add(msg: Message): void {
    const c = msg.content as Record<string, any>;
    const displayId: string | undefined = c['transient']?.['display_id'];
    switch (msg.header.msg_type) {
      case 'stream':
        this.push({ output_type: 'stream', name: c['name'] === 'stderr' ? 'stderr' : 'stdout', text: String(c['text'] ?? '') });
        break;
      case 'display_data':
        this.push({ output_type: 'display_data', data: c['data'] ?? {}, metadata: c['metadata'] ?? {} }, displayId);
        break;
      case 'update_display_data':
        for (const o of displayId !== undefined ? this.byDisplayId.get(displayId) ?? [] : []) {
          if (o.output_type === 'display_data' || o.output_type === 'execute_result') {
            o.data = c['data'] ?? {};
            o.metadata = c['metadata'] ?? {};
          }
        }
        break;
      case 'execute_result':
        this.push({ output_type: 'execute_result', execution_count: c['execution_count'] ?? null, data: c['data'] ?? {}, metadata: c['metadata'] ?? {} }, displayId);
        break;
      case 'error':
        this.push({ output_type: 'error', ename: String(c['ename'] ?? ''), evalue: String(c['evalue'] ?? ''), traceback: (c['traceback'] as string[]) ?? [] });
        break;
      case 'clear_output':
        if (c['wait']) this.clearPending = true;
        else this.clear();
        break;
    }
  }
}
