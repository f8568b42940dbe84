/**
 * The execution worker's side of the protocol (protocol.ts), shared by the Node worker and
 * the browser worker: every request gets exactly one reply, whatever user code does.
 */
import type { CellRuntime } from './runtime.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { errorContent } from './stack.js';

/** Options of {@link serveRuntime}. */
export interface ServeOptions {
  /** Called after each execute_reply was posted (the Node host stores TypeScript's code cache). */
  afterExecute?: () => void;
}

/** Returns the handler for messages from the session side. */
export function serveRuntime(runtime: CellRuntime, post: (m: FromWorker) => void, options: ServeOptions = {}): (m: ToWorker) => void {
  return (m) => {
    switch (m.type) {
      case 'execute':
        runtime
          .execute(m.args)
          .catch((e: unknown) => {
            // execute never rejects by contract; if it did, the session must still get a reply.
            const content = errorContent(e);
            return { status: 'error' as const, ...content, userExpressions: {} };
          })
          .then((outcome) => {
            post({ type: 'execute_reply', id: m.id, outcome });
            options.afterExecute?.();
          });
        break;
      case 'is_complete':
        runtime.isComplete(m.code).then(
          (result) => post({ type: 'is_complete_reply', id: m.id, result }),
          () => post({ type: 'is_complete_reply', id: m.id, result: { status: 'unknown' } }),
        );
        break;
      case 'complete':
        runtime.complete(m.code, m.cursor).then(
          (result) => post({ type: 'complete_reply', id: m.id, result }),
          () => post({ type: 'complete_reply', id: m.id, result: { matches: [], cursorStart: m.cursor, cursorEnd: m.cursor, types: [] } }),
        );
        break;
      case 'comm': {
        const meta = { metadata: m.metadata, buffers: m.buffers };
        try {
          if (m.action === 'open') {
            if (!runtime.comms.handleOpen(m.content, meta)) post({ type: 'log', text: `comm_open for unknown target "${String(m.content['target_name'])}": closed` });
          } else if (m.action === 'msg') runtime.comms.handleMsg(m.content, meta);
          else runtime.comms.handleClose(m.content, meta);
        } catch (e) {
          runtime.backgroundError(e, 'uncaught exception');
        }
        runtime.streams.flush();
        post({ type: 'comm_done', id: m.id });
        break;
      }
      case 'interrupt':
        runtime.interrupted();
        break;
    }
  };
}
