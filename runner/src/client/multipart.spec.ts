import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMultipartBody } from './multipart';

describe('buildMultipartBody', () => {
  it('produces a body that standard parsers read, with an exact Content-Length', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-'));
    const file = join(dir, 'x-720.m3u8');
    writeFileSync(file, '#EXTM3U\n');
    const body = await buildMultipartBody({ runnerToken: 'ptrt-1' }, { 'payload[resolutionPlaylistFile]': file });
    const chunks: Buffer[] = [];
    for await (const c of body.stream()) chunks.push(Buffer.from(c));
    const raw = Buffer.concat(chunks);
    expect(raw.length).toBe(body.contentLength);

    const form = await new Response(raw, { headers: { 'content-type': body.contentType } }).formData();
    expect(form.get('runnerToken')).toBe('ptrt-1');
    const part = form.get('payload[resolutionPlaylistFile]') as File;
    expect(part.name).toBe('x-720.m3u8');
    expect(await part.text()).toBe('#EXTM3U\n');
  });
});
