import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import { streamInfoHash } from '../src/modules/p2p/swarm-hash';
import { TestServer } from './helpers/test-server';

/** Sends one announce as p2p-media-loader's tracker client does and returns the tracker's answer. */
function announce(url: string, infoHash: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error('no answer from tracker')), 5000);
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          action: 'announce',
          info_hash: infoHash, // 20 ASCII characters, sent as a binary string
          peer_id: `-PM0203-${randomBytes(6).toString('hex')}`,
          numwant: 0,
          event: 'started',
          uploaded: 0,
          downloaded: 0,
          offers: [],
        }),
      );
    });
    ws.on('message', (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(JSON.parse(data.toString()));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('WebSocket tracker at /tracker/socket', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start();
  });
  afterAll(async () => server?.stop());

  it('refuses swarms of videos this instance does not know', async () => {
    const res = await announce(`ws://127.0.0.1:${server.port}/tracker/socket`, streamInfoHash('00000000-0000-4000-8000-000000000000', 'main', 0));
    expect(res['failure reason']).toBe('unknown swarm');
  });

  it('does not answer on other upgrade paths', async () => {
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/tracker/other`);
        ws.on('open', () => resolve('open'));
        ws.on('error', reject);
        ws.on('close', () => reject(new Error('closed')));
      }),
    ).rejects.toThrow();
  });

  it('limits open sockets per IP', async () => {
    const sockets: WebSocket[] = [];
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/tracker/socket`);
        ws.on('open', () => {
          sockets.push(ws);
          resolve();
        });
        ws.on('unexpected-response', (_req, res) => {
          if (res.statusCode === 429) refused++;
          resolve();
        });
        ws.on('error', () => resolve());
      });
    }
    expect(sockets.length).toBe(32);
    expect(refused).toBe(8);
    sockets.forEach((s) => s.close());
  });
});
