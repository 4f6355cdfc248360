import { describe, expect, it } from 'vitest';
import { buildMasterPlaylist, byteRanges, codecsOf, InvalidPlaylistError, rangeKey, rewriteMediaPlaylist } from './hls-playlists';

const runnerPlaylist = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-TARGETDURATION:4',
  '#EXT-X-MEDIA-SEQUENCE:0',
  '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXT-X-MAP:URI="abc-240-fragmented.mp4",BYTERANGE="812@0"',
  '#EXTINF:4.000000,',
  '#EXT-X-BYTERANGE:51234@812',
  'abc-240-fragmented.mp4',
  '#EXTINF:2.500000,',
  '#EXT-X-BYTERANGE:30000@52046',
  'abc-240-fragmented.mp4',
  '#EXT-X-ENDLIST',
  '',
].join('\n');

describe('HLS playlists', () => {
  it('renames the single fMP4 file everywhere in a media playlist', () => {
    const out = rewriteMediaPlaylist(runnerPlaylist, 'abc-240-fragmented.mp4', 'f00-240-fragmented.mp4');
    expect(out).not.toContain('abc-');
    expect(out.match(/f00-240-fragmented\.mp4/g)).toHaveLength(3);
    expect(out).toContain('#EXT-X-MAP:URI="f00-240-fragmented.mp4",BYTERANGE="812@0"');
  });

  it('refuses playlists naming other files or paths', () => {
    expect(() => rewriteMediaPlaylist(runnerPlaylist.replace('\nabc-240-fragmented.mp4', '\n../../etc/passwd'), 'abc-240-fragmented.mp4', 'x.mp4')).toThrow(InvalidPlaylistError);
    expect(() => rewriteMediaPlaylist('not a playlist', 'a', 'b')).toThrow(InvalidPlaylistError);
    expect(() => rewriteMediaPlaylist('#EXTM3U\n#EXT-X-ENDLIST\n', 'a', 'b')).toThrow(/no segment/);
  });

  it('keys segment hashes by first-last byte, as PeerTube does (the init section is not a segment)', () => {
    const ranges = byteRanges(runnerPlaylist);
    expect(ranges).toEqual([{ length: 51234, offset: 812 }, { length: 30000, offset: 52046 }]);
    expect(ranges.map(rangeKey)).toEqual(['812-52045', '52046-82045']);
  });

  it('builds a master playlist with codecs browsers can check', () => {
    const codecs = codecsOf({
      duration: 10, bitrate: null, formatName: 'mov,mp4',
      video: { codec: 'h264', profile: 'High', level: 21, pixFmt: 'yuv420p', width: 426, height: 240, rotation: 0, fps: 25, bitrate: null },
      audio: { codec: 'aac', profile: 'LC', channels: 2, channelLayout: 'stereo', bitrate: null },
    });
    expect(codecs).toBe('avc1.640015,mp4a.40.2');
    const master = buildMasterPlaylist([{ playlistFileName: 'x-240.m3u8', bandwidth: 300000.4, width: 426, height: 240, fps: 25, codecs }]);
    expect(master).toBe('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=426x240,FRAME-RATE=25,CODECS="avc1.640015,mp4a.40.2"\nx-240.m3u8\n');
  });
});
