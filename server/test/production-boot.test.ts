import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { ApiClient } from '../../client/src/api/http';
import { login } from '../../client/src/api/auth';
import { freePort, REPO_ROOT } from './helpers/test-server';

/** The operator's path: `FLOTILLA_CONFIG=extra.yaml NODE_ENV=production npm run server`. */
describe('npm run server with NODE_ENV=production and FLOTILLA_CONFIG', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-prod-'));
  const dbName = `flotilla_prod_${process.pid}_${Date.now() % 100000}`;
  const prefix = `flotilla_prodtest_${process.pid}`;
  let proc: ChildProcess | null = null;

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      // npm does not pass signals on to the server it started: stop the whole process group.
      await new Promise<void>((r) => {
        proc!.once('exit', () => r());
        process.kill(-proc!.pid!, 'SIGTERM');
      });
    }
    const pg = new Client({ host: '127.0.0.1', user: 'postgres', database: 'postgres' });
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await pg.end();
    const redis = new IORedis({ host: '127.0.0.1', port: 6379, db: 5 });
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on the port, uses the database and Redis db of the file, and creates root from the env', async () => {
    const port = await freePort();
    const file = join(dir, 'extra.yaml');
    writeFileSync(
      file,
      [
        `listen: { hostname: 127.0.0.1, port: ${port} }`,
        `webserver: { https: false, hostname: 127.0.0.1, port: ${port} }`,
        // A Unix socket folder as the database host, as operators often configure it.
        `database: { hostname: /var/run/postgresql, name: ${dbName} }`,
        `redis: { db: 5, prefix: ${prefix} }`,
        `storage: { root: ${join(dir, 'storage')} }`,
        `log: { level: warn }`,
      ].join('\n'),
    );
    proc = spawn('npm', ['run', 'server', '--silent'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: 'production', FLOTILLA_CONFIG: file, FLOTILLA_INITIAL_ROOT_PASSWORD: 'prod-root-pass' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so that npm and the server stop together
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no start:\n${out}`)), 60_000);
      const on = (c: Buffer) => {
        out += c.toString();
        if (out.includes('FLOTILLA_LISTENING')) {
          clearTimeout(t);
          resolve();
        }
      };
      proc!.stdout!.on('data', on);
      proc!.stderr!.on('data', on);
      proc!.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
    });
    expect(out).toContain(`port=${port}`);
    // The generated-password banner is not printed when the env variable chose the password.
    expect(out).not.toContain('password:');

    const api = new ApiClient(`http://127.0.0.1:${port}`);
    await login(api, 'root', 'prod-root-pass');
    const me = await api.get<{ username: string }>('/api/v1/users/me');
    expect(me.username).toBe('root');

    const pg = new Client({ host: '127.0.0.1', user: 'postgres', database: dbName });
    await pg.connect();
    const { rows } = await pg.query(`SELECT username FROM "user"`);
    await pg.end();
    expect(rows).toEqual([{ username: 'root' }]);

    // Login rate-limit counters live in Redis db 5 under the configured prefix.
    const redis = new IORedis({ host: '127.0.0.1', port: 6379, db: 5 });
    const keys = await redis.keys(`${prefix}*`);
    redis.disconnect();
    expect(keys.length).toBeGreaterThan(0);
  });
});

describe('first boot without FLOTILLA_INITIAL_ROOT_PASSWORD', () => {
  it('generates a root password, prints it once, and it logs in', async () => {
    const { TestServer } = await import('./helpers/test-server');
    const server = await TestServer.start({}, { FLOTILLA_INITIAL_ROOT_PASSWORD: '' });
    try {
      const m = /password: (\S+)/.exec(server.output);
      expect(m).not.toBeNull();
      await server.login('root', m![1]);
      await server.restart();
      expect(server.output).not.toContain('password:');
      await server.login('root', m![1]);
    } finally {
      await server.stop();
    }
  });
});
