/**
 * Drives PeerTube's resumable upload protocol against a server while cutting connections mid-chunk
 * and restarting the server, and counts the bytes sent twice. Used by the resume test (tens of MB)
 * and meant for the benchmark (2 GiB): the file is streamed from disk, never held in memory.
 */
import { createReadStream, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ResumeRunOptions {
  baseUrl: string;
  accessToken: string;
  file: string;
  /** JSON metadata of the init (name, channelId, filename, …). */
  metadata: Record<string, unknown>;
  chunkSize: number;
  /** Chunk indices (0-based, in send order) whose connection is cut after `cutFraction` of the bytes. */
  cutChunks?: number[];
  cutFraction?: number;
  /**
   * Where each cut falls, as a fraction of its chunk, in the order the cuts happen (client cuts and
   * restarts alike); `cutFraction` (default 0.5) for the rest. Varied offsets: a server that keeps
   * only whole 256 KiB blocks, or drops the partial chunk, shows in `cuts`.
   */
  cutFractions?: number[];
  /** Chunk indices after which `restart` is awaited (the server is stopped and started again). */
  restartAfterChunks?: number[];
  /** Chunk indices during which `restart` runs instead of a client-side cut (e.g. a SIGKILL mid-chunk). */
  restartDuringChunks?: number[];
  restart?: () => Promise<void>;
}

export interface ResumeRunResult {
  status: number;
  body: { video: { id: number; uuid: string; shortUUID: string } } | null;
  size: number;
  bytesSent: number;
  /** bytesSent - size: what crossed the wire more than once. */
  resentBytes: number;
  interruptions: number;
  restarts: number;
  chunkRequests: number;
  ms: number;
  /** Per cut: where its chunk began, the bytes of it sent before the cut, and where the server said it resumes. */
  cuts: CutRecord[];
}

export interface CutRecord {
  chunkStart: number;
  sentBeforeCut: number;
  /** The server's own answer after the cut (Range of its 308): the bytes it stored. */
  resumedAt: number;
  kind: 'connection' | 'restart';
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

function send(url: string, method: string, headers: Record<string, string>, body?: { file: string; start: number; end: number; cutAfter?: number; onCut?: () => Promise<void> }): Promise<Answer & { sent: number; cut: boolean }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method, headers });
    let sent = 0;
    let cut = false;
    // Resolves once a server-side cut (restart) is over, so the caller never talks to a server still starting.
    let cutDone: Promise<void> = Promise.resolve();
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, sent, cut }));
    });
    req.on('error', (err) => (cut ? cutDone.then(() => resolve({ status: 0, headers: {}, text: '', sent, cut }), reject) : reject(err)));
    if (!body) return req.end();
    const stream = createReadStream(body.file, { start: body.start, end: body.end - 1, highWaterMark: 256 * 1024 });
    stream.on('data', (chunk) => {
      const buf = chunk as Buffer;
      if (body.cutAfter !== undefined && sent + buf.length >= body.cutAfter) {
        const part = buf.subarray(0, body.cutAfter - sent);
        sent += part.length;
        stream.destroy();
        // Let the bytes reach the server, then drop the connection like a lost network would.
        req.write(part, () => setTimeout(() => {
          cut = true;
          if (body.onCut) {
            cutDone = body.onCut();
            cutDone.then(() => req.destroy(), reject);
          } else req.destroy();
        }, 300));
        return;
      }
      sent += buf.length;
      if (!req.write(buf)) {
        stream.pause();
        req.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => req.end());
    stream.on('error', reject);
  });
}

export async function runResumableUpload(o: ResumeRunOptions): Promise<ResumeRunResult> {
  const started = Date.now();
  const size = statSync(o.file).size;
  const auth = { Authorization: `Bearer ${o.accessToken}` };
  const initRes = await fetch(`${o.baseUrl}/api/v1/videos/upload-resumable`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json', 'X-Upload-Content-Length': String(size), 'X-Upload-Content-Type': 'video/mp4' },
    body: JSON.stringify(o.metadata),
  });
  if (initRes.status !== 201) throw new Error(`init answered ${initRes.status}: ${await initRes.text()}`);
  const location = o.baseUrl + initRes.headers.get('location');

  const where = async (): Promise<number> => {
    const a = await send(location, 'PUT', { ...auth, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' });
    if (a.status === 200) return size;
    if (a.status !== 308) throw new Error(`status query answered ${a.status}: ${a.text}`);
    const range = a.headers.range;
    return range ? Number(/bytes=0-(\d+)/.exec(range)![1]) + 1 : 0;
  };

  let offset = 0;
  let bytesSent = 0;
  let interruptions = 0;
  let restarts = 0;
  let index = 0;
  let last: Answer | null = null;
  const cuts: CutRecord[] = [];
  while (true) {
    const end = Math.min(offset + o.chunkSize, size);
    const restarting = (o.restartDuringChunks?.includes(index) ?? false) && !!o.restart;
    const cutting = restarting || (o.cutChunks?.includes(index) ?? false);
    const length = end - offset;
    const a = await send(
      location,
      'PUT',
      { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Length': String(length), 'Content-Range': `bytes ${offset}-${end - 1}/${size}` },
      {
        file: o.file,
        start: offset,
        end,
        cutAfter: cutting ? Math.floor(length * (o.cutFractions?.[cuts.length] ?? o.cutFraction ?? 0.5)) : undefined,
        onCut: restarting ? o.restart : undefined,
      },
    );
    if (restarting) restarts++;
    bytesSent += a.sent;
    if (o.restartAfterChunks?.includes(index) && o.restart) {
      await o.restart();
      restarts++;
    }
    index++;
    if (a.cut) {
      if (!restarting) interruptions++;
      const chunkStart = offset;
      offset = await where();
      cuts.push({ chunkStart, sentBeforeCut: a.sent, resumedAt: offset, kind: restarting ? 'restart' : 'connection' });
      continue;
    }
    if (a.status === 200) {
      last = a;
      break;
    }
    if (a.status !== 308) throw new Error(`chunk answered ${a.status}: ${a.text}`);
    // After a restart the server says where it is; otherwise trust the Range of the 308.
    offset = o.restartAfterChunks?.includes(index - 1) ? await where() : a.headers.range ? Number(/bytes=0-(\d+)/.exec(a.headers.range)![1]) + 1 : 0;
    if (offset >= size) {
      // Everything is there (e.g. the final answer was lost in a restart): ask for the result.
      const fin = await send(location, 'PUT', { ...auth, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' });
      last = fin;
      break;
    }
  }
  return {
    status: last.status,
    body: last.status === 200 ? JSON.parse(last.text) : null,
    size,
    bytesSent,
    resentBytes: bytesSent - size,
    interruptions,
    restarts,
    chunkRequests: index,
    ms: Date.now() - started,
    cuts,
  };
}
