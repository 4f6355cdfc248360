/// <reference types="node" />
/**
 * The real back end for browser tests, started from inside a loopback-only network namespace
 * (see loopback-netns.ts): a private redis-server on the namespace's loopback, PostgreSQL through
 * its Unix socket (the host's TCP port is not reachable from here), and the built server with its
 * embedded runner transcoding through real ffmpeg.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { Client } from 'pg';
import { freePort, TestServer, type ConfigOverrides } from '../../../server/test/helpers/test-server';

export const PG_SOCKET_DIR = '/var/run/postgresql';

export interface Stack {
  server: TestServer;
  /** Kills the server (and so its runner), drops its database, removes its files, stops Redis. */
  stop(): Promise<void>;
}

async function startRedis(): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  // No persistence: this Redis lives and dies with the test.
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const c = new Socket();
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
      c.connect(port, '127.0.0.1');
    }).catch(() => false);
    if (up) return { port, proc };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error('redis-server did not listen');
}

/** Drops a test database through the Unix socket (works inside and outside the namespace). */
export async function dropDatabase(dbName: string): Promise<void> {
  const pg = new Client({ host: PG_SOCKET_DIR, user: 'postgres', database: 'postgres' });
  try {
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  } finally {
    await pg.end().catch(() => undefined);
  }
}

export async function startStack(overrides: ConfigOverrides = {}): Promise<Stack> {
  const redis = await startRedis();
  const stopRedis = () => {
    if (redis.proc.exitCode === null) redis.proc.kill('SIGKILL');
  };
  let server: TestServer;
  try {
    server = await TestServer.start({
      database: { hostname: PG_SOCKET_DIR },
      redis: { hostname: '127.0.0.1', port: redis.port },
      // Several browsers share 127.0.0.1: the per-IP API limit would throttle them.
      rates_limit: { api: { max: 100_000 } },
      transcoding: { enabled: true },
      runners: { embedded: { enabled: true, concurrency: 1, ffmpeg_threads: 2, ffmpeg_nice: 0 } },
      federation: { enabled: false },
      ...overrides,
    });
  } catch (err) {
    stopRedis();
    throw err;
  }
  // For the process outside the namespace: what to remove if this one is killed before stop()
  // (one line per stack: federation scenarios start several).
  if (process.env.FLOTILLA_NETNS_RESULT) {
    appendFileSync(`${process.env.FLOTILLA_NETNS_RESULT}.stack`, JSON.stringify({ dbName: server.dbName, storage: server.storage }) + '\n');
  }
  return {
    server,
    async stop() {
      await server.kill().catch(() => undefined);
      // TestServer.stop() reaches PostgreSQL and Redis over TCP, which this namespace does not have.
      try {
        await dropDatabase(server.dbName);
      } finally {
        await rm(server.storage, { recursive: true, force: true });
        stopRedis();
      }
    },
  };
}
