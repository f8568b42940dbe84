/** Framing, HMAC-SHA256 signing and constant-time verification. */
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { Codec, WireError } from '../../../kernel/dist/wire/codec.js';
import { createMessage } from '../../../kernel/dist/wire/message.js';

const msg = () => ({ ...createMessage({ msgType: 'execute_request', content: { code: '1' }, identities: [Buffer.from('peer')] }, 'sess'), buffers: [Buffer.from([1, 2, 3])] });

describe('Codec', () => {
  it('frames identities, delimiter, HMAC-SHA256 over the four JSON parts, buffers', () => {
    const codec = new Codec('secret');
    const frames = codec.encode(msg());
    expect(frames[0]!.toString()).toBe('peer');
    expect(frames[1]!.toString()).toBe('<IDS|MSG>');
    const expected = createHmac('sha256', 'secret').update(frames[3]!).update(frames[4]!).update(frames[5]!).update(frames[6]!).digest('hex');
    expect(frames[2]!.toString()).toBe(expected);
    const back = codec.decode(frames);
    expect(back.header.msg_type).toBe('execute_request');
    expect(back.content).toEqual({ code: '1' });
    expect(back.identities.map(String)).toEqual(['peer']);
    expect(back.buffers).toEqual([Buffer.from([1, 2, 3])]);
    expect(back.header.version).toBe('5.3');
  });

  it('rejects a wrong, a missing, and a truncated signature, and a tampered body', () => {
    const codec = new Codec('secret');
    const frames = codec.encode(msg());
    const wrong = [...frames];
    wrong[2] = Buffer.from(new Codec('other').sign(frames.slice(3, 7)));
    expect(() => codec.decode(wrong)).toThrow(new WireError('invalid signature'));
    const missing = [...frames];
    missing[2] = Buffer.alloc(0);
    expect(() => codec.decode(missing)).toThrow('missing signature');
    const short = [...frames];
    short[2] = frames[2]!.subarray(0, 10);
    expect(() => codec.decode(short)).toThrow('invalid signature');
    const tampered = [...frames];
    tampered[6] = Buffer.from(JSON.stringify({ code: 'evil()' }));
    expect(() => codec.decode(tampered)).toThrow('invalid signature');
  });

  it('with an empty key signs nothing and accepts any signature', () => {
    const codec = new Codec('');
    const frames = codec.encode(msg());
    expect(frames[2]!.length).toBe(0);
    expect(codec.decode(frames).content).toEqual({ code: '1' });
  });

  it('names malformed frames', () => {
    const codec = new Codec('k');
    expect(() => codec.decode([Buffer.from('x')])).toThrow('no <IDS|MSG> delimiter');
    const frames = codec.encode(msg());
    const bad = [...frames];
    bad[6] = Buffer.from('not json');
    bad[2] = Buffer.from(codec.sign(bad.slice(3, 7)));
    expect(() => codec.decode(bad)).toThrow(/content frame is not a JSON object/);
    expect(() => new Codec('k', 'hmac-md5')).toThrow('unsupported signature_scheme');
  });

  it('with a replay history rejects a signature it accepted before, and forgets the oldest when full', () => {
    const sender = new Codec('secret');
    const receiver = new Codec('secret', 'hmac-sha256', { replayHistory: 2 });
    const [a, b, c] = [msg(), msg(), msg()].map((m) => sender.encode(m));
    expect(receiver.decode(a!).content).toEqual({ code: '1' });
    expect(() => receiver.decode(a!)).toThrow(new WireError('duplicate signature (a replayed message)'));
    receiver.decode(b!);
    receiver.decode(c!); // the history holds b and c now; a was forgotten
    expect(() => receiver.decode(c!)).toThrow('duplicate signature');
    expect(receiver.decode(a!).header.msg_id).toBeTruthy();
    // A message that fails verification is not remembered (its copy fails the same way, not as a replay).
    const forged = [...b!];
    forged[6] = Buffer.from('{"code":"evil()"}');
    expect(() => receiver.decode(forged)).toThrow('invalid signature');
    expect(() => new Codec('secret').decode(a!)).not.toThrow();
  });
});
