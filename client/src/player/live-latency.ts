/**
 * hls.js settings that depend on a live's latency mode, kept out of the player's set-up.
 *
 * Flotilla's low-latency mode (latencyMode 100) serves LL-HLS: parts of ≤ 0.25 s, a preload hint
 * and blocking playlist reloads. hls.js then stays PART-HOLD-BACK (3 parts, 0.75 s) behind the
 * live edge, catches up by playing slightly faster after a short stall and jumps back after a
 * long one.
 * Those lives are HTTP only (no P2P): peers could not serve parts that exist for a fraction of a
 * second before the player needs them.
 */
import type { HlsConfig } from 'hls.js';

export const LOW_LATENCY_MODE = 100;

export interface LiveLatencySource {
  isLive?: boolean;
  /** Segments the player stays behind the live edge (hls.js liveSyncDurationCount). */
  liveSyncSegments?: number;
  /** LL-HLS: hls.js low-latency mode, HTTP only. */
  lowLatency?: boolean;
}

export function liveHlsConfig(source: LiveLatencySource): Partial<HlsConfig> {
  if (!source.isLive) return {};
  if (source.lowLatency) {
    return {
      lowLatencyMode: true,
      // The server's PART-HOLD-BACK (3 parts of 0.25 s), spelled out because hls.js accepts a
      // maximum latency only beside an explicit sync distance: a player that fell further behind
      // than that (a stall on a busy machine) jumps back to the edge instead of staying seconds
      // late, since hls.js speeds up only within one target duration of its target.
      liveSyncDuration: 0.75,
      liveMaxLatencyDuration: 3.5,
      maxLiveSyncPlaybackRate: 1.5,
      liveDurationInfinity: true,
      // Little back buffer: a long live would otherwise keep minutes of media in the page.
      backBufferLength: 10,
      maxBufferLength: 6,
    };
  }
  return source.liveSyncSegments ? { liveSyncDurationCount: source.liveSyncSegments } : {};
}

/** What the watch page passes to the player for a live of this latency mode (PeerTube's player: small 2, high 10, default 5 segments behind). */
export function liveSourceOf(latencyMode: number | null | undefined): LiveLatencySource {
  if (latencyMode === LOW_LATENCY_MODE) return { lowLatency: true };
  if (latencyMode === 3) return { liveSyncSegments: 2 };
  if (latencyMode === 2) return { liveSyncSegments: 10 };
  if (latencyMode === 1) return { liveSyncSegments: 5 };
  return {};
}

/**
 * p2p-media-loader's high-demand window for a live (s): what is this close to the playhead is
 * fetched over HTTP even when a peer has it, so peers serve only what a viewer loads before that.
 * PeerTube's player uses 4 s for its lives (one default-mode segment). A small-latency viewer plays
 * 2 segments of 2 s behind the edge: with 4 s every new segment would be due at once (PeerTube
 * turns P2P off in that mode); half a segment leaves peers the rest.
 */
export function liveHighDemandWindow(source: LiveLatencySource): number | undefined {
  if (!source.isLive || source.lowLatency || !source.liveSyncSegments) return undefined;
  return source.liveSyncSegments >= 5 ? 4 : 1;
}

/**
 * Segments a live's playlist must hold before the player starts loading it (0: start at once).
 *
 * The player plays `liveSyncSegments` segments behind the edge only when the playlist is that
 * long; in a live's first seconds it starts at the playlist's first segment and stays there, a
 * second or less from the edge: it waits for every new segment (a stall each time), and new
 * segments are at once within p2p-media-loader's high-demand window, which is fetched over HTTP
 * only (bench, viewers coming in the first seconds: the first one 0.6 s from the edge, 0 % from
 * peers). Default and high latency lives therefore start once 3 segments (12 s) are out: the
 * newcomer then has a buffer, and new segments appear 8 s before they are needed. Small-latency
 * and low-latency lives start at once: their viewers asked for the edge.
 */
