import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Server as SocketServer } from 'socket.io';

/**
 * A minimal stand-in for the server side of the runner protocol, enough to drive the runner's own
 * logic (loop, retries, aborts, uploads). The real server is tested against the runner elsewhere.
 */
export interface FakeJob {
  uuid: string;
  type: string;
  state: 'pending' | 'processing' | 'completed' | 'errored' | 'cancelled';
  payload: Record<string, unknown>;
  jobToken: string | null;
  inputFiles: Record<string, string>;
  updates: number[];
  aborts: string[];
  errors: string[];
  /** Fields and files (name → content) received on success. */
  success?: { fields: Record<string, string>; files: Record<string, { name: string; content: Buffer }> };
}

export interface Call {
  path: string;
  status: number;
}

type Override = (path: string, body: Record<string, unknown>) => { status: number; body?: unknown } | undefined;

export class FakeRunnerServer {
  url = '';
  readonly jobs = new Map<string, FakeJob>();
  readonly calls: Call[] = [];
  readonly runnerTokens = new Set<string>();
  registrationToken = 'ptrrt-test';
  /** Return a response to short-circuit a route (e.g. to simulate 503s). */
  override: Override | null = null;
  /** Jobs processing at once, at most, as seen by the server. */
  maxConcurrent = 0;
  private http!: Server;
  private io: SocketServer | null = null;

  async start(options: { socket?: boolean } = {}): Promise<this> {
    this.http = createServer((req, res) => void this.handle(req, res).catch((err: Error) => send(res, 500, { detail: err.message })));
    if (options.socket ?? true) {
      this.io = new SocketServer(this.http, { transports: ['websocket'] });
      this.io.of('/runners').use((socket, next) => {
        const token = (socket.handshake.auth as { runnerToken?: string }).runnerToken;
        next(token && this.runnerTokens.has(token) ? undefined : new Error('Unknown runner token'));
      });
    }
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.io?.disconnectSockets(true);
    await this.io?.close();
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  connectedRunners(): number {
    return this.io?.of('/runners').sockets.size ?? 0;
  }

  /** Adds a pending job. `inputs` maps payload URL fields (input.<key>) to local files. */
  addJob(type: string, output: Record<string, unknown>, inputs: Record<string, string>): FakeJob {
    const uuid = randomUUID();
    const input: Record<string, unknown> = {};
    for (const key of Object.keys(inputs)) input[key] = `${this.url}/api/v1/runners/jobs/${uuid}/files/videos/v/${key}`;
    if (type !== 'vod-audio-merge-transcoding') input.separatedAudioFileUrl = [];
    const job: FakeJob = {
      uuid, type, state: 'pending', payload: { input, output }, jobToken: null, inputFiles: inputs,
      updates: [], aborts: [], errors: [],
    };
    this.jobs.set(uuid, job);
    return job;
  }

  /** Cancels a job as an admin would: the runner's next update is refused. */
  cancel(job: FakeJob): void {
    job.state = 'cancelled';
  }

  ping(): void {
    this.io?.of('/runners').emit('available-jobs');
  }

  private processing(): number {
    return [...this.jobs.values()].filter((j) => j.state === 'processing').length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname.replace('/api/v1/runners', '');
    const isMultipart = (req.headers['content-type'] ?? '').startsWith('multipart/');
    let body: Record<string, unknown> = {};
    let files: Record<string, { name: string; content: Buffer }> = {};
    if (isMultipart) {
      const form = await new Request('http://x', { method: 'POST', headers: req.headers as Record<string, string>, body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } as RequestInit).formData();
      for (const [k, v] of form.entries()) {
        if (typeof v === 'string') body[k] = v;
        else files[k] = { name: (v as File).name, content: Buffer.from(await (v as File).arrayBuffer()) };
      }
    } else {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
    }
    const reply = (status: number, payload?: unknown) => {
      this.calls.push({ path, status });
      send(res, status, payload);
    };
    const o = this.override?.(path, body);
    if (o) return reply(o.status, o.body);

    if (path === '/register') {
      if (body.registrationToken !== this.registrationToken) return reply(404, { code: 'not_found', detail: 'Unknown registration token' });
      const runnerToken = `ptrt-${randomUUID()}`;
      this.runnerTokens.add(runnerToken);
      return reply(200, { id: this.runnerTokens.size, runnerToken });
    }
    if (!this.runnerTokens.has(body.runnerToken as string)) {
      return reply(404, { code: 'unknown_runner_token', detail: 'Unknown runner token' });
    }
    if (path === '/unregister') {
      this.runnerTokens.delete(body.runnerToken as string);
      return reply(204);
    }
    if (path === '/jobs/request') {
      const types = body.jobTypes as string[] | undefined;
      const availableJobs = [...this.jobs.values()]
        .filter((j) => j.state === 'pending' && (!types || types.includes(j.type)))
        .slice(0, 10)
        .map((j) => ({ uuid: j.uuid, type: j.type, payload: j.payload }));
      return reply(200, { availableJobs });
    }
    const m = /^\/jobs\/([^/]+)\/(accept|abort|update|error|success|files\/videos\/v\/(\w+))$/.exec(path);
    const job = m ? this.jobs.get(m[1]!) : undefined;
    if (!m || !job) return reply(404, { detail: 'Unknown runner job' });
    const action = m[2]!;
    if (action === 'accept') {
      if (job.state !== 'pending') return reply(409, { code: 'runner_job_not_in_pending_state' });
      job.state = 'processing';
      job.jobToken = `ptrjt-${randomUUID()}`;
      this.maxConcurrent = Math.max(this.maxConcurrent, this.processing());
      const now = new Date().toISOString();
      return reply(200, {
        job: {
          uuid: job.uuid, type: job.type, state: { id: 2, label: 'Processing' }, payload: job.payload, failures: 0,
          error: null, progress: null, priority: 100, startedAt: now, createdAt: now, updatedAt: now, finishedAt: null,
          parent: null, runner: { id: 1, name: 'r', description: null }, jobToken: job.jobToken,
        },
      });
    }
    if (body.jobToken !== job.jobToken) return reply(404, { detail: 'Unknown runner job' });
    if (job.state !== 'processing') return reply(400, { code: 'runner_job_not_in_processing_state' });
    if (m[3]) {
      this.calls.push({ path, status: 200 });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      createReadStream(job.inputFiles[m[3]]!).pipe(res);
      return;
    }
    if (action === 'update') {
      job.updates.push(body.progress === undefined ? -1 : Number(body.progress));
    } else if (action === 'abort') {
      job.aborts.push(body.reason as string);
      job.state = 'pending';
      job.jobToken = null;
    } else if (action === 'error') {
      job.errors.push(body.message as string);
      job.state = 'errored';
    } else if (action === 'success') {
      job.success = { fields: body as Record<string, string>, files };
      job.state = 'completed';
    }
    return reply(204);
  }
}

function send(res: ServerResponse, status: number, payload?: unknown): void {
  if (payload === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

export async function waitFor(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
