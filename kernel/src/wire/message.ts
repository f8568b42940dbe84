/**
 * Jupyter messages as the kernel sees them (wire protocol 5.3+), independent of ZeroMQ.
 */
import { randomUUID } from 'node:crypto';

/** Protocol version this kernel speaks. */
export const PROTOCOL_VERSION = '5.3';

/** A message header, as in the Jupyter messaging spec. */
export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [extra: string]: unknown;
}

/** Content of a message: a JSON object whose shape depends on `msg_type`. */
export type Content = Record<string, unknown>;

/**
 * One decoded Jupyter message.
 *
 * `identities` are the ZeroMQ routing frames that precede the `<IDS|MSG>` delimiter;
 * replies on ROUTER sockets are addressed with the request's identities.
 */
export interface Message {
  identities: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: Content;
  buffers: Buffer[];
}

/** Fields of a message to be sent; header and identities are filled in by {@link createMessage}. */
export interface Outgoing {
  msgType: string;
  content: Content;
  parent?: Partial<Header> | undefined;
  metadata?: Record<string, unknown> | undefined;
  buffers?: Buffer[] | undefined;
  identities?: Buffer[] | undefined;
}

/**
 * Builds a message with a fresh header.
 *
 * @example createMessage({ msgType: 'status', content: { execution_state: 'idle' } }, session)
 */
export function createMessage(out: Outgoing, session: string, username = 'seqlab'): Message {
  return {
    identities: out.identities ?? [],
    header: {
      msg_id: randomUUID(),
      session,
      username,
      date: new Date().toISOString(),
      msg_type: out.msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: out.parent ?? {},
    metadata: out.metadata ?? {},
    content: out.content,
    buffers: out.buffers ?? [],
  };
}
