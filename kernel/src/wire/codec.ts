/**
 * Framing and signing of Jupyter messages on ZeroMQ multipart frames.
 *
 * Outgoing messages are signed with HMAC-SHA256 over header, parent header, metadata and
 * content; incoming messages are verified in constant time. A message that fails
 * verification is never handed to a handler.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Message } from './message.js';

const DELIMITER = '<IDS|MSG>';

/** Why an incoming message was rejected. */
export class WireError extends Error {
  override name = 'WireError';
}

/**
 * Signs and verifies messages with one key.
 *
 * An empty key disables signing, as the Jupyter spec allows (`key: ""` in the connection file);
 * then any signature is accepted.
 */
export class Codec {
  private readonly key: Buffer;

  constructor(key: string, scheme = 'hmac-sha256') {
    if (scheme !== 'hmac-sha256') throw new WireError(`unsupported signature_scheme "${scheme}" (only hmac-sha256)`);
    this.key = Buffer.from(key, 'utf8');
  }

  /** HMAC-SHA256 hex digest of the four JSON frames; '' when signing is disabled. */
  sign(frames: readonly (Buffer | string)[]): string {
    if (this.key.length === 0) return '';
    const h = createHmac('sha256', this.key);
    for (const f of frames) h.update(f);
    return h.digest('hex');
  }

  /** Multipart frames for `msg`: identities, delimiter, signature, 4 JSON frames, buffers. */
  encode(msg: Message): Buffer[] {
    const json = [
      JSON.stringify(msg.header),
      JSON.stringify(msg.parent_header),
      JSON.stringify(msg.metadata),
      JSON.stringify(msg.content),
    ].map((s) => Buffer.from(s, 'utf8'));
    return [...msg.identities, Buffer.from(DELIMITER), Buffer.from(this.sign(json)), ...json, ...msg.buffers];
  }

  /**
   * Parses and verifies multipart frames.
   *
   * @throws WireError when the delimiter is missing, the signature is missing or wrong, or a
   *   JSON frame does not parse.
   */
  decode(frames: readonly Buffer[]): Message {
    const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString() === DELIMITER);
    if (at < 0) throw new WireError('no <IDS|MSG> delimiter');
    if (frames.length < at + 6) throw new WireError(`expected 5 frames after the delimiter, got ${frames.length - at - 1}`);
    const signature = frames[at + 1]!;
    const json = frames.slice(at + 2, at + 6);
    if (this.key.length > 0) {
      const expected = Buffer.from(this.sign(json));
      if (signature.length === 0) throw new WireError('missing signature');
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
        throw new WireError('invalid signature');
      }
    }
    const parse = (b: Buffer, what: string): Record<string, unknown> => {
      try {
        const v: unknown = JSON.parse(b.toString('utf8'));
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        return v as Record<string, unknown>;
      } catch (e) {
        throw new WireError(`${what} frame is not a JSON object: ${(e as Error).message}`);
      }
    };
    const header = parse(json[0]!, 'header');
    if (typeof header['msg_type'] !== 'string' || typeof header['msg_id'] !== 'string') {
      throw new WireError('header lacks msg_type or msg_id');
    }
    return {
      identities: frames.slice(0, at),
      header: header as unknown as Message['header'],
      parent_header: parse(json[1]!, 'parent_header'),
      metadata: parse(json[2]!, 'metadata'),
      content: parse(json[3]!, 'content'),
      buffers: frames.slice(at + 6),
    };
  }
}
