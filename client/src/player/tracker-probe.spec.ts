import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
// The library's own derivation, to prove ours names the same swarms.
import { getStreamHash } from '../../../node_modules/p2p-media-loader-core/lib/utils/peer.js';
import { countPeers, sha1, swarmInfoHash, variantInfoHash } from './tracker-probe';

describe('tracker probe', () => {
  it('computes SHA-1 like Node', () => {
    for (const s of ['', 'abc', 'x'.repeat(55), 'x'.repeat(64), 'é'.repeat(100)]) {
      const bytes = new TextEncoder().encode(s);
      expect(Buffer.from(sha1(bytes)).toString('hex')).toBe(createHash('sha1').update(bytes).digest('hex'));
    }
  });

  it('derives the infoHash p2p-media-loader announces', () => {
    const id = 'v2-0b7a6c4e-1f1e-4c55-9a7b-1d2e3f4a5b6c-main-AbCdEf==';
    expect(swarmInfoHash(id)).toBe(getStreamHash(id));
    expect(swarmInfoHash(id)).toHaveLength(20);
    expect(variantInfoHash('uuid', 'short')).toBe(getStreamHash('v2-uuid-main-short'));
  });

  it('counts seeders and leechers of a scrape answer', () => {
    expect(countPeers({ a: { complete: 1, incomplete: 2 }, b: { incomplete: 1 } })).toBe(4);
    expect(countPeers({})).toBe(0);
  });
});
