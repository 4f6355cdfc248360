import { z } from 'zod';
import { looseInt, queryBoolean } from './common';
import { videoCreateSchema } from './videos';

/** PeerTube's LiveVideoLatencyMode. */
export const LiveVideoLatencyMode = { DEFAULT: 1, HIGH_LATENCY: 2, SMALL_LATENCY: 3 } as const;
export type LiveVideoLatencyMode = (typeof LiveVideoLatencyMode)[keyof typeof LiveVideoLatencyMode];

/** PeerTube's LiveVideoError: why a session ended abnormally (null when it ended normally). */
export const LiveVideoError = {
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
const latencyMode = z.preprocess(blankToUndefined, looseInt.pipe(z.number().int().min(1).max(3)).optional());
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
