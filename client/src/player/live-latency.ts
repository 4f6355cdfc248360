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
