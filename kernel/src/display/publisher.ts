/**
 * The one outlet through which code in the execution realm sends output: the executor's
 * `publish` callback. Display helpers, streams, comms and the progress bar all use it.
 */

/** IOPub message types the execution side may publish. */
export type OutputType =
  | 'stream'
  | 'display_data'
  | 'update_display_data'
  | 'execute_result'
  | 'error'
  | 'clear_output'
  | 'comm_open'
  | 'comm_msg'
  | 'comm_close';

/** Sends one IOPub message (the session adds header and parent). */
export type Publish = (msgType: OutputType, content: Record<string, unknown>, metadata?: Record<string, unknown>, buffers?: ArrayBuffer[]) => void;
