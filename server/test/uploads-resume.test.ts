import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { runResumableUpload } from '../../scripts/bench/upload-resume';
import { TestServer } from './helpers/test-server';
import { makeClip } from './helpers/videos';

const CHUNK = 4 * 1024 * 1024;

describe('resumable upload across dropped connections and a restart', () => {
  let server: TestServer;
  let root: ApiClient;
  let dir: string;
  let clip: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-clips-'));
    // Lossless 720p: ~25 MB for 15 s, so the upload takes several chunks.
    clip = makeClip(dir, 'big.mp4', { seconds: 15, size: '1280x720', lossless: true });
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, uploads: { max_chunk_size: CHUNK } });
    root = await server.login();
  });
  afterAll(async () => {
    if (process.env.SHOW_SERVER_LOG) console.log(server?.output);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('completes after two cut connections and a SIGKILL mid-chunk, keeping every byte that arrived before each cut, byte-identical', async () => {
    const size = (await stat(clip)).size;
    expect(size).toBeGreaterThan(4 * CHUNK);
    const channelId = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const run = await runResumableUpload({
      baseUrl: server.url,
      accessToken: root.accessToken!,
      file: clip,
      metadata: { name: 'Survivor', channelId, filename: 'big.mp4' },
      chunkSize: CHUNK,
      cutChunks: [1, 3],
      // Varied offsets, none on a 64 KiB boundary: 0.13, 0.61 and (the SIGKILL) 0.87 of a chunk.
      cutFractions: [0.13, 0.61, 0.87],
      // The server is SIGKILLed in the middle of chunk 4 and started again.
      restartDuringChunks: [4],
      restart: async () => {
        await server.kill('SIGKILL');
        await server.restart();
      },
    });
    expect(run.status).toBe(200);
    expect(run.interruptions).toBe(2);
    expect(run.restarts).toBe(1);
    // What the server says it stored after each interruption (its 308 Range): every byte that arrived
    // before the cut, the SIGKILL included — not a whole-chunk or block-rounded loss.
    expect(run.cuts.map((c) => c.kind)).toEqual(['connection', 'connection', 'restart']);
    for (const c of run.cuts) {
      expect(c.sentBeforeCut).toBeGreaterThan(0.1 * CHUNK);
      expect({ kept: c.resumedAt - c.chunkStart, kind: c.kind }).toEqual({ kept: c.sentBeforeCut, kind: c.kind });
    }
    expect(run.resentBytes).toBe(0);

    const video = await root.get<VideoDetails>(`/api/v1/videos/${run.body!.video.uuid}`);
    expect(video.duration).toBe(15);
    const res = await fetch(video.files[0].fileUrl);
    const stored = Buffer.from(await res.arrayBuffer());
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(stored.length).toBe(size);
    expect(sha(stored)).toBe(sha(await readFile(clip)));
  });
});
