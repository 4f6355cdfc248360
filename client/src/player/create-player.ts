/**
 * hls.js + p2p-media-loader 2.x behind one small controller, independent of Vue so that the watch
 * page and the embed share it. Imported lazily: this chunk (hls.js + engine) loads only where a
 * video plays.
 */
import Hls, { type Level } from 'hls.js';
import { HlsJsP2PEngine } from 'p2p-media-loader-hlsjs';
import { generateStreamShortId, type CoreConfig } from 'p2p-media-loader-core';
import { applyByteRangeRetryFix } from './byte-range-retry-fix';
import { liveHighDemandWindow, liveHlsConfig, liveLatencyOf, liveStartSegments, waitForLiveWindow, type LiveLatencyReading, type LiveLatencySource } from './live-latency';
import { P2PStatsCollector, type P2PStats } from './p2p-stats';
import { createMixedSourceGuard, createSegmentValidator, type SegmentsSha256Json } from './segment-validator';
import { firstFragmentOverHttp, type FragmentLoaderClass } from './startup-fragment-loader';
import { probeSwarm, variantInfoHash } from './tracker-probe';

/**
 * How long fragments after the first wait for peers when the tracker knows some: the first
 * fragment (4 s of media) plays meanwhile, so this costs no start-up time, and 2 s leave the
 * second fragment time to come over HTTP on a slow line before the first one runs out (3 s gave
 * no better share in the bench).
 */
const DEFAULT_INITIAL_HOLD_MS = 2000;

/** Fragments after the first wait at most this long for playback to start (see startGate). */
const START_GATE_MAX_MS = 1000;

/**
 * Resolves once the video plays or seeks, or `maxMs` after the first fragment is in (a viewer who
 * has not pressed play yet still gets the rest preloaded).
 */
function playbackStarted(video: HTMLVideoElement, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!video.paused && video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) return resolve();
    const done = () => {
      clearTimeout(timer);
      video.removeEventListener('playing', done);
      video.removeEventListener('seeking', done);
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    video.addEventListener('playing', done);
    video.addEventListener('seeking', done);
  });
}

export interface PlayerSource extends LiveLatencySource {
  /** One swarm per video whatever URL it is reached by: the video's UUID. */
  swarmId: string;
  playlistUrl: string | null;
  segmentsSha256Url: string | null;
  /** Plain file to play when the video has no HLS playlist (web videos only). */
  fileUrl?: string | null;
}

export interface PlayerOptions {
  /** ws(s)://host/tracker/socket of the instance. */
  trackerUrls: string[];
  /** Instance allows P2P (config tracker.enabled) … */
  p2pAllowed: boolean;
  /** … and the viewer did not turn it off. */
  p2pEnabled: boolean;
  rtcConfig?: RTCConfiguration;
  /** Authorization header for this instance's files of private videos. */
  authHeader?: () => string | null;
  loadSegmentsSha256: (url: string) => Promise<SegmentsSha256Json>;
  /** Hold the first HTTP requests this long when the tracker reports peers (ms). */
  initialHoldMs?: number;
  startLevel?: number;
  /** The viewer's remembered quality (height); automatic when absent or not offered. */
  preferredHeight?: number;
}

export interface QualityLevel {
  index: number;
  height: number;
  bitrate: number;
  label: string;
}

export interface PlayerController {
  readonly kind: 'hls-p2p' | 'hls' | 'native';
  stats(): P2PStats;
  p2pRatio(): number;
  levels(): QualityLevel[];
  /** -1 = automatic */
  selectedLevel(): number;
  playingLevel(): number;
  setLevel(index: number): void;
  setP2PEnabled(enabled: boolean): void;
  p2pActive(): boolean;
  /** How long the first HTTP requests were held for peers (0 = the tracker knew nobody). */
  startupHoldMs(): number;
  /** A live in its first seconds: loading waits until its playlist holds a few segments. */
  liveStarting(): boolean;
  /** How far behind real time a live plays now; null for a VOD or before the live edge is known. */
  liveLatency(): LiveLatencyReading | null;
  onUpdate(cb: () => void): void;
  destroy(): void;
}

