import { describe, expect, it } from 'vitest';
import { generateStreamShortId } from '../../../node_modules/p2p-media-loader-core/lib/utils/stream.js';
import { parseAttributes, streamShortIdFromAttributes, swarmInfoHashesFromMaster } from './swarm-ids';

const master = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-STREAM-INF:BANDWIDTH=1425600,RESOLUTION=854x480,CODECS="avc1.64001f,mp4a.40.2"
5f3c2a1e-8b7d-4c6e-9f00-a1b2c3d4e5f6-480.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=435600,RESOLUTION=426x240,CODECS="avc1.640015,mp4a.40.2"
5f3c2a1e-8b7d-4c6e-9f00-a1b2c3d4e5f6-240.m3u8
`;

describe('swarm ids from a master playlist', () => {
  it('matches the library for the values hls.js parses', () => {
    const attrs = parseAttributes('#EXT-X-STREAM-INF:BANDWIDTH=1425600,RESOLUTION=854x480,FRAME-RATE=30.000,CODECS="avc1.64001f,mp4a.40.2"');
    expect(streamShortIdFromAttributes(attrs)).toBe(generateStreamShortId({ bitrate: 1425600, codecs: 'avc1.64001f', width: 854, height: 480, frameRate: '30.000' }));
  });

  it('gives the info hashes Chromium announced for the fixture video (captured from the tracker)', () => {
    expect(swarmInfoHashesFromMaster('5f3c2a1e-8b7d-4c6e-9f00-a1b2c3d4e5f6', master)).toEqual(['QIAB68tqq0aIph3Pdo2Q', 'dHZC6mTxABioGldA5M+O']);
  });
});

describe('pure helpers', () => {
  it('encode UTF-8 and base64 like the platform does', async () => {
    const { utf8, base64, sha1 } = await import('./swarm-ids');
    for (const s of ['', 'a', 'ab', 'abc', 'é€😀', 'x'.repeat(64)]) {
      expect(Buffer.from(utf8(s)).toString('hex')).toBe(Buffer.from(s, 'utf8').toString('hex'));
      expect(base64(utf8(s))).toBe(Buffer.from(s, 'utf8').toString('base64'));
      const { createHash } = await import('node:crypto');
      expect(Buffer.from(sha1(utf8(s))).toString('hex')).toBe(createHash('sha1').update(s).digest('hex'));
    }
  });
});
