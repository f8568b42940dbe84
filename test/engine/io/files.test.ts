/**
 * The portable file reader: `fs` in Node, fetch relative to a base URL where there is no file
 * system (a browser worker). The browser path is exercised here by hiding Node's
 * `process.getBuiltinModule` (the engine's only way to reach `fs`) and serving
 * notebooks/data over HTTP on 127.0.0.1, as `seqlab serve` does; the same call in Chromium is
 * covered by the lite e2e test.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { data } from '../../../engine/src/index.js';

const DATA = fileURLToPath(new URL('../../../notebooks/data/', import.meta.url));

let server: Server;
let origin: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/site\/files\/lectures\/data\/(timemachine|tinyshakespeare)\.txt$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(readFileSync(`${DATA}${m[1]}.txt`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Runs `fn` as the engine sees a browser: no `process.getBuiltinModule`. */
async function withoutNodeFs<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.getBuiltinModule;
  (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
  try {
    return await fn();
  } finally {
    process.getBuiltinModule = saved;
  }
}

afterEach(() => data.setFileBase(null));

describe('reading a corpus without a file system (the browser kernel)', () => {
  it('fetches relative to the base URL and checks the SHA-1 with WebCrypto', async () => {
    data.setFileBase(`${origin}/site/files/lectures`);
    expect(data.fileBase()).toBe(`${origin}/site/files/lectures/`);
    const tm = await withoutNodeFs(() => data.loadTimeMachine('data/timemachine.txt', { sha1: data.CORPORA.timemachine.sha1 }));
    expect(requests).toContain('/site/files/lectures/data/timemachine.txt');
    // The same corpus as read with fs in Node.
    const fromFs = await data.loadTimeMachine(DATA + 'timemachine.txt', { sha1: data.CORPORA.timemachine.sha1 });
    expect(tm.corpus.length).toBe(173428);
    expect(Array.from(tm.corpus)).toEqual(Array.from(fromFs.corpus));
    expect(tm.vocab.idxToTokenList).toEqual(fromFs.vocab.idxToTokenList);
  });

  it('names a file the site does not ship, and a wrong copy', async () => {
    data.setFileBase(`${origin}/site/files/lectures/`);
    await expect(withoutNodeFs(() => data.readText('data/missing.txt'))).rejects.toThrow(
      /readText: cannot access "data\/missing.txt" \(http:\/\/127\.0\.0\.1:\d+\/site\/files\/lectures\/data\/missing.txt\): no such file/,
    );
    await expect(withoutNodeFs(() => data.loadCorpus('data/tinyshakespeare.txt', { sha1: data.CORPORA.timemachine.sha1 }))).rejects.toThrow(
      /has SHA-1 04486597058d11dcc2c556b1d0433891eb639d2e \(1115394 bytes\), expected 090b5e7e/,
    );
  });

  it('says what is missing when there is neither a file system nor a base URL', async () => {
    await expect(withoutNodeFs(() => data.readFileBytes('data/timemachine.txt'))).rejects.toThrow(/neither a file system nor a base URL here \(see setFileBase\)/);
    expect(() => data.setFileBase('files/lectures')).toThrow(/setFileBase: "files\/lectures" is not an absolute URL/);
    await expect(data.readText('x.txt', { sha1: 'abc' })).rejects.toThrow(/sha1 must be 40 hexadecimal digits/);
  });
});

describe('reading a corpus in Node', () => {
  it('reads with fs relative to the working directory, whatever the base URL', async () => {
    data.setFileBase(`${origin}/elsewhere/`);
    const before = requests.length;
    const bytes = await data.readFileBytes(DATA + 'timemachine.txt');
    expect(bytes.length).toBe(data.CORPORA.timemachine.bytes);
    expect(requests.length).toBe(before);
  });
});
