/** Index of the interrupt counter in the shared control array. */
export const INTERRUPT_COUNT = 0;
/** Index of the stdin state: 0 idle, 1 waiting, 2 reply ready, 3 interrupted, 4 refused. */
export const STDIN_STATE = 1;
/** Index of the byte length of the stdin reply in the shared text buffer. */
export const STDIN_LENGTH = 2;
/**
 * Index of the "interrupt pending" flag: set by the session with every interrupt, cleared
 * when a cell starts. Compiled loops test only this slot (one load of a constant global and
 * one element load), so the check stays cheap in hot loops.
 */
export const INTERRUPT_FLAG = 3;
/** Length of the shared control array. */
export const CONTROL_SLOTS = 4;

