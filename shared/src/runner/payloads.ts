import { z } from 'zod';
import type { RunnerJobType } from './job-types';

/**
 * Public payloads: what a runner sees of a job. Field names are PeerTube's. Download URLs are
 * absolute and opaque: a runner POSTs `{ runnerToken, jobToken }` to them and never builds them.
 */

/** Asks the runner to send one output to another URL instead of the success/update request. */
export const runnerJobCustomUploadSchema = z.object({
  url: z.string().url(),
  method: z.enum(['PUT', 'POST']).optional(),
});
export type RunnerJobCustomUpload = z.infer<typeof runnerJobCustomUploadSchema>;

/** Height class of a rendition (the smaller side for portrait videos); 0 = audio only. */
const resolution = z.number().int().min(0).max(10_000);
const fps = z.number().min(0).max(1000);
/** Older PeerTube versions do not send the separated-audio list: read it as empty. */
const separatedAudioFileUrl = z.array(z.string().url()).max(1).default([]);

export const vodWebVideoTranscodingPayloadSchema = z.object({
  input: z.object({ videoFileUrl: z.string().url(), separatedAudioFileUrl }),
  output: z.object({ resolution, fps, videoFileCustomUpload: runnerJobCustomUploadSchema.optional() }),
});
export type VodWebVideoTranscodingPayload = z.infer<typeof vodWebVideoTranscodingPayloadSchema>;

export const vodHlsTranscodingPayloadSchema = z.object({
  input: z.object({ videoFileUrl: z.string().url(), separatedAudioFileUrl }),
  output: z.object({
    resolution,
    fps,
    /** Video rendition without audio; resolution 0 then means the audio-only rendition. */
    separatedAudio: z.boolean().default(false),
    /**
     * Flotilla's hint: the server's probe says this rung can be remuxed (no encode). Runners decide
     * again from their own probe; PeerTube runners ignore the field.
     */
    streamCopy: z.boolean().optional(),
    videoFileCustomUpload: runnerJobCustomUploadSchema.optional(),
    resolutionPlaylistFileCustomUpload: runnerJobCustomUploadSchema.optional(),
  }),
});
export type VodHlsTranscodingPayload = z.infer<typeof vodHlsTranscodingPayloadSchema>;

export const vodAudioMergeTranscodingPayloadSchema = z.object({
  input: z.object({ audioFileUrl: z.string().url(), previewFileUrl: z.string().url() }),
  output: z.object({ resolution, fps, videoFileCustomUpload: runnerJobCustomUploadSchema.optional() }),
});
export type VodAudioMergeTranscodingPayload = z.infer<typeof vodAudioMergeTranscodingPayloadSchema>;

/**
 * Flotilla's hint of what the live's RTMP input holds, from the publisher's metadata (codec names as
 * ffprobe's). A Flotilla runner starts ffmpeg from it at once and checks it with its own probe
 * alongside; PeerTube runners ignore the field, and without it a runner probes first.
 */
export const liveStreamHintSchema = z.object({
  video: z.object({ codec: z.string().max(32), width: z.number().int().min(1).max(16_384), height: z.number().int().min(1).max(16_384), fps: z.number().min(0).max(1000) }),
  audio: z.object({ codec: z.string().max(32), bitrate: z.number().min(0), channels: z.number().int().min(0).max(64) }).nullable(),
});
export type LiveStreamHint = z.infer<typeof liveStreamHintSchema>;

export const liveRtmpHlsTranscodingPayloadSchema = z.object({
  input: z.object({
    rtmpUrl: z.string().min(1),
    streamHint: liveStreamHintSchema.optional(),
    /**
     * Flotilla: the longest distance between the source's keyframes, seconds, as the server measured
     * it (sent only when the live is transcoded). A rung is copied only when it is ≤ the segment duration.
     */
    keyframeInterval: z.number().positive().max(86_400).optional(),
  }),
  output: z.object({
    toTranscode: z.array(z.object({ resolution, fps })).min(1),
    segmentDuration: z.number().positive(),
    segmentListSize: z.number().int().min(0),
    masterPlaylistFileCustomUpload: runnerJobCustomUploadSchema.optional(),
    resolutionPlaylistFileCustomUpload: runnerJobCustomUploadSchema.optional(),
    videoChunkFileCustomUpload: runnerJobCustomUploadSchema.optional(),
  }),
});
export type LiveRtmpHlsTranscodingPayload = z.infer<typeof liveRtmpHlsTranscodingPayloadSchema>;

export const runnerJobPayloadSchemas = {
  'vod-web-video-transcoding': vodWebVideoTranscodingPayloadSchema,
  'vod-hls-transcoding': vodHlsTranscodingPayloadSchema,
  'vod-audio-merge-transcoding': vodAudioMergeTranscodingPayloadSchema,
  'live-rtmp-hls-transcoding': liveRtmpHlsTranscodingPayloadSchema,
} as const satisfies Record<RunnerJobType, z.ZodType>;

export type RunnerJobPayloadMap = { [T in RunnerJobType]: z.infer<(typeof runnerJobPayloadSchemas)[T]> };
export type RunnerJobPayload = RunnerJobPayloadMap[RunnerJobType];

/** `{ type, payload }` pairs, discriminated by type: how a job travels in request/accept answers. */
export const typedRunnerJobPayloadSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('vod-web-video-transcoding'), payload: vodWebVideoTranscodingPayloadSchema }),
  z.object({ type: z.literal('vod-hls-transcoding'), payload: vodHlsTranscodingPayloadSchema }),
  z.object({ type: z.literal('vod-audio-merge-transcoding'), payload: vodAudioMergeTranscodingPayloadSchema }),
  z.object({ type: z.literal('live-rtmp-hls-transcoding'), payload: liveRtmpHlsTranscodingPayloadSchema }),
]);
export type TypedRunnerJobPayload = z.infer<typeof typedRunnerJobPayloadSchema>;

export function parseRunnerJobPayload<T extends RunnerJobType>(type: T, payload: unknown): RunnerJobPayloadMap[T] {
  return runnerJobPayloadSchemas[type].parse(payload) as RunnerJobPayloadMap[T];
}
