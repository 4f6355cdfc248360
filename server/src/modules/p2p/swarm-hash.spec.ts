import { describe, expect, it } from 'vitest';
import { infoHashFromTrackerHex, streamInfoHash, videoInfoHashes } from './swarm-hash';

describe('p2p-media-loader swarm info hashes', () => {
  it('are 20 base64 characters, distinct per stream', () => {
    const h = streamInfoHash('9c9de5e8-0a1e-484a-b099-e80766180a6d', 'main', 0);
    expect(h).toMatch(/^[A-Za-z0-9+/]{20}$/);
    expect(new Set(videoInfoHashes('9c9de5e8-0a1e-484a-b099-e80766180a6d')).size).toBe(14);
  });

  it('match what the browser engine computes (btoa of the first 15 SHA-1 bytes)', () => {
    // Same computation as the engine: sha1 as a binary string, 15 chars, btoa.
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    const bin = createHash('sha1').update('v2-abc-main-2').digest('latin1').slice(0, 15);
    expect(streamInfoHash('abc', 'main', 2)).toBe(Buffer.from(bin, 'latin1').toString('base64'));
    const hex = Buffer.from(streamInfoHash('abc', 'main', 2), 'latin1').toString('hex');
    expect(infoHashFromTrackerHex(hex)).toBe(streamInfoHash('abc', 'main', 2));
  });
});