/**
 * Tuning (notes/p2p.md): a short high-demand window leaves room for peers to serve the rest;
 * bounded HTTP/P2P windows stop every viewer from pulling a long VOD whole as soon as it finds a peer.
 */
export const P2P_TUNING: Partial<CoreConfig> = {
  highDemandTimeWindow: 6,
  httpDownloadTimeWindow: 45,
  p2pDownloadTimeWindow: 90,
  simultaneousHttpDownloads: 2,
  simultaneousP2PDownloads: 3,
  httpDownloadInitialTimeoutMs: 0,
};

function levelLabel(level: Level): string {
  return level.height ? `${level.height}p` : `${Math.round(level.bitrate / 1000)} kb/s`;
}

export function streamShortIdsOf(levels: Level[]): string[] {
  // Mirrors how the hls.js integration names main streams, so that we can scrape their swarms.
  return levels.map((level) => {
    const b = level.maxBitrate ?? level.bitrate;
    const missing = b === 0;
    return generateStreamShortId({
      bitrate: b,
      codecs: missing ? undefined : level.videoCodec,
      width: missing ? undefined : level.width,
      height: missing ? undefined : level.height,
      frameRate: missing ? undefined : level.attrs['FRAME-RATE'],
      videoRange: missing ? undefined : level.attrs['VIDEO-RANGE'],
    });
  });
}

