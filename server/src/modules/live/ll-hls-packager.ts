/**
 * Low-latency HLS packager: cuts ffmpeg's fragmented MP4 output (a video track, maybe an audio one,
 * `-movflags +frag_keyframe+empty_moov+default_base_moof -frag_duration <part µs>`) into LL-HLS
 * parts and segments, and answers blocking playlist reloads (`_HLS_msn`/`_HLS_part`). ffmpeg has no
 * LL-HLS muxer; each moof+mdat fragment ffmpeg writes is one part, and a segment closes at the
 * first keyframe fragment once it holds `segmentTarget` seconds. Pure: bytes in, playlist text and
 * part bytes out (the caller owns sockets and files).
 *
 * Each segment carries an EXT-X-PROGRAM-DATE-TIME (what the watch page's latency figure is
 * measured against): the wall-clock time its first fragment reached the packager, fixed when the
 * segment opens. It is never earlier than the capture of the segment's first frame (publishing,
 * ingest and encoding happened before, and the fragment is written only once its last frame is
 * encoded), so a viewer's "now minus date" is a lower bound of the real latency: it leaves out
 * the publisher's capture and upload, the server's encoding and the first part's own length.
 * (ffmpeg's `-write_prft wallclock` would stamp its clock as it writes the fragment: no earlier.)
 */
export interface LlHlsOptions {
  /** Seconds, the PART-TARGET advertised (ffmpeg's -frag_duration). */
  partTarget: number;
  /** Seconds a segment holds at least before it closes on a keyframe. */
  segmentTarget: number;
  /** Complete segments kept in the playlist. */
  windowSegments: number;
  /**
   * A session continued by a new encoder (publisher reconnect): numbering goes on from here, the
   * playlist names another init segment and counts the discontinuity, so players move on.
   */
  continueFrom?: { msn: number; discontinuitySequence: number; initUri: string };
  /** A segment closed (its bytes: the parts end to end). */
  onSegment?: (msn: number, data: Buffer, duration: number) => void;
  /** A complete segment left the window. */
  onSegmentDropped?: (msn: number) => void;
}

interface Part { data: Buffer; duration: number; independent: boolean }
interface Segment {
  msn: number;
  parts: Part[];
  duration: number;
  complete: boolean;
  /** EXT-X-PROGRAM-DATE-TIME, ms since the epoch: stored, so every playlist render gives the same one. */
  date: number;
}
interface Waiter { ready: () => boolean; resolve: (ok: boolean) => void; timer: ReturnType<typeof setTimeout> }

export type BlockingCheck = 'ready' | 'wait' | 'too-far';

export class LlHlsPackager {
  private pending: Buffer = Buffer.alloc(0);
  private init: Buffer | null = null;
  private ftyp: Buffer | null = null;
  private timescale = 0;
  /** The video track's id: parts are timed and flagged from its samples (audio ones are all sync). */
  private videoTrackId = 0;
  private moof: Buffer | null = null;
  /** When the pending moof arrived (ms since the epoch): its part's arrival time. */
  private moofAt = 0;
  private segments: Segment[] = [];
  private nextMsn = 0;
  private waiters = new Set<Waiter>();
  private maxSegmentDuration = 0;

  constructor(private readonly opts: LlHlsOptions) {
    this.nextMsn = opts.continueFrom?.msn ?? 0;
  }

  get initSegment(): Buffer | null { return this.init; }

