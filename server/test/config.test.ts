import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, TestServer } from './helpers/test-server';

describe('GET /api/v1/config', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start({ instance: { name: 'Test Flotilla' }, uploads: { max_chunk_size: 5_000_000 } });
  });
  afterAll(async () => server?.stop());

  it('has the keys PeerTube clients read, with this instance\u2019s values', async () => {
    const c = await server.api.get<Record<string, any>>('/api/v1/config');
    expect(c.serverVersion).toBe('7.0.0');
    expect(c.instance.name).toBe('Test Flotilla');
    expect(c.client.videos.resumableUpload.maxChunkSize).toBe(5_000_000);
    expect(c.signup).toMatchObject({ allowed: true, requiresEmailVerification: false });
    expect(c.transcoding.enabledResolutions).toEqual([240, 360]);
    for (const key of ['live', 'import', 'video', 'avatar', 'user', 'tracker', 'fieldsConstraints', 'views', 'defaults', 'search', 'plugin', 'theme']) {
      expect(c).toHaveProperty(key);
    }
    const about = await server.api.get<Record<string, any>>('/api/v1/config/about');
    expect(about.instance.name).toBe('Test Flotilla');
  });

  it('answers unknown API routes with a problem+json 404', async () => {
    const res = await fetch(`${server.url}/api/v1/does-not-exist`);
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe('route_not_found');
    const bad = await fetch(`${server.url}/api/v1/users/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const huge = await fetch(`${server.url}/api/v1/users/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'y'.repeat(2_000_000) }) });
    expect(huge.status).toBe(413);
  });
});

describe('config validation at boot', () => {
  it('stops with a message naming the bad key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-badcfg-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'listen:\n  port: "not a port"\ndatabase:\n  pool:\n    max: 0\n');
      const res = spawnSync(process.execPath, [join(REPO_ROOT, 'server/dist/main.js')], {
        env: { ...process.env, NODE_ENV: 'test', FLOTILLA_CONFIG: file },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(res.status).toBe(78);
      expect(res.stderr).toContain('listen.port');
      expect(res.stderr).toContain('database.pool.max');
      const missing = spawnSync(process.execPath, [join(REPO_ROOT, 'server/dist/main.js')], {
        env: { ...process.env, FLOTILLA_CONFIG: join(dir, 'nope.yaml') },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(missing.status).toBe(78);
      expect(missing.stderr).toContain('nope.yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
