import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetryableError } from './errors';
import { RunnerClient } from './runner-client';

describe('RunnerClient.downloadFile', () => {
  const body = Buffer.alloc(256 * 1024, 7);
  let server: Server;
  let url: string;
  let cut = true;
  const dir = mkdtempSync(join(tmpdir(), 'runner-download-'));
  const creds = { runnerToken: 'ptrt-1', jobToken: 'ptrjt-1' };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(body.length) });
      if (!cut) return res.end(body);
      // Half the file, then the connection goes (the server process was killed).
      res.write(body.subarray(0, body.length / 2), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/runners/jobs/j/files/videos/v/max-quality`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a body cut off mid-way as a network failure (retried), and the next try writes the whole file', async () => {
    const client = new RunnerClient(url.slice(0, url.indexOf('/api/')));
    const dest = join(dir, 'input');
    const err = await client.downloadFile(url, creds, dest).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isRetryableError(err)).toBe(true);
    cut = false;
    await client.downloadFile(url, creds, dest);
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('keeps a local write failure as it is (not retried as a network one)', async () => {
    const client = new RunnerClient(url.slice(0, url.indexOf('/api/')));
    const err = await client.downloadFile(url, creds, join(dir, 'no-such-dir', 'input')).then(() => null, (e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(isRetryableError(err)).toBe(false);
  });
});
