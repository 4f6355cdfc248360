import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutgoingHttp, OutgoingRequestError } from './outgoing-http';

/**
 * Against real HTTP servers on loopback. 127.0.0.2 stands for a public host: the guarded client
 * is told to allow it, so that a redirect from it to 127.0.0.1 shows the check on later hops.
 */
let server: Server;
let publicServer: Server;
let base = '';
let publicBase = '';

function listen(s: Server, host: string): Promise<string> {
  return new Promise((resolve) => s.listen(0, host, () => resolve(`http://${host}:${(s.address() as AddressInfo).port}`)));
}

function routes(req: { url?: string }, res: import('node:http').ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/ok') return void res.end('hello');
  if (url.pathname === '/big') return void res.end(Buffer.alloc(2048, 1));
  if (url.pathname === '/big-chunked') {
    // No content-length: the limit must hold while the body streams.
    res.write(Buffer.alloc(1024, 1));
    res.write(Buffer.alloc(1024, 1));
    return void res.end();
  }
  if (url.pathname === '/slow') return void setTimeout(() => res.end('late'), 1500);
  if (url.pathname === '/hop') {
    const left = Number(url.searchParams.get('n'));
    res.writeHead(302, { location: left > 0 ? `/hop?n=${left - 1}` : '/ok' });
    return void res.end();
  }
  if (url.pathname === '/to-private') {
    res.writeHead(302, { location: `${base}/ok` });
    return void res.end();
  }
  res.writeHead(404).end();
}

beforeAll(async () => {
  server = createServer(routes);
  publicServer = createServer(routes);
  base = await listen(server, '127.0.0.1');
  publicBase = await listen(publicServer, '127.0.0.2');
});

afterAll(() => {
  server.close();
  publicServer.close();
});

async function failure(p: Promise<unknown>): Promise<OutgoingRequestError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(OutgoingRequestError);
  return err as OutgoingRequestError;
}

describe('OutgoingHttp', () => {
  const guarded = new OutgoingHttp({ preventSsrf: true, userAgent: 'test', allowAddresses: ['127.0.0.2'] });
  const open = new OutgoingHttp({ preventSsrf: false, userAgent: 'test' });
  afterAll(() => {
    guarded.close();
    open.close();
  });

  it('refuses loopback, private, link-local, unique-local and multicast targets with the guard on', async () => {
    for (const url of [`${base}/ok`, base.replace('127.0.0.1', 'localhost') + '/ok', 'http://10.0.0.1/', 'http://192.168.1.1/', 'http://169.254.169.254/latest', 'http://[fc00::1]/', 'http://[fe80::1]/', 'http://224.0.0.1/', 'http://0.0.0.0/', 'http://[::ffff:127.0.0.1]/']) {
      const err = await failure(guarded.fetch(url, { timeoutMs: 3000 }));
      expect(err.reason, url).toBe('blocked');
    }
  });

  it('fetches the same targets with the guard off', async () => {
    const res = await open.fetch(`${base}/ok`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello');
    expect((await open.fetch(base.replace('127.0.0.1', 'localhost') + '/ok')).body.toString()).toBe('hello');
  });

  it('checks every redirect hop: a public host redirecting to a private one is refused', async () => {
    expect((await guarded.fetch(`${publicBase}/ok`)).body.toString()).toBe('hello');
    expect((await failure(guarded.fetch(`${publicBase}/to-private`))).reason).toBe('blocked');
    const followed = await open.fetch(`${publicBase}/to-private`);
    expect(followed.url).toBe(`${base}/ok`);
  });

  it('follows a bounded number of redirects', async () => {
    const res = await open.fetch(`${base}/hop?n=2`, { maxRedirects: 3 });
    expect(res.body.toString()).toBe('hello');
    expect((await failure(open.fetch(`${base}/hop?n=3`, { maxRedirects: 3 }))).reason).toBe('too_many_redirects');
  });

  it('limits the response size, declared or streamed', async () => {
    expect((await open.fetch(`${base}/big`, { maxBytes: 2048 })).body.length).toBe(2048);
    expect((await failure(open.fetch(`${base}/big`, { maxBytes: 1000 }))).reason).toBe('too_large');
    expect((await failure(open.fetch(`${base}/big-chunked`, { maxBytes: 1500 }))).reason).toBe('too_large');
  });

  it('gives up after the time limit', async () => {
    const started = Date.now();
    expect((await failure(open.fetch(`${base}/slow`, { timeoutMs: 300 }))).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1200);
    expect((await open.fetch(`${base}/slow`, { timeoutMs: 3000 })).body.toString()).toBe('late');
  });

  it('fetches only http and https URLs', async () => {
    expect((await failure(open.fetch('file:///etc/passwd'))).reason).toBe('bad_url');
    expect((await failure(open.fetch('not a url'))).reason).toBe('bad_url');
  });
});
