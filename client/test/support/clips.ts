/// <reference types="node" />
/** Test media for the browser scenarios: a generated clip, and the one-request upload PeerTube's CLI uses. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClient } from '../../src/api/http';

/**
 * testsrc2 + a sine tone, H.264 (ultrafast) / AAC, yuv420p; `lossless` makes a big file quickly.
 * `keyframeSeconds` sets the GOP (x264's default is 10 s at 25 fps): a remuxed rung's HLS segments
 * can only cut at keyframes, so it decides their length.
 */
export function makeClip(dir: string, name: string, opts: { seconds: number; size: string; lossless?: boolean; keyframeSeconds?: number }): string {
  const file = join(dir, name);
  if (existsSync(file)) return file;
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${opts.size}:rate=25`, '-f', 'lavfi', '-i', 'sine', '-t', String(opts.seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', ...(opts.lossless ? ['-qp', '0'] : []),
    ...(opts.keyframeSeconds ? ['-g', String(25 * opts.keyframeSeconds)] : []), '-pix_fmt', 'yuv420p', '-c:a', 'aac', file,
  ]);
  return file;
}

/** POST /api/v1/videos/upload (multipart), for videos the scenario does not upload through the UI. */
export function uploadVideo(api: ApiClient, file: string, fields: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('videofile', new Blob([new Uint8Array(readFileSync(file))], { type: 'video/mp4' }), file.split('/').pop());
  return api.request<{ video: { id: number; uuid: string; shortUUID: string } }>('POST', '/api/v1/videos/upload', { body: form });
}
