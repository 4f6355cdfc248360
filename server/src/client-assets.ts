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

/**
 * Brotli when the browser takes it, else gzip, else none. Asked one by one (Express's negotiation
 * honours q-values and q=0 refusals) because browsers list gzip first at equal weight and brotli
 * is the smaller file.
 */
function pickEncoding(req: Request, available: { br: boolean; gzip: boolean }): 'br' | 'gzip' | null {
  if (available.br && req.acceptsEncodings('br') === 'br') return 'br';
  if (available.gzip && req.acceptsEncodings('gzip') === 'gzip') return 'gzip';
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
    const encoding = pickEncoding(req, { br: files.has(`${name}.br`), gzip: files.has(`${name}.gz`) });
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
