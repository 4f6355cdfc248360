import { describe, expect, it } from 'vitest';
import { offsetChunkName, rewriteContinuedPlaylist } from './live-playlists';

const playlist = (first: number, n: number) =>
  ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', `#EXT-X-MEDIA-SEQUENCE:${first}`, ...Array.from({ length: n }, (_, i) => [`#EXT-X-PROGRAM-DATE-TIME:2026-12-04T15:00:0${i}.000+0000`, '#EXTINF:2.000000,', `1-${String(first + i).padStart(6, '0')}.ts`]).flat(), ''].join('\n');

describe('live playlists of a continued session', () => {
  it('shifts chunk names by the offset', () => {
    expect(offsetChunkName('1-000003.ts', 10)).toBe('1-000013.ts');
    expect(offsetChunkName('0-999999.ts', 5)).toBe('0-1000004.ts');
    expect(offsetChunkName('1-000003.ts', 0)).toBe('1-000003.ts');
  });

  it('leaves the first job of a session as the runner wrote it', () => {
    expect(rewriteContinuedPlaylist(playlist(0, 3), 0, 0)).toBe(playlist(0, 3));
  });

  it('marks the restart while its first chunk is in the window, and counts it once it left', () => {
    const visible = rewriteContinuedPlaylist(playlist(0, 2), 20, 1).split('\n');
    expect(visible).toContain('#EXT-X-MEDIA-SEQUENCE:20');
    expect(visible).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:0');
    const d = visible.indexOf('#EXT-X-DISCONTINUITY');
    expect(d).toBeGreaterThan(0);
    expect(visible.slice(d + 1, d + 4)).toContain('1-000020.ts');
    expect(visible.indexOf('1-000020.ts')).toBeGreaterThan(d);
    expect(visible).toContain('1-000021.ts');

    const later = rewriteContinuedPlaylist(playlist(3, 2), 20, 1).split('\n');
    expect(later).toContain('#EXT-X-MEDIA-SEQUENCE:23');
    expect(later).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:1');
    expect(later).not.toContain('#EXT-X-DISCONTINUITY');
    expect(later).toContain('1-000023.ts');
  });
});
