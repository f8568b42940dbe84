/**
 * A ready Web Worker entry: starts the browser execution worker with the default loaders
 * (`import('@seqlab/engine')`, `import('typescript')`). Bundle this file as the worker, or
 * write an entry of your own that calls {@link startBrowserWorker} with other loaders.
 */
import { startBrowserWorker } from './worker.js';

startBrowserWorker();
