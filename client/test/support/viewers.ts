/// <reference types="node" />
/**
 * Headless Chromium viewers (Debian's /usr/bin/chromium through playwright-core), one browser per
 * viewer with its own profile, set up so that WebRTC works over loopback (notes/p2p.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  // Without this switch (and the camera/microphone grant below) Chromium gathers no ICE candidate.
  '--allow-loopback-in-peer-connection',
];

export interface PlayerState {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  peers: number;
  rejected: number;
  holdMs: number;
  engine: string;
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  /** Height of the frames the <video> decodes now: the rendition being played (0 before any). */
  videoHeight: number;
  /** MediaError code of the <video>, or the player's own error message, null when none. */
  error: string | null;
  /** ms from navigation start to the first `playing` event, null before it. */
  firstPlayingMs: number | null;
  /** ms from navigation start to window.flotillaPlayer appearing. */
  playerReadyMs: number | null;
  /** Stalls after the first picture (`waiting` events) and the time spent in them (ms). */
  stalls: number;
  stalledMs: number;
  /** The watch page's live latency figure as shown ("Latency 2.4 s") and how it was measured (clock / estimate); null when not shown. */
  liveLatency: { text: string; measured: string } | null;
}

export class Viewer {
  readonly pageErrors: string[] = [];
  /** Bytes of segment files (fMP4) the server sent this page, as Chromium's network stack saw them. */
  segmentBytesFromServer = 0;

  private constructor(
    readonly name: string,
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('pageerror', (e) => this.pageErrors.push(e.message));
    page.on('requestfinished', (req) => {
      if (!/\/static\/streaming-playlists\/.*\.mp4(\?|$)/.test(req.url())) return;
      void req.sizes().then(
        (s) => (this.segmentBytesFromServer += s.responseBodySize),
        () => undefined,
      );
    });
  }

  /** Marks this viewer's browser process on its command line (see threads()). */
  private marker = '';

