import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { LlHlsPackager } from './ll-hls-packager';

const run = promisify(execFile);

/** 4 s of 30 fps video, a keyframe every second, fragments cut at 200 ms (ffmpeg closes one on the frame past it: ≤ 250 ms): ffmpeg's real fMP4 output. */
async function encode(withAudio = false): Promise<Buffer> {
  const audio = withAudio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-map', '0:v', '-map', '1:a', '-c:a', 'aac'] : [];
  const { stdout } = await run('ffmpeg', [
    '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=30', ...audio, '-t', '4',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-pix_fmt', 'yuv420p',
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '200000', 'pipe:1',
  ], { encoding: 'buffer', maxBuffer: 64 << 20 });
  return stdout;
}

const options = { partTarget: 0.25, segmentTarget: 1, windowSegments: 10 };

describe('LL-HLS packager', () => {
  let mp4: Buffer;
  beforeAll(async () => { mp4 = await encode(); }, 60_000);

  it('cuts ffmpeg fragments into 250 ms parts and 1 s segments that start on keyframes', () => {
    const p = new LlHlsPackager(options);
    // Odd chunk sizes: boxes straddle pushes as they do on a pipe.
    for (let at = 0; at < mp4.length; at += 777) p.push(mp4.subarray(at, at + 777));
    expect(p.initSegment!.toString('latin1', 4, 8)).toBe('ftyp');
    const text = p.playlist();
    const lines = text.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      '#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-TARGETDURATION:1', '#EXT-X-PART-INF:PART-TARGET=0.250',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.750', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-MAP:URI="init.mp4"',
    ]);
    const extinf = lines.filter((l) => l.startsWith('#EXTINF:')).map((l) => Number(l.slice(8, -1)));
    expect(extinf).toEqual([1, 1, 1]); // the 4th segment stays open: no keyframe after it yet
    const parts = lines.filter((l) => l.startsWith('#EXT-X-PART:'));
    for (const part of parts) expect(Number(/DURATION=([\d.]+)/.exec(part)![1])).toBeLessThanOrEqual(0.25 + 1e-6);
    // Every segment's first part is independent, the others are not.
    for (const part of parts) expect(part.includes(',INDEPENDENT=YES')).toBe(/seg-\d+\.0\.m4s/.test(part));
    expect(lines).toContain('seg-2.m4s');
    expect(lines.at(-2)).toMatch(/^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg-3\.\d+\.m4s"$/);
    // A segment is its parts end to end.
    const seg1 = parts.filter((l) => l.includes('"seg-1.')).map((l) => p.resource(/URI="([^"]+)"/.exec(l)![1]!)!);
    expect(seg1.length).toBeGreaterThanOrEqual(4);
    expect(p.resource('seg-1.m4s')).toEqual(Buffer.concat(seg1));
    expect(p.resource('seg-3.m4s')).toBeNull();
    expect(p.resource('../init.mp4')).toBeNull();
  });

  it('times and flags parts from the video track when audio is muxed in (audio samples are all sync)', async () => {
    const segments: Array<{ msn: number; duration: number; bytes: number }> = [];
    const p = new LlHlsPackager({ ...options, onSegment: (msn, data, duration) => segments.push({ msn, duration, bytes: data.length }) });
    p.push(await encode(true));
    const parts = p.playlist().split('\n').filter((l) => l.startsWith('#EXT-X-PART:'));
    expect(parts.length).toBeGreaterThanOrEqual(12);
    for (const part of parts) expect(part.includes(',INDEPENDENT=YES')).toBe(/seg-\d+\.0\.m4s/.test(part));
    expect(segments.map((s) => [s.msn, Math.round(s.duration * 10) / 10])).toEqual([[0, 1], [1, 1], [2, 1]]);
    p.finish();
    expect(segments.map((s) => s.msn)).toEqual([0, 1, 2, 3]);
    expect(p.resource('seg-3.m4s')!.length).toBe(segments[3]!.bytes);
  }, 60_000);

  it('keeps the window and lists parts of the last segments only', () => {
    const p = new LlHlsPackager({ ...options, windowSegments: 2 });
    p.push(mp4);
    const lines = p.playlist().split('\n');
    expect(lines).toContain('#EXT-X-MEDIA-SEQUENCE:1');
    expect(lines).not.toContain('seg-0.m4s');
    expect(p.resource('seg-0.0.m4s')).toBeNull();
  });

  it('answers a blocking reload once the part appears, refuses one too far ahead, times out otherwise', async () => {
    const p = new LlHlsPackager(options);
    const fragments = boxesUntilMdat(mp4);
    p.push(fragments[0]!); // init + first part
    expect(p.checkBlocking(0, 0)).toBe('ready');
    expect(p.checkBlocking(0, 1)).toBe('wait');
    expect(p.checkBlocking(3, 0)).toBe('too-far');
    let done = false;
    const waiting = p.waitFor(0, 1, 5000).then((ok) => { done = true; return ok; });
    const hint = p.waitForResource('seg-0.1.m4s', 5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    p.push(fragments[1]!);
    await expect(waiting).resolves.toBe(true);
    expect((await hint)!.equals(p.resource('seg-0.1.m4s')!)).toBe(true);
    await expect(p.waitFor(5, undefined, 30)).resolves.toBe(false);
    const pending = p.waitFor(2, 0, 5000);
    p.close();
    await expect(pending).resolves.toBe(false);
  });

  describe('EXT-X-PROGRAM-DATE-TIME', () => {
    const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 7);
    /** Fragments as ffmpeg writes them in real time (a little slower: 300 ms apart), pushed at those times. */
    function fedInTime(p: LlHlsPackager, fragments: Buffer[], from = 0, start = T0): number[] {
      const at = fragments.map((_, i) => start + i * 300);
      for (let i = from; i < fragments.length; i++) p.push(fragments[i]!, at[i]);
      return at;
    }

    it('dates every segment, its parts included, with the arrival of its first fragment, in ISO 8601 with ms', () => {
      const p = new LlHlsPackager(options);
      const fragments = boxesUntilMdat(mp4);
      const at = fedInTime(p, fragments);
      const lines = p.playlist().split('\n');
      const dates = datesOf(lines);
      expect([...dates.keys()]).toEqual([0, 1, 2, 3]); // the open segment too (its parts are listed)
      for (const [msn, date] of dates) {
        expect(date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        // Its first part came in the fragment pushed at that time.
        const first = fragments.findIndex((f) => f.subarray(-p.resource(`seg-${msn}.0.m4s`)!.length).equals(p.resource(`seg-${msn}.0.m4s`)!));
        expect(Date.parse(date)).toBe(at[first]);
      }
      expect(dates.get(0)).toBe('2026-01-01T12:00:00.007Z');
      // The date comes before the segment's first line: its first part when listed, else its EXTINF.
      const i = lines.indexOf(`#EXT-X-PROGRAM-DATE-TIME:${dates.get(3)}`);
      expect(lines[i + 1]).toMatch(/^#EXT-X-PART:.*URI="seg-3\.0\.m4s"/);
      const withoutParts = new LlHlsPackager(options);
      withoutParts.push(mp4, T0);
      const older = withoutParts.playlist().split('\n');
      expect(older[older.indexOf('#EXT-X-MAP:URI="init.mp4"') + 1]).toBe('#EXT-X-PROGRAM-DATE-TIME:2026-01-01T12:00:00.007Z');
    });

    it('keeps each date across playlist reloads while the live goes on', () => {
      const p = new LlHlsPackager(options);
      const fragments = boxesUntilMdat(mp4);
      const half = Math.floor(fragments.length / 2);
      fedInTime(p, fragments.slice(0, half));
      const before = datesOf(p.playlist().split('\n'));
      expect(datesOf(p.playlist().split('\n'))).toEqual(before);
      fedInTime(p, fragments, half);
      const after = datesOf(p.playlist().split('\n'));
      expect(after.size).toBeGreaterThan(before.size);
      // The open segment got more parts meanwhile: its date is still that of its first one.
      for (const [msn, date] of before) expect(after.get(msn)).toBe(date);
    });

    it('keeps dates in order when fragments come faster than real time or the clock steps back, never ahead of their arrival', () => {
      const p = new LlHlsPackager(options);
      p.push(mp4, T0); // 4 s of media in one pipe read: one arrival time
      expect([...datesOf(p.playlist().split('\n')).values()].map(Date.parse)).toEqual([T0, T0 + 1, T0 + 2, T0 + 3]);
      // As measured at start: the RTMP server's cached GOP (the first second) at once, then real time.
      const fragments = boxesUntilMdat(mp4);
      const burst = new LlHlsPackager(options);
      const at = fragments.map((_, i) => T0 + (i < 5 ? i : 200 * (i - 4)));
      fragments.forEach((f, i) => burst.push(f, at[i]));
      const dates = [...datesOf(burst.playlist().split('\n')).values()].map(Date.parse);
      // Each segment keeps its own arrival: not carried a second ahead of the clock from the first one.
      for (const date of dates) expect(at).toContain(date);
      expect(dates.at(-1)).toBeLessThanOrEqual(at.at(-1)!);
      const q = new LlHlsPackager(options);
      fragments.forEach((f, i) => q.push(f, T0 + (i < 8 ? i * 300 : -60_000)));
      const stepped = [...datesOf(q.playlist().split('\n')).values()].map(Date.parse);
      for (let i = 1; i < stepped.length; i++) expect(stepped[i]).toBeGreaterThan(stepped[i - 1]!);
    });

    it('dates the first segment after a reconnect (new encoder, discontinuity) with its own arrival', () => {
      const first = new LlHlsPackager(options);
      const fragments = boxesUntilMdat(mp4);
      fedInTime(first, fragments);
      first.finish();
      const lastBefore = Math.max(...[...datesOf(first.playlist().split('\n')).values()].map(Date.parse));
      // The publisher comes back 5 s after the first encoder's last fragment.
      const reconnectAt = T0 + (fragments.length - 1) * 300 + 5000;
      const next = new LlHlsPackager({ ...options, continueFrom: { msn: 4, discontinuitySequence: 1, initUri: 'init-1.mp4' } });
      fedInTime(next, fragments, 0, reconnectAt);
      const lines = next.playlist().split('\n');
      expect(lines.slice(5, 9)).toEqual([
        '#EXT-X-MEDIA-SEQUENCE:4', '#EXT-X-DISCONTINUITY-SEQUENCE:1', '#EXT-X-MAP:URI="init-1.mp4"', `#EXT-X-PROGRAM-DATE-TIME:${new Date(reconnectAt).toISOString()}`,
      ]);
      const dates = [...datesOf(lines).entries()];
      expect(dates.map(([msn]) => msn)).toEqual([4, 5, 6, 7]);
      expect(Date.parse(dates[0]![1])).toBeGreaterThan(lastBefore);
    });
  });
});

/** Each EXT-X-PROGRAM-DATE-TIME of a media playlist, by the number of the segment it dates (the next one named). */
function datesOf(lines: string[]): Map<number, string> {
  const dates = new Map<number, string>();
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) return;
    const msn = lines.slice(i + 1).map((l) => /seg-(\d+)\./.exec(l)).find((m) => m)?.[1];
    dates.set(Number(msn), line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
  });
  return dates;
}

/** The file split after each mdat: [ftyp+moov+moof+mdat, moof+mdat, ...]. */
function boxesUntilMdat(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  let at = 0;
  while (at < buf.length) {
    const size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    at += size;
    if (type === 'mdat') { out.push(buf.subarray(start, at)); start = at; }
  }
  return out;
}
