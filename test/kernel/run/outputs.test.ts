/** IOPub messages -> nbformat outputs. */
import { describe, expect, it } from 'vitest';
import { OutputRecorder } from '../../../kernel/dist/run/outputs.js';

const msg = (msg_type: string, content: Record<string, unknown>) => ({ header: { msg_type }, content }) as never;

describe('OutputRecorder', () => {
  it('merges streams, applies updates by display id, honours clear_output(wait)', () => {
    const r = new OutputRecorder();
    r.add(msg('stream', { name: 'stdout', text: 'a' }));
    r.add(msg('stream', { name: 'stdout', text: 'b\n' }));
    r.add(msg('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'p' } }));
    r.add(msg('update_display_data', { data: { 'text/plain': 'v2' }, metadata: {}, transient: { display_id: 'p' } }));
    expect(r.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'ab\n' },
      { output_type: 'display_data', data: { 'text/plain': 'v2' }, metadata: {} },
    ]);
    r.add(msg('clear_output', { wait: true }));
    expect(r.outputs).toHaveLength(2);
    r.add(msg('execute_result', { execution_count: 3, data: { 'text/plain': '1' }, metadata: {} }));
    expect(r.outputs).toEqual([{ output_type: 'execute_result', execution_count: 3, data: { 'text/plain': '1' }, metadata: {} }]);
    r.add(msg('clear_output', { wait: false }));
    expect(r.outputs).toEqual([]);
  });
});
