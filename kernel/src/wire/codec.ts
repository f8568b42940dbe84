/**
 * Framing and signing of Jupyter messages on ZeroMQ multipart frames.
 *
 * Outgoing messages are signed with HMAC-SHA256 over header, parent header, metadata and
 * content; incoming messages are verified in constant time. A message that fails
 * verification is never handed to a handler. A codec can also remember the signatures it
 * accepted and reject a message whose signature it has seen before: a captured message
 * replayed on the wire is then dropped instead of run again (as jupyter_client's Session
 * keeps a digest history and raises "Duplicate Signature").
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Message } from './message.js';

const DELIMITER = '<IDS|MSG>';

/** Why an incoming message was rejected. */
export class WireError extends Error {
  override name = 'WireError';
}

/** Options of {@link Codec}. */
export interface CodecOptions {
  /**
   * How many accepted signatures to remember for rejecting replays (0, the default: none).
   * When full, the oldest is forgotten, so memory stays bounded; the kernel keeps 65,536, as
   * jupyter_client's `digest_history_size`.
   */
  replayHistory?: number;
}

/**
 * Signs and verifies messages with one key.
 *
 * An empty key disables signing, as the Jupyter spec allows (`key: ""` in the connection file);
 * then any signature is accepted, and replays cannot be told apart.
 */
export class Codec {
  private readonly key: Buffer;
  private readonly replayHistory: number;
  /** Accepted signatures, oldest first (a Set iterates in insertion order). */
  private readonly digests = new Set<string>();

  constructor(key: string, scheme = 'hmac-sha256', options: CodecOptions = {}) {
    if (scheme !== 'hmac-sha256') throw new WireError(`unsupported signature_scheme "${scheme}" (only hmac-sha256)`);
    this.key = Buffer.from(key, 'utf8');
    this.replayHistory = Math.max(0, Math.floor(options.replayHistory ?? 0));
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
   * @throws WireError when the delimiter is missing, the signature is missing or wrong, the
   *   signature was accepted before (with `replayHistory`), or a JSON frame does not parse.
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
    const [header, parent, metadata, content] = this.parseFrames(json);
    // Remembered only once the message is known to be well formed, so garbage signed with the
    // key cannot push real signatures out of the history.
    if (this.replayHistory > 0 && this.key.length > 0) this.remember(signature.toString('latin1'));
    return {
      identities: frames.slice(0, at),
      header: header as unknown as Message['header'],
      parent_header: parent,
      metadata,
      content,
      buffers: frames.slice(at + 6),
    };
  }

  /** Records an accepted signature; throws when it was accepted before. */
  private remember(signature: string): void {
    if (this.digests.has(signature)) throw new WireError('duplicate signature (a replayed message)');
    this.digests.add(signature);
    if (this.digests.size > this.replayHistory) this.digests.delete(this.digests.values().next().value!);
  }

  /** The four JSON frames as objects; the header must name msg_type and msg_id. */
  private parseFrames(json: readonly Buffer[]): [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>] {
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
    return [header, parse(json[1]!, 'parent_header'), parse(json[2]!, 'metadata'), parse(json[3]!, 'content')];
  }
}
