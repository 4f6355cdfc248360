import { z } from 'zod';
import type { RunnerJobType } from './job-types';

/** Private payloads stay on the server (admin list shows them). Field names are PeerTube's. */

/** PeerTube's VideoFileStream bit flags, used to know when split audio/video renditions all exist. */
export const VideoFileStream = { NONE: 0, VIDEO: 1 << 0, AUDIO: 1 << 1 } as const;
export type VideoFileStream = (typeof VideoFileStream)[keyof typeof VideoFileStream];

const videoUUID = z.string().uuid();

export const vodWebVideoTranscodingPrivatePayloadSchema = z.object({
  videoUUID,
  isNewVideo: z.boolean(),
  /** The file to delete once this "optimize" pass succeeded (the original upload), if any. */
  deleteInputFileId: z.number().int().nullable(),
  canMoveVideoState: z.boolean(),
});
export type VodWebVideoTranscodingPrivatePayload = z.infer<typeof vodWebVideoTranscodingPrivatePayloadSchema>;

export const vodAudioMergeTranscodingPrivatePayloadSchema = vodWebVideoTranscodingPrivatePayloadSchema;
export type VodAudioMergeTranscodingPrivatePayload = VodWebVideoTranscodingPrivatePayload;

export const vodHlsTranscodingPrivatePayloadSchema = z.object({
  videoUUID,
  isNewVideo: z.boolean(),
  deleteWebVideoFiles: z.boolean(),
  canMoveVideoState: z.boolean(),
  inputStreams: z.array(z.number().int().min(0).max(3)).default([]),
  transcodingRequestAt: z.string().optional(),
  /** Flotilla: the original upload, removed once this video's last job is done (any job type may be last). */
  deleteInputFileId: z.number().int().nullable().optional(),
});
export type VodHlsTranscodingPrivatePayload = z.infer<typeof vodHlsTranscodingPrivatePayloadSchema>;

export const liveRtmpHlsTranscodingPrivatePayloadSchema = z.object({
  videoUUID,
  masterPlaylistName: z.string().min(1),
  outputDirectory: z.string().min(1),
  sessionId: z.string().min(1),
  /**
   * Flotilla: added to the chunk numbers the runner sends when a session continues on a new job
   * (a publisher reconnecting within the grace window): viewers' media sequence keeps growing.
   */
  segmentOffset: z.number().int().min(0).optional(),
  /** Flotilla: which job of the session this is (0 first); older generations' playlists are ignored. */
  generation: z.number().int().min(0).optional(),
});
export type LiveRtmpHlsTranscodingPrivatePayload = z.infer<typeof liveRtmpHlsTranscodingPrivatePayloadSchema>;

export const runnerJobPrivatePayloadSchemas = {
  'vod-web-video-transcoding': vodWebVideoTranscodingPrivatePayloadSchema,
  'vod-hls-transcoding': vodHlsTranscodingPrivatePayloadSchema,
  'vod-audio-merge-transcoding': vodAudioMergeTranscodingPrivatePayloadSchema,
  'live-rtmp-hls-transcoding': liveRtmpHlsTranscodingPrivatePayloadSchema,
} as const satisfies Record<RunnerJobType, z.ZodType>;

export type RunnerJobPrivatePayloadMap = {
  [T in RunnerJobType]: z.infer<(typeof runnerJobPrivatePayloadSchemas)[T]>;
};
export type RunnerJobPrivatePayload = RunnerJobPrivatePayloadMap[RunnerJobType];

export function parseRunnerJobPrivatePayload<T extends RunnerJobType>(
  type: T,
  payload: unknown,
): RunnerJobPrivatePayloadMap[T] {
  return runnerJobPrivatePayloadSchemas[type].parse(payload) as RunnerJobPrivatePayloadMap[T];
}
