// Builds a small two-rendition HLS video the way PeerTube lays it out (fMP4, one byte-range file per
// rendition) plus its segments-sha256.json, with ffmpeg. Cached in a temp folder.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_UUID = '5f3c2a1e-8b7d-4c6e-9f00-a1b2c3d4e5f6';

export function buildFixture(dir = '/tmp/flotilla-fixture', seconds = 20) {
  mkdirSync(dir, { recursive: true });
  const u = FIXTURE_UUID;
  const master = join(dir, `${u}-master.m3u8`);
  if (!existsSync(master)) {
    execFileSync('ffmpeg', [
      '-y', '-loglevel', 'error',
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(seconds),
      '-filter_complex', '[0:v]split=2[a][b];[a]scale=854:480[v1];[b]scale=426:240[v2];[1:a]asplit=2[a1][a2]',
      '-map', '[v1]', '-map', '[a1]', '-map', '[v2]', '-map', '[a2]',
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
      '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-c:a', 'aac', '-b:a', '96k',
      '-b:v:0', '1200k', '-b:v:1', '300k',
      '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_flags', 'single_file',
      '-var_stream_map', 'v:0,a:0,name:480 v:1,a:1,name:240',
      '-master_pl_name', `${u}-master.m3u8`, '-hls_segment_filename', join(dir, `${u}-%v-fragmented.mp4`), join(dir, `${u}-%v.m3u8`),
    ]);
    execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-ss', '3', '-i', join(dir, `${u}-480-fragmented.mp4`), '-frames:v', '1', '-vf', 'scale=640:-2', join(dir, 'thumb.jpg')]);
  }
  // PeerTube's format: { "<segment file>": { "<start>-<end inclusive>": sha256 } }
  const hashes = {};
  for (const res of ['480', '240']) {
    const playlist = readFileSync(join(dir, `${u}-${res}.m3u8`), 'utf8');
    const file = `${u}-${res}-fragmented.mp4`;
    const bytes = readFileSync(join(dir, file));
    hashes[file] = {};
    for (const m of playlist.matchAll(/#EXT-X-BYTERANGE:(\d+)@(\d+)/g)) {
      const len = Number(m[1]);
      const off = Number(m[2]);
      hashes[file][`${off}-${off + len - 1}`] = createHash('sha256').update(bytes.subarray(off, off + len)).digest('hex');
    }
  }
  writeFileSync(join(dir, `${u}-segments-sha256.json`), JSON.stringify(hashes));
  return { dir, uuid: u, seconds };
}
