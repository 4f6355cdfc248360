import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';

/**
 * A multipart/form-data body streamed from disk with a known Content-Length. Node's FormData with
 * file Blobs reads each file whole into memory before sending; a 10 GB rendition must not.
 */
export interface MultipartBody {
  contentType: string;
  contentLength: number;
  /** Can be iterated once; give it to fetch with `duplex: 'half'`. */
  stream: () => AsyncIterable<Uint8Array>;
}

export async function buildMultipartBody(fields: Record<string, string>, files: Record<string, string>): Promise<MultipartBody> {
  const boundary = `----flotilla-${randomBytes(12).toString('hex')}`;
  const parts: ({ kind: 'bytes'; data: Buffer } | { kind: 'file'; path: string; size: number })[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push({ kind: 'bytes', data: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`) });
  }
  for (const [name, path] of Object.entries(files)) {
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"; filename="${quote(basename(path))}"\r\n` +
      `Content-Type: ${contentTypeOf(path)}\r\n\r\n`;
    parts.push({ kind: 'bytes', data: Buffer.from(head) });
    parts.push({ kind: 'file', path, size: (await stat(path)).size });
    parts.push({ kind: 'bytes', data: Buffer.from('\r\n') });
  }
  parts.push({ kind: 'bytes', data: Buffer.from(`--${boundary}--\r\n`) });

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: parts.reduce((n, p) => n + (p.kind === 'bytes' ? p.data.length : p.size), 0),
    stream: async function* () {
      for (const p of parts) {
        if (p.kind === 'bytes') yield p.data;
        else yield* createReadStream(p.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
      }
    },
  };
}

function quote(value: string): string {
  return value.replace(/["\r\n]/g, '_');
}

function contentTypeOf(path: string): string {
  if (path.endsWith('.m3u8')) return 'application/vnd.apple.mpegurl';
  if (path.endsWith('.mp4')) return 'video/mp4';
  if (path.endsWith('.ts')) return 'video/mp2t';
  return 'application/octet-stream';
}