  /**
   * Feeds encoder output; any chunking works (boxes are reassembled). `arrivedAt`: when the chunk
   * came out of the encoder (ms since the epoch), which dates the segments.
   */
  push(chunk: Buffer, arrivedAt = Date.now()): void {
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
      this.onBox(box.toString('latin1', 4, 8), Buffer.from(box), arrivedAt);
    }
  }

  private onBox(type: string, box: Buffer, arrivedAt: number): void {
    if (type === 'ftyp') this.ftyp = box;
    else if (type === 'moov') {
      ({ trackId: this.videoTrackId, timescale: this.timescale } = videoTrack(box));
      this.init = Buffer.concat(this.ftyp ? [this.ftyp, box] : [box]);
    } else if (type === 'moof') {
      this.moof = box;
      this.moofAt = arrivedAt;
    } else if (type === 'mdat' && this.moof) {
      const { duration, independent } = fragmentInfo(this.moof, this.videoTrackId, this.timescale);
      this.addPart({ data: Buffer.concat([this.moof, box]), duration, independent }, this.moofAt);
      this.moof = null;
    }
  }

  private addPart(part: Part, arrivedAt: number): void {
    let open = this.segments.at(-1);
    if (open && !open.complete && part.independent && open.duration >= this.opts.segmentTarget - 1e-3) {
      this.complete(open);
      open = undefined;
    }
    if (!open || open.complete) {
      open = { msn: this.nextMsn++, parts: [], duration: 0, complete: false, date: segmentDate(arrivedAt, this.segments.at(-1)) };
      this.segments.push(open);
      while (this.segments.filter((s) => s.complete).length > this.opts.windowSegments) {
        const dropped = this.segments.shift()!;
        this.opts.onSegmentDropped?.(dropped.msn);
      }
    }
    open.parts.push(part);
    open.duration += part.duration;
    for (const w of [...this.waiters]) if (w.ready()) this.settle(w, true);
  }

  private complete(seg: Segment): void {
    seg.complete = true;
    this.maxSegmentDuration = Math.max(this.maxSegmentDuration, seg.duration);
    this.opts.onSegment?.(seg.msn, Buffer.concat(seg.parts.map((p) => p.data)), seg.duration);
  }

  /** The stream is over: the open segment closes as it is (the replay and the hashes get it). */
  finish(): void {
    const open = this.segments.at(-1);
    if (open && !open.complete && open.parts.length) this.complete(open);
    this.close();
  }

  /** The last segment's number and how many parts it holds (-1, 0 before any). */
  get edge(): { msn: number; parts: number; complete: boolean } {
    const last = this.segments.at(-1);
    return last ? { msn: last.msn, parts: last.parts.length, complete: last.complete } : { msn: -1, parts: 0, complete: false };
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
      `#EXT-X-MEDIA-SEQUENCE:${this.segments[0]?.msn ?? this.nextMsn}`,
      ...(this.opts.continueFrom ? [`#EXT-X-DISCONTINUITY-SEQUENCE:${this.opts.continueFrom.discontinuitySequence}`] : []),
      `#EXT-X-MAP:URI="${this.opts.continueFrom?.initUri ?? 'init.mp4'}"`,
    ];
    // Parts are listed for the last segments only (the spec lets older ones drop them: 3 target durations).
    const partsFrom = this.segments.length - 3;
    this.segments.forEach((seg, i) => {
      // Before each segment (its parts included): RFC 8216 4.3.2.6 dates the segment's first sample.
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(seg.date).toISOString()}`);
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

/**
 * A new segment's date: when its first fragment arrived, 1 ms after the previous segment's date at
 * least, so that dates keep their order when several segments come in one pipe read (one arrival
 * time) or the clock steps back. Not pushed to the end of the previous segment: at start ffmpeg
 * gets the RTMP server's cached GOP at once and encodes it faster than real time (measured: the
 * first second of media out in 14 ms), so the first segments arrive closer together than they
 * last; dating each from the end of the one before carried that head start on for the whole live
 * and put the dates ahead of the server's clock (0.76 s in live-ll-hls.test.ts), where viewers'
 * figures came out low or negative. The first segments' date ranges overlap instead: each date is
 * still no earlier than the segment's frames.
 */
function segmentDate(arrivedAt: number, previous: Segment | undefined): number {
  return previous ? Math.max(arrivedAt, previous.date + 1) : arrivedAt;
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

/** The first video track of a moov: its id (tkhd) and timescale (mdhd). */
function videoTrack(moov: Buffer): { trackId: number; timescale: number } {
  for (const trak of children(moov, 8).filter((c) => c.type === 'trak')) {
    const inTrak = children(trak.body, 0);
    const tkhd = inTrak.find((c) => c.type === 'tkhd')?.body;
    const mdia = inTrak.find((c) => c.type === 'mdia')?.body;
    if (!tkhd || !mdia) continue;
    const inMdia = children(mdia, 0);
    const hdlr = inMdia.find((c) => c.type === 'hdlr')?.body;
    const mdhd = inMdia.find((c) => c.type === 'mdhd')?.body;
    if (!hdlr || !mdhd || hdlr.toString('latin1', 8, 12) !== 'vide') continue;
    return {
      trackId: tkhd[0] === 1 ? tkhd.readUInt32BE(20) : tkhd.readUInt32BE(12),
      timescale: mdhd[0] === 1 ? mdhd.readUInt32BE(20) : mdhd.readUInt32BE(12),
    };
  }
  throw new Error('moov without a video track');
}

const NON_SYNC = 0x10000;

/** Duration (seconds) of a fragment's video samples and whether they start on a keyframe. */
function fragmentInfo(moof: Buffer, trackId: number, timescale: number): { duration: number; independent: boolean } {
  const trafs = children(moof, 8).filter((c) => c.type === 'traf').map((c) => children(c.body, 0));
  const boxes = trafs.find((b) => b.find((c) => c.type === 'tfhd')?.body.readUInt32BE(4) === trackId);
  // A fragment without video samples (audio only) adds no time and starts nothing.
  if (!boxes) return { duration: 0, independent: false };
  const tfhd = boxes.find((b) => b.type === 'tfhd')!.body;
  const trun = boxes.find((b) => b.type === 'trun')?.body;
  if (!trun) return { duration: 0, independent: false };
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
