/**
 * Synchronous `input()` over shared memory: the execution side posts an `input_request`
 * message, then blocks in `Atomics.wait` on the control array's stdin slot until the session
 * side has written the UTF-8 answer into the stdin buffer (layout in interrupt.ts). Works in
 * Node worker threads and in browsers' Web Workers of cross-origin-isolated pages.
 */
import { INTERRUPT_COUNT, KeyboardInterrupt, STDIN_LENGTH, STDIN_STATE, StdinState } from './interrupt.js';
import { utf8 } from './util.js';

/**
 * Returns the `requestInput` of a runtime host: blocks until the answer arrives.
 *
 * @param post sends the `input_request` message to the session side
 * @throws KeyboardInterrupt when interrupted while waiting; Error with the session's reason when refused
 */
export function sharedMemoryInput(control: Int32Array, stdin: Uint8Array, post: (prompt: string, password: boolean) => void): (prompt: string, password: boolean) => string {
  return (prompt, password) => {
    const before = Atomics.load(control, INTERRUPT_COUNT);
    Atomics.store(control, STDIN_STATE, StdinState.WAITING);
    post(prompt, password);
    try {
      for (;;) {
        Atomics.wait(control, STDIN_STATE, StdinState.WAITING, 250);
        const state = Atomics.load(control, STDIN_STATE);
        if (state === StdinState.READY) return utf8(stdin.slice(0, Atomics.load(control, STDIN_LENGTH)));
        if (state === StdinState.INTERRUPTED || Atomics.load(control, INTERRUPT_COUNT) !== before) throw new KeyboardInterrupt('interrupted while waiting for input');
        if (state === StdinState.REFUSED) throw new Error(utf8(stdin.slice(0, Atomics.load(control, STDIN_LENGTH))));
      }
    } finally {
      Atomics.store(control, STDIN_STATE, StdinState.IDLE);
    }
  };
}