  /** `p2p: false`: the viewer has turned P2P off in the player (its saved preference), as a baseline. */
  static async launch(name: string, origin: string, opts: { viewport?: { width: number; height: number }; p2p?: boolean } = {}): Promise<Viewer> {
    // Chromium ignores switches it does not know: this one only lets threads() find the process.
    const marker = `--flotilla-viewer=${name}-${process.pid}-${++launched}`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, marker] });
    try {
      const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
      await context.grantPermissions(['camera', 'microphone'], { origin });
      // CPU used by this browser up to the first picture: read when the page says it plays.
      let onPlaying: () => void = () => undefined;
      await context.exposeBinding('__flotillaPlayingNow', () => onPlaying());
      // Start-up figures measured in the page itself (no round trip to the test process).
      await context.addInitScript(() => {
        const w = window as unknown as {
          __flotillaT?: { playing?: number; ready?: number; stalls: number; stalledMs: number; stallFrom?: number };
          __flotillaPlayingNow?: () => void;
        };
        w.__flotillaT = { stalls: 0, stalledMs: 0 };
        document.addEventListener('waiting', () => {
          const t = w.__flotillaT!;
          if (t.playing === undefined || t.stallFrom !== undefined) return;
          t.stalls++;
          t.stallFrom = performance.now();
        }, true);
        document.addEventListener('playing', () => {
          const t = w.__flotillaT!;
          if (t.stallFrom !== undefined) {
            t.stalledMs += performance.now() - t.stallFrom;
            t.stallFrom = undefined;
          }
          if (w.__flotillaT!.playing !== undefined) return;
          w.__flotillaT!.playing = performance.now();
          void w.__flotillaPlayingNow?.();
        }, true);
        const poll = setInterval(() => {
          if ((window as unknown as { flotillaPlayer?: unknown }).flotillaPlayer) {
            w.__flotillaT!.ready = performance.now();
            clearInterval(poll);
          }
        }, 10);
      });
      if (opts.p2p === false) {
        await context.addInitScript(() => localStorage.setItem('flotilla.player', JSON.stringify({ p2pEnabled: false })));
      }
      const page = await context.newPage();
      // A viewer's browser is already running when they open a page: let Chromium finish starting
      // its processes so that their start-up is not counted as the page's.
      await page.goto('about:blank');
      await sleep(1000);
      const viewer = new Viewer(name, browser, context, page);
      viewer.marker = marker;
      onPlaying = () => {
        if (!viewer.openedSched || viewer.playingSched) return;
        try {
          viewer.playingSched = schedOf(viewer.threads());
        } catch {
          /* closing */
        }
      };
      return viewer;
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /**
   * Opens a watch page and leaves it alone: it plays by itself (autoplay, PeerTube's default).
   * Nothing of Playwright's runs in the page while it starts (no polling function, no injected
   * script), so the start-up measured is the page's own. Read state() afterwards.
   */
  async open(url: string): Promise<void> {
    this.openedSched = schedOf(this.threads());
    await this.page.goto(url, { waitUntil: 'commit' });
  }

  private openedSched: Map<string, Sched> | null = null;
  private playingSched: Map<string, Sched> | null = null;

  /**
   * CPU time all of this browser's threads ran from open() to the first `playing` event, and
   * the time they waited for a CPU (run queue), both summed over threads; null before playing.
   */
  startupCpu(): Sched | null {
    if (!this.openedSched || !this.playingSched) return null;
    // Per thread: threads born since count whole; a thread gone since (the about:blank renderer)
    // must not subtract what it ran before (what it ran in between is lost, a few ms at most).
    let runMs = 0;
    let waitMs = 0;
    for (const [tid, after] of this.playingSched) {
      const before = this.openedSched.get(tid) ?? { runMs: 0, waitMs: 0 };
      runMs += after.runMs - before.runMs;
      waitMs += after.waitMs - before.waitMs;
    }
    return { runMs, waitMs };
  }

  /** Opens a watch (or embed) page and starts playback as soon as the player exists. */
  async watch(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'domcontentloaded' });
    await this.page.waitForFunction(() => !!(window as unknown as { flotillaPlayer?: unknown }).flotillaPlayer, null, { timeout: 20_000 });
    // Not awaited in the page: play() settles only once media arrives, which is what is measured.
    await this.page.evaluate(() => {
      void (window as unknown as { flotillaPlayer: { play(): Promise<void> } }).flotillaPlayer.play().catch(() => undefined);
    });
  }

  state(): Promise<PlayerState> {
    return this.page.evaluate(() => {
      type FP = {
        stats(): { httpBytes: number; p2pBytes: number; uploadedBytes: number; peers: number };
        rejectedSegments(): number;
        startupHoldMs(): number;
        engine: string;
        getCurrentTime(): number;
        getDuration(): number;
      };
      const w = window as unknown as { flotillaPlayer?: FP; __flotillaT?: { playing?: number; ready?: number; stalls: number; stalledMs: number; stallFrom?: number } };
      const t = w.__flotillaT;
      const fp = w.flotillaPlayer;
      const video = document.querySelector('video');
      const uiError = document.querySelector('.stage-error, .player .overlay.error')?.textContent?.trim();
      const mediaError = video?.error ? `MediaError ${video.error.code}: ${video.error.message}` : null;
      const latency = document.querySelector<HTMLElement>('[data-live-latency]');
      return {
        ...(fp?.stats() ?? { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, peers: 0 }),
        rejected: fp?.rejectedSegments() ?? 0,
        holdMs: fp?.startupHoldMs() ?? 0,
        engine: fp?.engine ?? 'none',
        currentTime: fp?.getCurrentTime() ?? 0,
        duration: fp?.getDuration() ?? 0,
        bufferedEnd: video && video.buffered.length ? video.buffered.end(video.buffered.length - 1) : 0,
        videoHeight: video?.videoHeight ?? 0,
        error: mediaError ?? uiError ?? null,
        firstPlayingMs: w.__flotillaT?.playing ?? null,
        playerReadyMs: w.__flotillaT?.ready ?? null,
        stalls: t?.stalls ?? 0,
        stalledMs: Math.round((t?.stalledMs ?? 0) + (t?.stallFrom !== undefined ? performance.now() - t.stallFrom : 0)),
        liveLatency: latency ? { text: latency.textContent?.trim() ?? '', measured: latency.dataset.liveLatency ?? '' } : null,
      };
    });
  }

  /** Every thread id of this viewer's browser and its child processes. */
  threads(): string[] {
    const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    const parent = new Map<string, string>();
    let root: string | undefined;
    for (const pid of procs) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        parent.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (!root && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(this.marker)) root = pid;
      } catch {
        /* gone meanwhile */
      }
    }
    if (!root) throw new Error(`${this.name}: browser process not found`);
    const tree = new Set([root]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, ppid] of parent) if (!tree.has(pid) && tree.has(ppid)) (tree.add(pid), (grew = true));
    }
    const tids: string[] = [];
    for (const pid of tree) {
      try {
        tids.push(...readdirSync(`/proc/${pid}/task`));
      } catch {
        /* exited */
      }
    }
    return tids;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

let launched = 0;

export interface Sched {
  runMs: number;
  waitMs: number;
}

/** Run time and run-queue wait of each thread so far (/proc/<tid>/schedstat, in ns). */
function schedOf(tids: string[]): Map<string, Sched> {
  const out = new Map<string, Sched>();
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(tid, { runMs: run / 1e6, waitMs: wait / 1e6 });
    } catch {
      /* exited */
    }
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
