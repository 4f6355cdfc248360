/**
 * The player's screen state and the wiring that keeps it in step with the <video> element, apart
 * from VideoPlayer.vue so that the component holds the markup and the engine's life cycle.
 */
import { reactive } from 'vue';
import type { P2PStats } from './p2p-stats';
import type { QualityLevel } from './create-player';
import { savePrefs } from './prefs';

export function createPlayerUi() {
  return reactive({
    playing: false,
    started: false,
    waiting: false,
    currentTime: 0,
    duration: 0,
    buffered: 0,
    fullscreen: false,
    idle: false,
    menu: null as null | 'quality' | 'p2p' | 'speed',
    /** The decoded picture's height: what is really on screen, whatever the engine last switched to. */
    videoHeight: 0,
    rate: 1,
    levels: [] as QualityLevel[],
    selectedLevel: -1,
    playingLevel: -1,
    stats: { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, peers: 0, rejectedSegments: 0, rejectedBytes: 0 } as P2PStats,
    p2pOn: false,
    error: '',
    loading: true,
    /** A live in its first seconds: the player waits for its first segments (liveStartSegments). */
    liveStarting: false,
  });
}

export type PlayerUi = ReturnType<typeof createPlayerUi>;

export interface MediaListeners {
  ui: PlayerUi;
  prefs: { volume: number; muted: boolean };
  /** Where to start once the duration is known (s; 0 = the start). */
  startTime: number;
  /** Controls shown again (the viewer did something). */
  poke: () => void;
  progress: (v: { currentTime: number; playing: boolean }) => void;
  started: () => void;
  seeked: (t: number) => void;
  error: (message: string) => void;
}

/** Mirrors the <video>'s events into the screen state and the component's events. */
export function listenToMedia(v: HTMLVideoElement, l: MediaListeners): void {
  const { ui } = l;
  let lastProgress = 0;
  v.addEventListener('play', () => {
    ui.playing = true;
    ui.started = true;
    l.poke();
    l.progress({ currentTime: v.currentTime, playing: true });
  });
  v.addEventListener('pause', () => {
    ui.playing = false;
    ui.idle = false;
    l.progress({ currentTime: v.currentTime, playing: false });
  });
  v.addEventListener('waiting', () => (ui.waiting = true));
  v.addEventListener('playing', () => (ui.waiting = false));
  v.addEventListener('playing', () => l.started(), { once: true });
  v.addEventListener('canplay', () => (ui.loading = false));
  v.addEventListener('loadedmetadata', () => {
    ui.duration = v.duration;
    if (l.startTime > 0 && l.startTime < v.duration - 1) v.currentTime = l.startTime;
  });
  v.addEventListener('durationchange', () => (ui.duration = v.duration));
  // 'resize' fires when the decoded picture's size changes, i.e. when another rung reaches the screen.
  v.addEventListener('resize', () => (ui.videoHeight = v.videoHeight));
  v.addEventListener('loadeddata', () => (ui.videoHeight = v.videoHeight));
  v.addEventListener('ratechange', () => (ui.rate = v.playbackRate));
  v.addEventListener('timeupdate', () => {
    ui.currentTime = v.currentTime;
    if (v.buffered.length) ui.buffered = v.buffered.end(v.buffered.length - 1);
    const now = Date.now();
    if (now - lastProgress > 1000) {
      lastProgress = now;
      l.progress({ currentTime: v.currentTime, playing: !v.paused });
    }
  });
  v.addEventListener('seeked', () => l.seeked(v.currentTime));
  v.addEventListener('volumechange', () => {
    l.prefs.volume = v.volume;
    l.prefs.muted = v.muted;
    savePrefs({ volume: v.volume, muted: v.muted });
  });
  v.addEventListener('error', () => {
    ui.error = 'This video could not be played.';
    l.error(ui.error);
  });
}

/** The rung on screen, from the <video>'s own videoHeight (hls.js's level can run ahead of the picture while the buffer still holds the previous rung). */
export function qualityLabelOf(ui: Pick<PlayerUi, 'videoHeight' | 'levels' | 'selectedLevel'>): string {
  const shown = ui.videoHeight ? (ui.levels.find((l) => l.height === ui.videoHeight)?.label ?? `${ui.videoHeight}p`) : null;
  if (ui.selectedLevel === -1) return shown ? `Auto (${shown})` : 'Auto';
  const chosen = ui.levels.find((l) => l.index === ui.selectedLevel)?.label ?? 'Auto';
  return shown && shown !== chosen ? `${chosen} (now ${shown})` : chosen;
}

/** Acts on the <video> for the keyboard and the controls. */
export const media = {
  togglePlay(v: HTMLVideoElement): void {
    if (v.paused || v.ended) void v.play().catch(() => undefined);
    else v.pause();
  },
  seekTo(v: HTMLVideoElement, t: number): void {
    if (!Number.isFinite(v.duration)) return;
    v.currentTime = Math.min(Math.max(0, t), v.duration);
  },
  setVolume(v: HTMLVideoElement, vol: number): void {
    v.volume = Math.min(1, Math.max(0, vol));
    v.muted = v.volume === 0;
  },
  toggleMute(v: HTMLVideoElement): void {
    v.muted = !v.muted;
    if (!v.muted && v.volume === 0) v.volume = 0.5;
  },
  setRate(v: HTMLVideoElement, rate: number): void {
    v.playbackRate = Math.min(2, Math.max(0.25, rate));
  },
};
