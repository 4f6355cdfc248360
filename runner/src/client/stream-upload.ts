import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MultipartBody } from './multipart';

/**
 * Sends a streamed body with node:http. Node 20's fetch does not wait for the socket to drain
 * while sending a request body, so a large upload would end up whole in memory; node:http's
 * pipeline does respect back-pressure.
 */
export function streamUpload(
  url: string,
  method: string,
  body: MultipartBody,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(target, {
      method,
      signal,
      headers: { ...headers, 'content-type': body.contentType, 'content-length': String(body.contentLength) },
    });
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (text.length < 10_000) text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // The response may come early (e.g. 4xx before the body is read); its handler resolves then.
    pipeline(Readable.from(body.stream()), req).catch((err: Error) => reject(err));
  });
}
