import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import IORedis from 'ioredis';
import { Client } from 'pg';
import yaml from 'js-yaml';
import { ApiClient } from '../../../client/src/api/http';
import { login } from '../../../client/src/api/auth';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ROOT_PASSWORD = 'root-test-password';

/** A port free now; it may be taken before it is bound (TestServer.start retries on EADDRINUSE). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type ConfigOverrides = DeepPartial<Record<string, unknown>> & Record<string, unknown>;

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * A real Flotilla server process on its own port, database, Redis key prefix and storage folder.
 * `stop()` kills it and removes all three; `restart()` keeps them (for resume/restart tests).
 */
export class TestServer {
  proc: ChildProcess | null = null;
  output = '';
  readonly api: ApiClient;

  private constructor(
    readonly port: number,
    readonly dbName: string,
    readonly storage: string,
    readonly configFile: string,
    readonly redisPrefix: string,
    private readonly env: Record<string, string>,
    /** A second process on another server's database, Redis prefix and storage: `stop()` leaves those to it. */
    private readonly sibling = false,
  ) {
    this.api = new ApiClient(this.url);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(overrides: ConfigOverrides = {}, env: Record<string, string> = {}): Promise<TestServer> {
    // freePort() closes its probe before the server binds: another worker may take the port in
    // between. The server then fails with EADDRINUSE before listening; try again on another port.
    for (let attempt = 1; ; attempt++) {
      try {
        return await TestServer.startOnce(overrides, env);
      } catch (err) {
        if (attempt >= 4 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
      }
    }
  }

  private static async startOnce(overrides: ConfigOverrides, env: Record<string, string>): Promise<TestServer> {
    const port = await freePort();
    const id = randomBytes(5).toString('hex');
    const dbName = `flotilla_test_${id}`;
    const storage = await mkdtemp(join(tmpdir(), `flotilla-test-${id}-`));
    const redisPrefix = `flotilla_test_${id}`;
    const base = {
      listen: { hostname: '127.0.0.1', port },
      webserver: { https: false, hostname: '127.0.0.1', port },
      database: { name: dbName },
      redis: { prefix: redisPrefix },
      storage: { root: storage },
    };
    const configFile = join(storage, 'test-config.yaml');
    await writeFile(configFile, yaml.dump(deepMerge(base, overrides)));
    const server = new TestServer(port, dbName, storage, configFile, redisPrefix, env);
    try {
      await server.spawn();
    } catch (err) {
      // A server that never listened still leaves no process, database or files behind.
      await server.stop().catch(() => undefined);
      throw err;
    }
    return server;
  }

  /**
   * A second server process on this one's database, Redis prefix and storage, listening on its own
   * port but with the same public URL: two processes behind one proxy. Stop it before `of`.
   */
  static async sibling(of: TestServer, overrides: ConfigOverrides = {}, env: Record<string, string> = {}): Promise<TestServer> {
    const port = await freePort();
    const configFile = join(of.storage, `test-config-${port}.yaml`);
    const base = yaml.load(await readFile(of.configFile, 'utf8')) as Record<string, unknown>;
    await writeFile(configFile, yaml.dump(deepMerge(deepMerge(base, { listen: { hostname: '127.0.0.1', port } }), overrides)));
    const server = new TestServer(port, of.dbName, of.storage, configFile, of.redisPrefix, { ...of.env, ...env }, true);
    try {
      await server.spawn();
    } catch (err) {
      await server.kill().catch(() => undefined);
      throw err;
    }
    return server;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, [join(REPO_ROOT, 'server/dist/main.js')], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          FLOTILLA_CONFIG: this.configFile,
          FLOTILLA_INITIAL_ROOT_PASSWORD: ROOT_PASSWORD,
          ...this.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.proc = proc;
      const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${this.output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
        if (this.output.includes('FLOTILLA_LISTENING')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before listening:\n${this.output}`));
      });
    });
  }

  /** A fresh client logged in as `username` (root by default). */
  async login(username = 'root', password = ROOT_PASSWORD): Promise<ApiClient> {
    const api = new ApiClient(this.url);
    await login(api, username, password);
    return api;
  }

  /** Stops the process (SIGTERM, or the given signal) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      proc.kill(signal);
    });
    this.proc = null;
  }

  /** Restarts the process; `overrides` are merged into its configuration first (a changed setting across a restart). */
  async restart(overrides?: ConfigOverrides): Promise<void> {
    await this.kill();
    if (overrides) {
      const base = yaml.load(await readFile(this.configFile, 'utf8')) as Record<string, unknown>;
      await writeFile(this.configFile, yaml.dump(deepMerge(base, overrides)));
    }
    this.output = '';
    await this.spawn();
  }

  /** Kills the server and removes its database, Redis keys and files. */
  async stop(): Promise<void> {
    await this.kill();
    if (this.sibling) return;
    const pg = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await pg.connect();
    try {
      await pg.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
    } finally {
      await pg.end();
    }
    const redis = new IORedis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisPrefix}*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    await rm(this.storage, { recursive: true, force: true });
  }

  /** Runs SQL against this server's database (for assertions on what was stored). */
  async sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    const pg = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: this.dbName });
    await pg.connect();
    try {
      return (await pg.query(query, params)).rows as T[];
    } finally {
      await pg.end();
    }
  }
}

/**
 * Asserts that a promise rejects with an ApiError of this status (and code, when given), answered as
 * problem+json: Content-Type application/problem+json and a body with type, title, status (equal to
 * the HTTP status), detail and a non-empty code.
 */
export async function expectProblem(p: Promise<unknown>, status: number, code?: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    const e = err as { status?: number; code?: string; problem?: Record<string, unknown> | null; headers?: Headers; message: string };
    if (e.status !== status || (code !== undefined && e.code !== code)) {
      throw new Error(`expected ${status}${code ? ` ${code}` : ''}, got ${e.status} ${e.code}: ${e.message}`);
    }
    assertProblemShape(e.headers?.get('content-type') ?? null, e.problem ?? null, status);
    return;
  }
  throw new Error(`expected ${status}${code ? ` ${code}` : ''}, but the request succeeded`);
}

/** The problem+json contract of every error answer (style.md): type, title, status, detail, code. */
export function assertProblemShape(contentType: string | null, body: Record<string, unknown> | null, status: number): void {
  if (!contentType?.startsWith('application/problem+json')) {
    throw new Error(`expected Content-Type application/problem+json for a ${status}, got ${contentType}`);
  }
  const b = body ?? {};
  const bad = [
    typeof b.type !== 'string' && 'type',
    (typeof b.title !== 'string' || !b.title) && 'title',
    b.status !== status && 'status',
    typeof b.detail !== 'string' && 'detail',
    (typeof b.code !== 'string' || !b.code) && 'code',
  ].filter(Boolean);
  if (bad.length) throw new Error(`problem body lacks or mistypes ${bad.join(', ')}: ${JSON.stringify(body)}`);
}
