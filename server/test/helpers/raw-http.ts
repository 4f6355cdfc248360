import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestServer } from './test-server';

export interface RawAnswer {
  status: number;
  contentType: string;
  headers: Headers;
  body: unknown;
}

/** One request with exactly these bytes and headers (no client-side validation or encoding). */
export async function send(
  server: TestServer,
  method: string,
  path: string,
  opts: { token?: string | null; headers?: Record<string, string>; body?: string | Uint8Array; json?: unknown; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(server.url + path, {
    method,
    headers,
    body: body as BodyInit | undefined,
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // kept as text
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, body: parsed };
}

/** A 4xx answer is PeerTube's problem+json: the media type and the fields clients read. */
export function problemShapeError(a: RawAnswer): string | null {
  if (!a.contentType.startsWith('application/problem+json')) return `content-type ${a.contentType}`;
  const b = a.body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object') return 'no JSON body';
  for (const k of ['type', 'title', 'detail', 'code']) if (typeof b[k] !== 'string') return `no string ${k}`;
  if (b.status !== a.status) return `status field ${String(b.status)}`;
  return null;
}

/**
 * Sends the head and `sent` bytes of a body announced as `announced` bytes long, then drops the
 * connection: an upload cut off mid-body.
 */
export function abortMidBody(server: TestServer, path: string, headers: Record<string, string>, announced: number, sent: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const req = request(server.url + path, { method: 'POST', headers: { ...headers, 'Content-Length': String(announced) } });
    req.on('error', () => resolve());
    req.write(sent, () => setTimeout(() => {
      req.destroy();
      resolve();
    }, 200));
  });
}

/** Every file under the server's storage except its config, with its size. */
export async function storageSnapshot(server: TestServer): Promise<Map<string, number>> {
  const { stat } = await import('node:fs/promises');
  const out = new Map<string, number>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name !== 'test-config.yaml') out.set(p, (await stat(p).catch(() => null))?.size ?? -1);
    }
  };
  await walk(server.storage);
  return out;
}

export function newFiles(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after.keys()].filter((k) => !before.has(k));
}
