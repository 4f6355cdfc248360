import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { freePort, TestServer } from '../../server/test/helpers/test-server';
import type { BenchRow } from './report';

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  return kb / 1024;
}

async function firstAnswer(url: string, since: number, timeoutMs = 60_000): Promise<number> {
  while (Date.now() - since < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.ok) return Date.now() - since;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} did not answer`);
}

async function load(url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: 20, duration: seconds });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} non-2xx answers from ${url}`);
  return result.requests.average;
}

/** A bare Node HTTP server answering a fixed JSON body: the floor Flotilla's stack is compared with. */
async function bareServer(body: string): Promise<{ url: string; pid: number; startMs: number; stop: () => void }> {
  const port = await freePort();
  const code = `require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json; charset=utf-8'});s.end(process.env.BODY)}).listen(${port},'127.0.0.1')`;
  const t0 = Date.now();
  const proc = spawn(process.execPath, ['-e', code], { env: { ...process.env, BODY: body }, stdio: 'ignore' });
  const startMs = await firstAnswer(`http://127.0.0.1:${port}/`, t0);
  return { url: `http://127.0.0.1:${port}/`, pid: proc.pid!, startMs, stop: () => proc.kill('SIGKILL') };
}

export async function foundationBench(): Promise<BenchRow[]> {
  const overrides = { rates_limit: { enabled: false }, log: { level: 'warn' } };
  // Cold start: empty database (migrations, keys, root user) until the first answered request.
  const t0 = Date.now();
  const server = await TestServer.start(overrides);
  const coldMs = await firstAnswer(`${server.url}/api/v1/config`, t0);
  let bare: Awaited<ReturnType<typeof bareServer>> | null = null;
  try {
    // Warm start: same database, schema up to date.
    await server.kill();
    const t1 = Date.now();
    const restarted = server.restart();
    const warmMs = await firstAnswer(`${server.url}/api/v1/config`, t1);
    await restarted;

    const configBody = await (await fetch(`${server.url}/api/v1/config`)).text();
    bare = await bareServer(configBody);
    await new Promise((r) => setTimeout(r, 3000));
    const idle = rssMiB(server.proc!.pid!);
    const bareIdle = rssMiB(bare.pid);

    await load(`${server.url}/api/v1/config`, 3); // warm-up (JIT)
    const rps = await load(`${server.url}/api/v1/config`, 10);
    await load(bare.url, 3);
    const bareRps = await load(bare.url, 10);

    return [
      { name: 'cold start (empty database) to first answered request', value: coldMs, unit: 'ms', baselineName: 'bare node http server start', baseline: bare.startMs, note: 'lower is better' },
      { name: 'warm start (migrated database) to first answered request', value: warmMs, unit: 'ms', baselineName: 'bare node http server start', baseline: bare.startMs, note: 'lower is better' },
      { name: 'idle RSS after start', value: idle, unit: 'MiB', baselineName: 'bare node http server', baseline: bareIdle, note: 'lower is better' },
      { name: 'GET /api/v1/config at 20 connections', value: rps, unit: 'req/s', baselineName: 'bare node http server, same JSON', baseline: bareRps, note: 'higher is better' },
    ];
  } finally {
    bare?.stop();
    await server.stop();
  }
}

export const name = 'foundation';
