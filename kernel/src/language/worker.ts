/**
 * Entry of the language worker: a thread of its own for the TypeScript language service, so
 * that building the type checker (seconds, once) never holds up cells or the session.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LanguageService } from './service.js';
import type { LanguageRequest, LanguageResponse } from './protocol.js';
import { MemoryKeeper } from '../executor/memory.js';

const port = parentPort!;
const service = new LanguageService(workerData as { notebookDir: string; engine?: boolean });
// Building the program leaves much garbage behind: give it back once the thread is idle.
const memory = new MemoryKeeper();

port.on('message', (m: LanguageRequest) => {
  // A request postpones a pending collection; recording a cell (cheap, after every execute) does not.
  if ('id' in m) memory.cancel();
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
  memory.afterWork();
});
