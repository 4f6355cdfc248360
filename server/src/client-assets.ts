/**
 * The web client's hashed assets (`/assets/<name>-<hash>.<ext>`), sent precompressed when the
 * browser accepts it. The build writes `.br` and `.gz` beside each asset (client/vite.config.ts);
 * this lists them once at boot and answers only for names in that list, so no path from a request
 * ever reaches the file system. Names carry their content hash: cached for a year, immutable.
 */
import type { NextFunction, Request, Response } from 'express';
import { existsSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';

export const IMMUTABLE = 'public, max-age=31536000, immutable';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Picks the encoding to send: brotli, then gzip, honouring q=0 refusals. */
export function pickEncoding(acceptEncoding: string | undefined, available: { br: boolean; gzip: boolean }): 'br' | 'gzip' | null {
  if (!acceptEncoding) return null;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (!coding) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(coding, q === undefined ? 1 : Number(q));
  }
  const ok = (c: string) => (accepted.get(c) ?? accepted.get('*') ?? 0) > 0;
  if (available.br && ok('br')) return 'br';
  if (available.gzip && ok('gzip')) return 'gzip';
  return null;
}

export function precompressedAssets(clientDist: string) {
  const dir = join(clientDist, 'assets');
  const files = new Set(existsSync(dir) ? readdirSync(dir) : []);
  return (req: Request, res: Response, next: NextFunction): void => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.path.startsWith('/assets/')) return next();
    const name = req.path.slice('/assets/'.length);
    const type = TYPES[extname(name)];
    if (!type || !files.has(name)) return next();
    res.setHeader('Vary', 'Accept-Encoding');
    const encoding = pickEncoding(req.headers['accept-encoding'], { br: files.has(`${name}.br`), gzip: files.has(`${name}.gz`) });
    if (!encoding) return next(); // the plain file, through express.static
    res.sendFile(join(dir, encoding === 'br' ? `${name}.br` : `${name}.gz`), {
      headers: { 'Content-Type': type, 'Content-Encoding': encoding, 'Cache-Control': IMMUTABLE },
      cacheControl: false,
      acceptRanges: false,
    }, (err) => {
      if (err && !res.headersSent) next();
    });
  };
}