export function createPlayer(video: HTMLVideoElement, source: PlayerSource, opts: PlayerOptions): PlayerController {
  const stats = new P2PStatsCollector();
  const listeners: Array<() => void> = [];
  const notify = () => listeners.forEach((cb) => cb());

  const plainController = (kind: 'native'): PlayerController => ({
    kind,
    stats: () => stats.snapshot(),
    p2pRatio: () => 0,
    levels: () => [],
    selectedLevel: () => -1,
    playingLevel: () => -1,
    setLevel: () => undefined,
    setP2PEnabled: () => undefined,
    p2pActive: () => false,
    startupHoldMs: () => 0,
    liveStarting: () => false,
    liveLatency: () => null,
    onUpdate: (cb) => listeners.push(cb),
    destroy: () => {
      video.removeAttribute('src');
      video.load();
    },
  });

  if (!source.playlistUrl || !Hls.isSupported()) {
    const url = source.playlistUrl && video.canPlayType('application/vnd.apple.mpegurl') ? source.playlistUrl : source.fileUrl;
    if (url) video.src = url;
    return plainController('native');
  }

  const usesP2P = opts.p2pAllowed && opts.trackerUrls.length > 0 && !source.lowLatency;
  const xhrSetup = (xhr: XMLHttpRequest, url: string) => {
    const auth = opts.authHeader?.();
    if (auth && sameOrigin(url)) xhr.setRequestHeader('Authorization', auth);
  };
  const hlsConfig = {
    autoStartLoad: false,
    // The first fragment comes from the lowest rung, over HTTP (startup-fragment-loader): 5–6×
    // fewer bytes to fetch and decode before the picture shows (on a 10 Mb/s line ~0.15 s instead
    // of ~0.75 s for 4 s of 360p), and fewer server bytes per newcomer (bench: P2P share up from
    // ~72 % to ~75 % with 5 viewers). ABR moves up from the second fragment, which peers serve.
    // A quality the viewer chose (preferredHeight) still applies from the start.
    startLevel: opts.startLevel ?? 0,
    capLevelToPlayerSize: true,
    // HLS here is fMP4 (passed through, not transmuxed): hls.js's worker would only cost start-up,
    // a thread plus a second compile of hls.js from its own source text, in every viewer.
    enableWorker: false,
    // No throw-away bandwidth probe before the first real fragment: it costs a fragment of
    // start-up, and as the first request it would go around the P2P engine for nothing.
    testBandwidth: false,
    // Without the probe, the first level comes from this estimate: start at the size the player
    // can show (capLevelToPlayerSize) on a common connection; ABR steps down after one fragment
    // if the line is slower. A low start would leave late viewers on a rung no peer holds.
    abrEwmaDefaultEstimate: 5_000_000,
    maxBufferLength: 30,
    ...liveHlsConfig(source),
    xhrSetup,
  };

  let hls: Hls;
  let engine: HlsJsP2PEngine | null = null;
  if (usesP2P) {
    const validate = createSegmentValidator({
      loadJson: () => (source.segmentsSha256Url ? opts.loadSegmentsSha256(source.segmentsSha256Url) : Promise.resolve({})),
      // A live's hashes grow per segment: an unknown one waits for a reload (at most 1 s away).
      ...(source.isLive ? { waitForNewHashes: true, reloadIntervalMs: 1000 } : {}),
      onReject: ({ bytes }) => {
        stats.segmentRejected(bytes);
        notify();
      },
    });
    const mixed = createMixedSourceGuard(validate);
    const HlsWithP2P = HlsJsP2PEngine.injectMixin(Hls);
    const highDemand = liveHighDemandWindow(source);
    const core: Partial<CoreConfig> = {
      ...P2P_TUNING,
      ...(highDemand === undefined ? {} : { highDemandTimeWindow: highDemand }),
      swarmId: source.swarmId,
      announceTrackers: opts.trackerUrls,
      rtcConfig: opts.rtcConfig ?? { iceServers: [] },
      isP2PDisabled: !opts.p2pEnabled,
      // No segment from a peer reaches the player before its SHA-256 matched the published one;
      // a refused one counts as a failed P2P attempt and is fetched again over HTTP.
      validateP2PSegment: (url, byteRange, data) => validate(url, byteRange, data),
      // A segment partly or wholly from a peer that the engine completes as an HTTP one.
      validateHTTPSegment: (url, byteRange, data) => mixed.validateHttp(url, byteRange, data),
      httpRequestSetup: async (url, _range, signal, requestByteRange) => {
        const auth = opts.authHeader?.();
        if (!auth || !sameOrigin(url)) return undefined;
        const headers: Record<string, string> = { Authorization: auth };
        if (requestByteRange) headers.Range = `bytes=${requestByteRange.start}-${requestByteRange.end ?? ''}`;
        return new Request(url, { headers, signal });
      },
    };
    const instance = new HlsWithP2P({ ...hlsConfig, p2p: { core } });
    let startGate: Promise<void> | null = null;
    engine = instance.p2pEngine;
    hls = instance;
    // The first fragment comes over HTTP at once (no wait for peers before the picture shows).
    instance.config.fLoader = firstFragmentOverHttp(instance.config.fLoader as FragmentLoaderClass, {
      onHttpBytes: (bytes) => {
        stats.chunkDownloaded(bytes, 'http');
        notify();
      },
      startGate: () => (startGate ??= playbackStarted(video, START_GATE_MAX_MS)),
    });
    let retryFixed = false;
    engine.addEventListener('onChunkDownloaded', (bytes, src) => {
      // The first chunk means a request exists: patch the engine before any peer segment can be refused.
      if (!retryFixed) retryFixed = applyByteRangeRetryFix(engine);
      stats.chunkDownloaded(bytes, src);
      notify();
    });
    engine.addEventListener('onSegmentStart', ({ segment, downloadSource }) => {
      if (downloadSource === 'p2p') mixed.peerAttemptStarted(segment.url, segment.byteRange);
    });
    engine.addEventListener('onSegmentLoaded', ({ bytesLength, downloadSource }) => {
      stats.segmentLoaded(bytesLength, downloadSource);
      notify();
    });
    engine.addEventListener('onChunkUploaded', (bytes) => {
      stats.chunkUploaded(bytes);
      notify();
    });
    engine.addEventListener('onPeerConnect', ({ peerId }) => {
      stats.peerConnected(peerId);
      notify();
    });
    engine.addEventListener('onPeerClose', ({ peerId }) => {
      stats.peerClosed(peerId);
      notify();
    });
  } else {
    hls = new Hls(hlsConfig);
    hls.on(Hls.Events.FRAG_LOADED, (_e, data) => {
      stats.chunkDownloaded(data.frag.stats.loaded, 'http');
      notify();
    });
  }

  let destroyed = false;
  let holdMs = 0;
  let liveStarting = false;
  // hls.currentLevel reports the playing level until the switch happens; keep the viewer's choice.
  let selected = -1;
  hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
    const preferred = opts.preferredHeight ? data.levels.findIndex((l) => l.height === opts.preferredHeight) : -1;
    if (preferred >= 0) {
      selected = preferred;
      hls.startLevel = preferred;
      hls.currentLevel = preferred;
    }
    notify();
    // Lives too, but only where the player stays far enough behind the edge to afford the wait
    // (default and high latency: 5 and 10 segments): without it a later viewer fetches the segments
    // the first one already has over HTTP before their peer link is up (live P2P test: no peer
    // bytes in 3 runs of 5).
    const holdsForPeers = !source.isLive || (source.liveSyncSegments ?? 0) >= 5;
    if (engine && opts.p2pEnabled && holdsForPeers) {
      // Loading starts now; the answer only decides whether later fragments wait a little for
      // peers (the engine starts with its first request, after the first fragment, so the hold
      // set here is in place by then and counts from that moment).
      const p2pEngine = engine;
      const hashes = streamShortIdsOf(data.levels).map((id) => variantInfoHash(source.swarmId, id));
      void probeSwarm(opts.trackerUrls[0], hashes).then((peers) => {
        if (destroyed || !peers) return;
        holdMs = opts.initialHoldMs ?? DEFAULT_INITIAL_HOLD_MS;
        p2pEngine.applyDynamicConfig({ core: { httpDownloadInitialTimeoutMs: holdMs } });
      });
    }
    const start = () => {
      if (!destroyed) hls.startLoad(-1);
    };
    const gate = liveStartSegments(source);
    const first = data.levels[Math.max(0, selected >= 0 ? selected : (opts.startLevel ?? 0))] ?? data.levels[0];
    if (gate && first) {
      liveStarting = true;
      notify();
      void waitForLiveWindow(first.uri, gate, { fetchText: (url) => fetchText(url, opts.authHeader), cancelled: () => destroyed }).then(() => {
        liveStarting = false;
        notify();
        start();
      });
    } else start();
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, notify);
  hls.on(Hls.Events.ERROR, (_e, data) => {
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) hls.startLoad();
    else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
  });
  hls.loadSource(source.playlistUrl);
  hls.attachMedia(video);

  let p2pOn = usesP2P && opts.p2pEnabled;

  return {
    kind: engine ? 'hls-p2p' : 'hls',
    stats: () => stats.snapshot(),
    p2pRatio: () => stats.p2pRatio(),
    levels: () => hls.levels.map((l, index) => ({ index, height: l.height, bitrate: l.bitrate, label: levelLabel(l) })),
    selectedLevel: () => selected,
    playingLevel: () => hls.currentLevel,
    setLevel: (index) => {
      selected = index;
      hls.currentLevel = index;
      notify();
    },
    setP2PEnabled: (enabled) => {
      if (!engine) return;
      p2pOn = enabled;
      engine.applyDynamicConfig({ core: { isP2PDisabled: !enabled } });
      notify();
    },
    p2pActive: () => p2pOn,
    startupHoldMs: () => holdMs,
    liveStarting: () => liveStarting,
    liveLatency: () => (source.isLive ? liveLatencyOf(Date.now(), hls.playingDate, hls.latency) : null),
    onUpdate: (cb) => listeners.push(cb),
    destroy: () => {
      destroyed = true;
      hls.destroy();
    },
  };
}

/** A playlist's text, with the viewer's credentials on this instance's files. */
async function fetchText(url: string, authHeader?: () => string | null): Promise<string> {
  const auth = authHeader?.();
  const res = await fetch(url, { headers: auth && sameOrigin(url) ? { Authorization: auth } : {}, cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}

function sameOrigin(url: string): boolean {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}
