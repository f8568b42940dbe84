/**
 * Entry of the language worker: a thread of its own for the TypeScript language service, so
 * that building the type checker (seconds, once) never holds up cells or the session.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LanguageService } from './service.js';
import type { LanguageRequest, LanguageResponse } from './protocol.js';

const port = parentPort!;
const service = new LanguageService(workerData as { notebookDir: string; engine?: boolean });

port.on('message', (m: LanguageRequest) => {
  let res: LanguageResponse;
  try {
    switch (m.op) {
      case 'cell':
        service.cellExecuted(m.code);
        return;
      case 'reset':
        service.reset();
        return;
      case 'complete':
        res = { id: m.id, result: service.complete(m.code, m.cursor) };
        break;
      case 'inspect':
        res = { id: m.id, result: service.inspect(m.code, m.cursor, m.detailLevel) };
        break;
      case 'check':
        res = { id: m.id, result: service.check(m.code) };
        break;
    }
  } catch (e) {
    res = { id: 'id' in m ? m.id : -1, error: (e as Error).stack ?? String(e) };
  }
  port.postMessage(res);
  setImmediate(() => service.storeCache());
});
