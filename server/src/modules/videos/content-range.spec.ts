import { describe, expect, it } from 'vitest';
import { parseContentRange, rangeHeader } from './content-range';

describe('parseContentRange', () => {
  it('reads chunks and status queries', () => {
    expect(parseContentRange('bytes 0-99/1000')).toEqual({ kind: 'chunk', first: 0, last: 99, total: 1000 });
    expect(parseContentRange('bytes */1000')).toEqual({ kind: 'query', total: 1000 });
  });
  it('refuses malformed or impossible ranges', () => {
    for (const h of [undefined, '', 'bytes 5-4/10', 'bytes 0-10/10', 'items 0-1/2', 'bytes -1-3/9', 'bytes 0-1/']) {
      expect(parseContentRange(h)).toBeNull();
    }
  });
  it('answers Range only when bytes are held', () => {
    expect(rangeHeader(0)).toBeNull();
    expect(rangeHeader(100)).toBe('bytes=0-99');
  });
});

import { hlsDirectory, isSafeFilename } from '../media-files/file-paths';

describe('isSafeFilename', () => {
  it('accepts generated names and refuses anything that could leave a folder', () => {
    expect(isSafeFilename('0b6c1e9e-4a6f-4d5e-9f59-2c1e7b0f1a2b-720.mp4')).toBe(true);
    expect(isSafeFilename('abc-master.m3u8')).toBe(true);
    for (const bad of ['..', '../x', 'a/b', 'a\\b', '/etc/passwd', '.hidden', 'a..b', '', 'a\0b', 'x'.repeat(300), '%2e%2e']) {
      expect(isSafeFilename(bad), bad).toBe(false);
    }
  });
  it('builds HLS folders only from UUIDs', () => {
    const config = { paths: { streamingPlaylists: '/data/streaming-playlists' } } as Parameters<typeof hlsDirectory>[0];
    expect(hlsDirectory(config, '0B6C1E9E-4A6F-4D5E-9F59-2C1E7B0F1A2B')).toBe('/data/streaming-playlists/hls/0b6c1e9e-4a6f-4d5e-9f59-2c1e7b0f1a2b');
    expect(() => hlsDirectory(config, '../../etc')).toThrow();
  });
});
