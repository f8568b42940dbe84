/**
 * @seqlab/kernel: a Jupyter kernel for TypeScript with @seqlab/engine preloaded, the client
 * used by `seqlab run` and the tests, and the `seqlab` command.
 */
export { startKernel, kernelInfo, type KernelOptions, type RunningKernel } from './session/kernel.js';
export { Codec, WireError } from './wire/codec.js';
export { createMessage, PROTOCOL_VERSION, type Message, type Header, type Content } from './wire/message.js';
export { Dispatcher, type KernelIO, type Handler } from './dispatch/dispatcher.js';
export { createHandlers, type KernelServices, type TypecheckMode } from './dispatch/handlers.js';
export { Executor, type ExecutorHost, type ExecuteArgs, type ExecuteOutcome } from './executor/executor.js';
export { toBundle, DISPLAY_SYMBOL, type MimeBundle } from './display/bundle.js';
export { KERNEL_VERSION } from './version.js';
