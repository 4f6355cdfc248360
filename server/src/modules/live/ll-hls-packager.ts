/**
 * Low-latency HLS packager: cuts ffmpeg's fragmented MP4 output (one video track,
 * `-movflags +frag_keyframe+empty_moov+default_base_moof -frag_duration <part µs>`) into LL-HLS
 * parts and segments, and answers blocking playlist reloads (`_HLS_msn`/`_HLS_part`). ffmpeg has no
 * LL-HLS muxer; each moof+mdat fragment ffmpeg writes is one part, and a segment closes at the
 * first keyframe fragment once it holds `segmentTarget` seconds. Pure: bytes in, playlist text and
 * part bytes out (the caller owns sockets and files).
 */
export interface LlHlsOptions {
  /** Seconds, the PART-TARGET advertised (ffmpeg's -frag_duration). */
  partTarget: number;
  /** Seconds a segment holds at least before it closes on a keyframe. */
  segmentTarget: number;
  /** Complete segments kept in the playlist. */
  windowSegments: number;
}

interface Part { data: Buffer; duration: number; independent: boolean }
interface Segment { msn: number; parts: Part[]; duration: number; complete: boolean }
interface Waiter { ready: () => boolean; resolve: (ok: boolean) => void; timer: ReturnType<typeof setTimeout> }

export type BlockingCheck = 'ready' | 'wait' | 'too-far';

export class LlHlsPackager {
  private pending: Buffer = Buffer.alloc(0);
  private init: Buffer | null = null;
  private ftyp: Buffer | null = null;
  private timescale = 0;
  private moof: Buffer | null = null;
  private segments: Segment[] = [];
  private nextMsn = 0;
  private waiters = new Set<Waiter>();
  private maxSegmentDuration = 0;

  constructor(private readonly opts: LlHlsOptions) {}

  get initSegment(): Buffer | null { return this.init; }

  /** Feeds encoder output; any chunking works (boxes are reassembled). */
  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      if (this.pending.length < 8) return;
      let size = this.pending.readUInt32BE(0);
      let header = 8;
      if (size === 1) {
        if (this.pending.length < 16) return;
        size = Number(this.pending.readBigUInt64BE(8));
        header = 16;
      }
      if (size < header) throw new Error(`bad MP4 box size ${size}`);
      if (this.pending.length < size) return;
      const box = this.pending.subarray(0, size);
      this.pending = this.pending.subarray(size);
      this.onBox(box.toString('latin1', 4, 8), Buffer.from(box));
    }
  }

  private onBox(type: string, box: Buffer): void {
    if (type === 'ftyp') this.ftyp = box;
    else if (type === 'moov') {
      this.timescale = mdhdTimescale(box);
      this.init = Buffer.concat(this.ftyp ? [this.ftyp, box] : [box]);
    } else if (type === 'moof') this.moof = box;
    else if (type === 'mdat' && this.moof) {
      const { duration, independent } = fragmentInfo(this.moof, this.timescale);
      this.addPart({ data: Buffer.concat([this.moof, box]), duration, independent });
      this.moof = null;
    }
  }

  private addPart(part: Part): void {
    let open = this.segments.at(-1);
    if (open && !open.complete && part.independent && open.duration >= this.opts.segmentTarget - 1e-3) {
      open.complete = true;
      this.maxSegmentDuration = Math.max(this.maxSegmentDuration, open.duration);
      open = undefined;
    }
    if (!open || open.complete) {
      open = { msn: this.nextMsn++, parts: [], duration: 0, complete: false };
      this.segments.push(open);
      while (this.segments.filter((s) => s.complete).length > this.opts.windowSegments) this.segments.shift();
    }
    open.parts.push(part);
    open.duration += part.duration;
    for (const w of [...this.waiters]) if (w.ready()) this.settle(w, true);
  }

  private settle(w: Waiter, ok: boolean): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
    w.resolve(ok);
  }

  /** Whether the playlist holds part `part` of segment `msn` (the whole segment when `part` is absent). */
  has(msn: number, part?: number): boolean {
    const last = this.segments.at(-1);
    if (!last) return false;
    if (msn < last.msn) return true;
    if (msn > last.msn) return false;
    return part === undefined ? last.complete : last.complete || last.parts.length > part;
  }

  /** RFC 8216bis 6.2.5.2: a request more than two segments ahead is refused at once (400). */
  checkBlocking(msn: number, part?: number): BlockingCheck {
    if (this.has(msn, part)) return 'ready';
    const lastMsn = this.segments.at(-1)?.msn ?? -1;
    return msn > lastMsn + 2 ? 'too-far' : 'wait';
  }

  /** Resolves true once `has(msn, part)`, false after `timeoutMs` (the caller then answers 503). */
  waitFor(msn: number, part: number | undefined, timeoutMs: number): Promise<boolean> {
    return this.waitUntil(() => this.has(msn, part), timeoutMs);
  }

  /** Waits for a part or segment named in the playlist (the preload hint is fetched before it exists). */
  waitForResource(name: string, timeoutMs: number): Promise<Buffer | null> {
    return this.waitUntil(() => this.resource(name) !== null, timeoutMs).then((ok) => (ok ? this.resource(name) : null));
  }

  private waitUntil(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = { ready, resolve, timer: setTimeout(() => this.settle(w, false), timeoutMs) };
      this.waiters.add(w);
    });
  }

  /** Ends every pending wait (stream over). */
  close(): void {
    for (const w of [...this.waiters]) this.settle(w, false);
  }

  /** `seg-<msn>.m4s` (complete segments) or `seg-<msn>.<part>.m4s`; null when unknown or not yet there. */
  resource(name: string): Buffer | null {
    const m = /^seg-(\d+)(?:\.(\d+))?\.m4s$/.exec(name);
    if (!m) return null;
    const seg = this.segments.find((s) => s.msn === Number(m[1]));
    if (!seg) return null;
    if (m[2] === undefined) return seg.complete ? Buffer.concat(seg.parts.map((p) => p.data)) : null;
    return seg.parts[Number(m[2])]?.data ?? null;
  }

  playlist(): string {
    const { partTarget, segmentTarget } = this.opts;
    const target = Math.ceil(Math.max(segmentTarget, this.maxSegmentDuration));
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      `#EXT-X-TARGETDURATION:${target}`,
      `#EXT-X-PART-INF:PART-TARGET=${partTarget.toFixed(3)}`,
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${(3 * partTarget).toFixed(3)}`,
      `#EXT-X-MEDIA-SEQUENCE:${this.segments[0]?.msn ?? 0}`,
      '#EXT-X-MAP:URI="init.mp4"',
    ];
    // Parts are listed for the last segments only (the spec lets older ones drop them: 3 target durations).
    const partsFrom = this.segments.length - 3;
    this.segments.forEach((seg, i) => {
      if (i >= partsFrom) {
        seg.parts.forEach((p, j) => {
          lines.push(`#EXT-X-PART:DURATION=${p.duration.toFixed(5)},URI="seg-${seg.msn}.${j}.m4s"${p.independent ? ',INDEPENDENT=YES' : ''}`);
        });
      }
      if (seg.complete) lines.push(`#EXTINF:${seg.duration.toFixed(5)},`, `seg-${seg.msn}.m4s`);
    });
    const last = this.segments.at(-1);
    if (last) {
      const hint = last.complete ? `seg-${last.msn + 1}.0.m4s` : `seg-${last.msn}.${last.parts.length}.m4s`;
      lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${hint}"`);
    }
    return lines.join('\n') + '\n';
  }
}