export function liveStartSegments(source: LiveLatencySource): number {
  if (!source.isLive || source.lowLatency || (source.liveSyncSegments ?? 0) < 5) return 0;
  return 3;
}

/** Media segments in an HLS media playlist, and whether it has ended. */
export function playlistWindow(text: string): { segments: number; ended: boolean } {
  const lines = text.split(/\r?\n/);
  return { segments: lines.filter((l) => l.startsWith('#EXTINF')).length, ended: lines.some((l) => l.startsWith('#EXT-X-ENDLIST')) };
}

export interface LiveWindowWait {
  /** Reads the media playlist (with the viewer's credentials for a private live). */
  fetchText: (url: string) => Promise<string>;
  /** Stop waiting (the player was closed). */
  cancelled: () => boolean;
  intervalMs?: number;
  /** Start anyway after this long (a live that produces segments slower than expected). */
  maxWaitMs?: number;
}

/**
 * Resolves once the media playlist at `url` holds `segments` segments (or has ended, or could not
 * be read, or `maxWaitMs` passed: the player then starts as it would have without waiting).
 */
export async function waitForLiveWindow(url: string, segments: number, opts: LiveWindowWait): Promise<void> {
  const interval = opts.intervalMs ?? 1000;
  const end = Date.now() + (opts.maxWaitMs ?? 20_000);
  while (!opts.cancelled() && Date.now() < end) {
    let window: { segments: number; ended: boolean };
    try {
      window = playlistWindow(await opts.fetchText(url));
    } catch {
      return;
    }
    if (window.ended || window.segments >= segments) return;
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** How far behind real time a live viewer is, and how that was found. */
export interface LiveLatencyReading {
  seconds: number;
  /**
   * `clock`: wall clock minus the EXT-X-PROGRAM-DATE-TIME of the frame on screen (the encoder's
   * clock, stamped as it encoded: ingest and encoding delays included). In low-latency mode the
   * server dates each segment with the time its first part came out of its encoder (see the
   * server's ll-hls-packager.ts): publisher-side delays and that part's length are left out.
   * `estimate`: hls.js's distance to the playlist's live edge, which starts counting only once a
   * segment or part is listed, so it leaves out the publisher → server → packager delay (it read
   * 1–4.5 s below the clock figure when measured): a lower bound.
   */
  measured: 'clock' | 'estimate';
}

/** Longer than any live window the server keeps: a clock figure beyond it means skewed clocks. */
const MAX_CLOCK_LATENCY_S = 600;

/**
 * The viewer's latency from what hls.js knows: `playingDate` (null without PROGRAM-DATE-TIME in
 * the playlist; every latency mode's playlists carry it) against `now`, else hls.js's own
 * estimate. A clock figure below 0 or past MAX_CLOCK_LATENCY_S means the viewer's and the
 * encoder's clocks disagree: the estimate is shown instead. null when neither is known.
 */
export function liveLatencyOf(now: number, playingDate: Date | null, hlsLatency: number): LiveLatencyReading | null {
  if (playingDate) {
    const seconds = (now - playingDate.getTime()) / 1000;
    if (seconds > 0 && seconds < MAX_CLOCK_LATENCY_S) return { seconds, measured: 'clock' };
  }
  return Number.isFinite(hlsLatency) && hlsLatency > 0 ? { seconds: hlsLatency, measured: 'estimate' } : null;
}

/** "Latency 2.4 s", or "Latency ≥ 1.2 s" for the estimate (a lower bound, see LiveLatencyReading). */
export function formatLiveLatency(r: LiveLatencyReading): string {
  return `Latency ${r.measured === 'estimate' ? '≥ ' : ''}${r.seconds.toFixed(1)} s`;
}

/** What each figure means, for the figure's tooltip. */
export const LIVE_LATENCY_HINTS: Record<LiveLatencyReading['measured'], string> = {
  clock: 'Time between the picture on screen and its encoding on the server',
  estimate: "The player's distance to the newest segment the server lists: the time the stream takes to get there is not counted",
};
