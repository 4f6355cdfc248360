import { z } from 'zod';
import { looseInt, queryBoolean } from './common';
import { videoCreateSchema } from './videos';

/**
 * PeerTube's LiveVideoLatencyMode (1–3) plus Flotilla's low-latency mode (LL-HLS parts, blocking
 * playlist reload, HTTP only). Flotilla's own values start at 100 so that a value PeerTube adds
 * later (4, 5…) never means something else here.
 */
export const LiveVideoLatencyMode = { DEFAULT: 1, HIGH_LATENCY: 2, SMALL_LATENCY: 3, LOW_LATENCY: 100 } as const;
export type LiveVideoLatencyMode = (typeof LiveVideoLatencyMode)[keyof typeof LiveVideoLatencyMode];

/**
 * PeerTube's LiveVideoError: why a session ended abnormally (null when it ended normally), plus
 * Flotilla's values from 100 (as the latency modes): LIVE_LIMIT_REACHED, a publish refused because
 * the instance or the user already has `live.max_instance_lives` / `live.max_user_lives` lives on air,
 * and NO_RUNNER, a live whose transcoding job no runner took in time.
 */
export const LiveVideoError = {
  LIVE_LIMIT_REACHED: 100,
  NO_RUNNER: 101,
  BAD_SOCKET_HEALTH: 1,
  DURATION_EXCEEDED: 2,
  QUOTA_EXCEEDED: 3,
  FFMPEG_ERROR: 4,
  BLACKLISTED: 5,
  RUNNER_JOB_ERROR: 6,
  RUNNER_JOB_CANCEL: 7,
} as const;
export type LiveVideoError = (typeof LiveVideoError)[keyof typeof LiveVideoError];

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const optionalBool = z.preprocess(blankToUndefined, queryBoolean.optional());
const LATENCY_MODES = Object.values(LiveVideoLatencyMode);
const latencyMode = z.preprocess(
  blankToUndefined,
  looseInt
    .pipe(z.literal(LATENCY_MODES))
    .meta({
      // The enum is spelled out: the document shows a pipe's input side (an integer).
      enum: LATENCY_MODES,
      description:
        "1 default, 2 high latency, 3 small latency (PeerTube's values); 100 Flotilla's low-latency mode: LL-HLS with " +
        'partial segments and blocking playlist reload, served over HTTP only (no P2P), about 1–3 s behind the camera.',
    })
    .optional(),
);
/** `replaySettings[privacy]` (multipart) or `replaySettings: { privacy }` (JSON). */
const replaySettings = z.preprocess(
  blankToUndefined,
  z.object({ privacy: looseInt.pipe(z.number().int().min(1).max(5)) }).strict().optional(),
);

const liveSettings = {
  saveReplay: optionalBool,
  replaySettings,
  permanentLive: optionalBool,
  latencyMode,
};

/** `POST /api/v1/videos/live`: the video attributes of an upload plus the live settings. */
export const liveVideoCreateSchema = videoCreateSchema.extend(liveSettings);
export type LiveVideoCreate = z.infer<typeof liveVideoCreateSchema>;

/** `PUT /api/v1/videos/live/:id`. */
export const liveVideoUpdateSchema = z.object(liveSettings).strict();
export type LiveVideoUpdate = z.infer<typeof liveVideoUpdateSchema>;

/** `GET /api/v1/videos/live/:id`. The URLs and key only for those who may manage the live. */
export interface LiveVideo {
  rtmpUrl: string | null;
  rtmpsUrl: string | null;
  streamKey?: string;
  saveReplay: boolean;
  replaySettings: { privacy: number } | null;
  permanentLive: boolean;
  latencyMode: LiveVideoLatencyMode;
}

/** One broadcast of a live (PeerTube's LiveVideoSession). */
export interface LiveVideoSession {
  id: number;
  startDate: string;
  endDate: string | null;
  error: LiveVideoError | null;
  saveReplay: boolean;
  endingProcessed: boolean;
  replayVideo: { id: number; uuid: string; shortUUID: string } | null;
}