/** Child boxes of a container box's payload, from `start`. */
function children(box: Buffer, start: number): Array<{ type: string; body: Buffer }> {
  const out: Array<{ type: string; body: Buffer }> = [];
  let at = start;
  while (at + 8 <= box.length) {
    const size = box.readUInt32BE(at);
    if (size < 8 || at + size > box.length) break;
    out.push({ type: box.toString('latin1', at + 4, at + 8), body: box.subarray(at + 8, at + size) });
    at += size;
  }
  return out;
}

function find(box: Buffer, path: string[]): Buffer | null {
  let cur: Buffer = box.subarray(8);
  for (const type of path) {
    const next = children(cur, 0).find((c) => c.type === type);
    if (!next) return null;
    cur = next.body;
  }
  return cur;
}

function mdhdTimescale(moov: Buffer): number {
  const mdhd = find(moov, ['trak', 'mdia', 'mdhd']);
  if (!mdhd) throw new Error('moov without mdhd');
  return mdhd[0] === 1 ? mdhd.readUInt32BE(20) : mdhd.readUInt32BE(12);
}

const NON_SYNC = 0x10000;

/** Duration (seconds) of a fragment's samples and whether it starts on a keyframe. */
function fragmentInfo(moof: Buffer, timescale: number): { duration: number; independent: boolean } {
  const traf = find(moof, ['traf']);
  if (!traf) throw new Error('moof without traf');
  const boxes = children(traf, 0);
  const tfhd = boxes.find((b) => b.type === 'tfhd')!.body;
  const trun = boxes.find((b) => b.type === 'trun')!.body;
  const tfFlags = tfhd.readUInt32BE(0) & 0xffffff;
  let at = 8; // version+flags, track_ID
  if (tfFlags & 0x1) at += 8;
  if (tfFlags & 0x2) at += 4;
  let defaultDuration = 0;
  if (tfFlags & 0x8) { defaultDuration = tfhd.readUInt32BE(at); at += 4; }
  if (tfFlags & 0x10) at += 4;
  let defaultFlags = 0;
  if (tfFlags & 0x20) defaultFlags = tfhd.readUInt32BE(at);

  const trFlags = trun.readUInt32BE(0) & 0xffffff;
  const count = trun.readUInt32BE(4);
  let p = 8;
  if (trFlags & 0x1) p += 4;
  let firstFlags: number | null = null;
  if (trFlags & 0x4) { firstFlags = trun.readUInt32BE(p); p += 4; }
  let total = 0;
  let sample0Flags: number | null = null;
  for (let i = 0; i < count; i++) {
    if (trFlags & 0x100) { total += trun.readUInt32BE(p); p += 4; } else total += defaultDuration;
    if (trFlags & 0x200) p += 4;
    if (trFlags & 0x400) { if (i === 0) sample0Flags = trun.readUInt32BE(p); p += 4; }
    if (trFlags & 0x800) p += 4;
  }
  const flags = firstFlags ?? sample0Flags ?? defaultFlags;
  return { duration: timescale ? total / timescale : 0, independent: (flags & NON_SYNC) === 0 };
}
