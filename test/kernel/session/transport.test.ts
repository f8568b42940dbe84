/**
 * The transport as a hostile or careless client meets it, through the real kernel process:
 * a second client with the same ZeroMQ identity (two clients of one KernelManager, a frontend
 * reconnecting after a restart), a signed message replayed, message types that name
 * `Object.prototype` members, and requests on the control channel that belong on shell.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../../kernel/dist/client/client.js';
import { launchKernel, type LaunchedKernel } from '../../../kernel/dist/client/launch.js';
import { createMessage, type Message } from '../../../kernel/dist/wire/message.js';
import { tempDir } from '../helpers.js';

let k: LaunchedKernel;
const value = (r: { outputs: Message[] }): unknown => (r.outputs.find((m) => m.header.msg_type === 'execute_result')?.content['data'] as Record<string, unknown> | undefined)?.['text/plain'];
const executeContent = (code: string) => ({ code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
/** Occurrences of `text` in the kernel's stderr. */
const logged = (text: string): number => k.stderr().split(text).length - 1;

beforeAll(async () => {
  k = await launchKernel({ cwd: tempDir('seqlab-nb-'), env: { ...process.env, SEQLAB_DATA_DIR: tempDir() } });
});

afterAll(async () => {
  await k?.shutdown();
});

describe('transport', { timeout: 120_000 }, () => {
  it('runs a signed execute_request sent three times once, and logs the replays as duplicate signatures', async () => {
    const msg = createMessage({ msgType: 'execute_request', content: executeContent('(globalThis as any).replayed = ((globalThis as any).replayed ?? 0) + 1') }, k.client.session);
    const frames = k.client.signer.encode(msg);
    for (let i = 0; i < 3; i++) await k.client.sendFrames('shell', frames);
    // The same message on the other channel is a replay too.
    await k.client.sendFrames('control', frames);
    // Shell is handled in order: once this is answered, the three copies have been dealt with.
    await k.client.request('shell', 'kernel_info_request', {});
    expect(value(await k.client.execute('(globalThis as any).replayed'))).toBe('1');
    expect(k.client.strayReplies.filter((m) => m.parent_header.msg_id === msg.header.msg_id)).toHaveLength(1);
    expect(logged('duplicate signature')).toBe(3);
  });

  it('never runs forged, truncated or garbage messages, on shell or control, and serves on', async () => {
    const code = (tag: string) => executeContent(`(globalThis as any).attacks = [...((globalThis as any).attacks ?? []), ${JSON.stringify(tag)}]`);
    const signed = (tag: string) => k.client.signer.encode(createMessage({ msgType: 'execute_request', content: code(tag) }, k.client.session));
    const delimiter = (frames: Buffer[]) => frames.findIndex((f) => f.toString() === '<IDS|MSG>');
    const attacks: Record<string, Buffer[]> = {};
    attacks['garbage'] = [Buffer.from([0xde, 0xad, 0xbe, 0xef]), Buffer.from('not a message')];
    const truncated = signed('truncated');
    attacks['truncated'] = truncated.slice(0, delimiter(truncated) + 4);
    const shortSig = signed('short signature');
    shortSig[delimiter(shortSig) + 1] = shortSig[delimiter(shortSig) + 1]!.subarray(0, 32);
    attacks['short signature'] = shortSig;
    const tampered = signed('tampered');
    tampered[delimiter(tampered) + 5] = Buffer.from(JSON.stringify(code('tampered content')));
    attacks['tampered'] = tampered;
    const unsigned = signed('unsigned');
    unsigned[delimiter(unsigned) + 1] = Buffer.alloc(0);
    attacks['unsigned'] = unsigned;
    // Signed with the right key, but not a message: the signature is right, the frames are not.
    const notJson = [Buffer.from('{"msg_id":"x","msg_type":"execute_request"'), Buffer.from('{}'), Buffer.from('{}'), Buffer.from(JSON.stringify(code('not json')))];
    attacks['not json'] = [Buffer.from('<IDS|MSG>'), Buffer.from(k.client.signer.sign(notJson)), ...notJson];
    const noType = [Buffer.from('{"msg_id":"y"}'), Buffer.from('{}'), Buffer.from('{}'), Buffer.from(JSON.stringify(code('no msg_type')))];
    attacks['no msg_type'] = [Buffer.from('<IDS|MSG>'), Buffer.from(k.client.signer.sign(noType)), ...noType];
    for (const frames of Object.values(attacks)) {
      await k.client.sendFrames('shell', frames);
      await k.client.sendFrames('control', frames);
    }
    await k.client.request('shell', 'kernel_info_request', {});
    await k.client.request('control', 'kernel_info_request', {});
    expect(value(await k.client.execute('JSON.stringify((globalThis as any).attacks ?? [])'))).toBe(`'[]'`);
    for (const why of ['no <IDS|MSG> delimiter', 'expected 5 frames after the delimiter', 'invalid signature', 'missing signature', 'header frame is not a JSON object', 'header lacks msg_type or msg_id']) {
      expect(k.stderr(), why).toContain(why);
    }
    expect(await k.client.heartbeat()).toBe(true);
  });

  it('treats msg_types that name Object.prototype members as unknown: logged, no reply, the kernel serves on', async () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
    const sent = names.flatMap((name) => [k.client.send('shell', name, {}), k.client.send('control', name, {})]);
    await k.client.request('shell', 'kernel_info_request', {});
    await k.client.request('control', 'kernel_info_request', {});
    const ids = new Set(sent.map((m) => m.header.msg_id));
    expect(k.client.strayReplies.filter((m) => ids.has(String(m.parent_header.msg_id)))).toEqual([]);
    for (const name of names) {
      expect(logged(`no handler for shell message ${JSON.stringify(name)}; ignored`), name).toBe(1);
      expect(logged(`no handler for control message ${JSON.stringify(name)}; ignored`), name).toBe(1);
    }
    expect(k.stderr()).not.toMatch(/handler for .* failed/);
    expect(value(await k.client.execute('"still serving"'))).toBe("'still serving'");
  });

  it('serves kernel_info, interrupt and shutdown on control, and never runs an execute_request sent there', async () => {
    const onControl = k.client.send('control', 'execute_request', executeContent('(globalThis as any).ranOnControl = true'));
    const complete = k.client.send('control', 'complete_request', { code: 'Math.fl', cursor_pos: 7 });
    const info = await k.client.request('control', 'kernel_info_request', {});
    expect(info.reply.content['status']).toBe('ok');
    expect((await k.client.request('control', 'interrupt_request', {})).reply.content).toEqual({ status: 'ok' });
    expect(value(await k.client.execute('(globalThis as any).ranOnControl === true'))).toBe('false');
    const ids = new Set([onControl.header.msg_id, complete.header.msg_id]);
    expect(k.client.strayReplies.filter((m) => ids.has(String(m.parent_header.msg_id)))).toEqual([]);
    expect(k.stderr()).toContain('no handler for control message "execute_request" (served on the shell channel only); ignored');
    expect(k.stderr()).toContain('no handler for control message "complete_request" (served on the shell channel only); ignored');
  });

  it('serves a client that connects with the identity of a connected one: after a restart, and a second client of one KernelManager', async () => {
    // A frontend reconnecting after a restart: the old client reconnected by itself, the new one comes with the same identity.
    await k.restart();
    const reconnected = new KernelClient(k.info, { session: k.client.session });
    try {
      await reconnected.waitReady(10_000);
      expect(value(await reconnected.execute('6 * 7', { timeout: 10_000 }))).toBe('42');
    } finally {
      reconnected.close();
    }
    // Two clients of one jupyter_client KernelManager share the session, hence the identity. As with
    // ipykernel, the connection that came last is served.
    const twin = new KernelClient(k.info, { session: k.client.session });
    try {
      await twin.waitReady(10_000);
      expect(value(await twin.execute('"twin"', { timeout: 10_000 }))).toBe("'twin'");
      expect((await twin.request('control', 'shutdown_request', { restart: false }, { timeout: 10_000 })).reply.content).toEqual({ status: 'ok', restart: false });
    } finally {
      twin.close();
    }
    await new Promise((r) => (k.process.exitCode !== null ? r(null) : k.process.once('exit', r)));
  });
});
