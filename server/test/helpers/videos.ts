import { execFileSync } from 'node:child_process';
import { existsSync, openAsBlob, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClient } from '../../../client/src/api/http';

/** Generates a test clip with ffmpeg once (kept while the test's temp folder lives). */
export function makeClip(dir: string, name: string, opts: { seconds?: number; size?: string; lossless?: boolean; audioOnly?: boolean } = {}): string {
  const file = join(dir, name);
  if (existsSync(file)) return file;
  const seconds = String(opts.seconds ?? 10);
  const args = opts.audioOnly
    ? ['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', seconds, '-c:a', 'libmp3lame', file]
    : [
        '-f', 'lavfi', '-i', `testsrc2=size=${opts.size ?? '640x360'}:rate=25`, '-f', 'lavfi', '-i', 'sine', '-t', seconds,
        '-c:v', 'libx264', '-preset', 'ultrafast', ...(opts.lossless ? ['-qp', '0'] : []), '-pix_fmt', 'yuv420p', '-c:a', 'aac', file,
      ];
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  return file;
}

export interface Created {
  video: { id: number; uuid: string; shortUUID: string };
}

/** What PeerTube's CLI sends for `peertube upload -f file -n name` (plus extra fields). */
export async function legacyUpload(api: ApiClient, file: string, fields: Record<string, string>, mime = 'video/mp4'): Promise<Created> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('videofile', new Blob([await (await openAsBlob(file)).arrayBuffer()], { type: mime }), file.split('/').pop());
  return api.request<Created>('POST', '/api/v1/videos/upload', { body: form });
}

/** POST init of a resumable upload; returns the path with `?upload_id=`. */
export async function initResumable(api: ApiClient, size: number, metadata: Record<string, unknown>, type = 'video/mp4'): Promise<string> {
  const res = await api.raw('POST', '/api/v1/videos/upload-resumable', {
    json: metadata,
    headers: { 'X-Upload-Content-Length': String(size), 'X-Upload-Content-Type': type },
  });
  if (res.status !== 201) throw new Error(`init answered ${res.status}`);
  const location = res.headers.get('location');
  if (!location?.includes('upload_id=')) throw new Error(`bad Location ${location}`);
  return location;
}

export function putChunk(api: ApiClient, location: string, bytes: Uint8Array, first: number, total: number) {
  return api.raw('PUT', location, {
    body: bytes,
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Range': `bytes ${first}-${first + bytes.length - 1}/${total}`,
    },
    okStatuses: [308],
  });
}

/** Uploads a file in chunks; returns the final answer and the statuses seen. */
export async function resumableUpload(api: ApiClient, file: string, metadata: Record<string, unknown>, chunkSize: number) {
  const data = readFileSync(file);
  const location = await initResumable(api, data.length, metadata);
  const statuses: number[] = [];
  let last = null as Awaited<ReturnType<typeof putChunk>> | null;
  for (let first = 0; first < data.length; first += chunkSize) {
    last = await putChunk(api, location, data.subarray(first, Math.min(first + chunkSize, data.length)), first, data.length);
    statuses.push(last.status);
  }
  return { location, statuses, created: JSON.parse(last!.text) as Created };
}
