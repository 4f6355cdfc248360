import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { REPO_ROOT } from '../src/config/config';
import { TestServer } from './helpers/test-server';

/** A raw GET (Node's fetch would ask for and undo compression by itself). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // The path goes out as written (a URL object would resolve "%2e%2e" segments first).
    const { hostname, port } = new URL(url);
    const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    request({ hostname, port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

describe('web client assets', () => {
  let server: TestServer;
  let asset: string;
  let raw: Buffer;
  beforeAll(async () => {
    server = await TestServer.start({ transcoding: { enabled: false } });
    const html = (await get(`${server.url}/`, { Accept: 'text/html' })).body.toString();
    asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    raw = readFileSync(join(REPO_ROOT, 'client/dist', asset));
  });
  afterAll(async () => server?.stop());

  it('sends the prebuilt brotli or gzip file the browser accepts, immutable, and the plain file otherwise', async () => {
    const br = await get(server.url + asset, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(br.body.length).toBeLessThan(raw.length);
    expect(brotliDecompressSync(br.body).equals(raw)).toBe(true);

    const gz = await get(server.url + asset, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(raw)).toBe(true);
    expect((await get(server.url + asset, { 'Accept-Encoding': 'br;q=0, gzip;q=0.5' })).headers['content-encoding']).toBe('gzip');
    expect((await get(server.url + asset, { 'Accept-Encoding': 'identity' })).headers['content-encoding']).toBeUndefined();

    const plain = await get(server.url + asset);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body.equals(raw)).toBe(true);
  });

  it('answers 404 for a missing or path-like asset name, never the app page or a file outside', async () => {
    for (const path of ['/assets/main-nothere.js', '/assets/..%2f..%2fpackage.json', `${asset}.br/x`]) {
      const res = await get(server.url + path, { 'Accept-Encoding': 'br, gzip', Accept: '*/*' });
      expect(res.status, path).toBe(404);
      expect(res.body.toString()).not.toContain('<div id="app">');
    }
    for (const path of ['/assets/%2e%2e/%2e%2e/package.json', '/assets/%2e%2e/%2e%2e/%2e%2e/server/package.json']) {
      const res = await get(server.url + path, { Accept: '*/*' });
      expect([403, 404], path + ' ' + res.body.toString().slice(0, 200)).toContain(res.status);
      expect(res.body.toString()).not.toContain('"name"');
    }
    // The app's routes still get the page.
    const page = await get(`${server.url}/w/abc`, { Accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
  });
});
