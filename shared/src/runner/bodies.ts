import { z } from 'zod';
import { paginationQuery } from '../api/common';
import { text } from '../api/text';
import { runnerJobTypeSchema, type RunnerJobType } from './job-types';
import { RunnerJobState } from './job-state';
import type { RunnerJobPayload } from './payloads';
import type { RunnerJobPrivatePayload } from './private-payloads';

/**
 * Request and response bodies of `/api/v1/runners/...`. Runner calls authenticate with
 * `runnerToken` (and `jobToken`) in the body, never with OAuth. Multipart routes deliver numbers
 * as strings, hence the loose integer parsing.
 */

const token = text().min(1).max(1000);
const looseInt = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number().int());

export const runnerNameSchema = text().min(1).max(100);
export const runnerDescriptionSchema = text().min(1).max(1000);

// --- registration -------------------------------------------------------------------------------

export const registerRunnerBodySchema = z.object({
  registrationToken: token,
  name: runnerNameSchema,
  description: runnerDescriptionSchema.optional(),
  version: text().max(100).optional(),
});
export type RegisterRunnerBody = z.infer<typeof registerRunnerBodySchema>;

export const registerRunnerResultSchema = z.object({ id: z.number().int(), runnerToken: token });
export type RegisterRunnerResult = z.infer<typeof registerRunnerResultSchema>;

export const unregisterRunnerBodySchema = z.object({ runnerToken: token });
export type UnregisterRunnerBody = z.infer<typeof unregisterRunnerBodySchema>;

// --- job listing and acceptance -----------------------------------------------------------------

export const requestRunnerJobBodySchema = z.object({
  runnerToken: token,
  /** Only list these types; absent = every type. Unknown names are ignored by the server. */
  jobTypes: z.array(text().max(100)).max(20).optional(),
  version: text().max(100).optional(),
});
export type RequestRunnerJobBody = z.infer<typeof requestRunnerJobBodySchema>;

/** One entry of `availableJobs`. The payload is parsed per type by the runner once it accepted. */
export const availableRunnerJobSchema = z.object({
  uuid: text().uuid(),
  type: text(),
  payload: z.unknown(),
});
export type AvailableRunnerJob = z.infer<typeof availableRunnerJobSchema>;

export const requestRunnerJobResultSchema = z.object({ availableJobs: z.array(availableRunnerJobSchema) });
export type RequestRunnerJobResult = z.infer<typeof requestRunnerJobResultSchema>;

export const acceptRunnerJobBodySchema = z.object({ runnerToken: token });
export type AcceptRunnerJobBody = z.infer<typeof acceptRunnerJobBodySchema>;

const isoDate = text();
const stateSchema = z.object({ id: z.number().int().min(1).max(9), label: text() });

/**
 * A job as the server renders it (accept answer, admin list). `state` is `{ id, label }`. A runner
 * only needs uuid, type, payload and jobToken, so the bookkeeping fields are read leniently: an
 * older or newer PeerTube that omits one must not make its jobs unworkable.
 */
export const runnerJobSchema = z.object({
  uuid: text().uuid(),
  type: runnerJobTypeSchema,
  state: stateSchema.optional(),
  payload: z.unknown(),
  failures: z.number().int().optional(),
  error: text().nullish(),
  progress: z.number().nullish(),
  priority: z.number().int().optional(),
  startedAt: isoDate.nullish(),
  createdAt: isoDate.optional(),
  updatedAt: isoDate.optional(),
  finishedAt: isoDate.nullish(),
  parent: z
    .object({ id: z.number().int().optional(), uuid: text(), type: text(), state: stateSchema })
    .nullish(),
  runner: z
    .object({ id: z.number().int(), name: text(), description: text().nullish() })
    .nullish(),
});
/** Typed view of a job for code that builds it (the server). */
export interface RunnerJob<T extends RunnerJobType = RunnerJobType> {
  uuid: string;
  type: T;
  state: { id: RunnerJobState; label: string };
  payload: RunnerJobPayload;
  failures: number;
  error: string | null;
  progress: number | null;
  priority: number;
  startedAt: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  parent?: { id?: number; uuid: string; type: RunnerJobType; state: { id: RunnerJobState; label: string } } | null;
  runner?: { id: number; name: string; description: string | null } | null;
}
export interface RunnerJobAdmin extends RunnerJob {
  privatePayload: RunnerJobPrivatePayload;
}

export const acceptRunnerJobResultSchema = z.object({
  job: runnerJobSchema.extend({ jobToken: token }),
});
export type AcceptRunnerJobResult = z.infer<typeof acceptRunnerJobResultSchema>;

// --- job reports --------------------------------------------------------------------------------

export const abortRunnerJobBodySchema = z.object({ runnerToken: token, jobToken: token, reason: text().min(1).max(5000) });
export type AbortRunnerJobBody = z.infer<typeof abortRunnerJobBodySchema>;

export const errorRunnerJobBodySchema = z.object({ runnerToken: token, jobToken: token, message: text().min(1).max(5000) });
export type ErrorRunnerJobBody = z.infer<typeof errorRunnerJobBodySchema>;

/** Text part of a live `update` payload; the chunk/playlist files arrive as multipart files. */
export const liveRtmpHlsUpdatePayloadSchema = z.object({
  type: z.enum(['add-chunk', 'remove-chunk']),
  videoChunkFilename: text().min(1).max(200),
  resolutionPlaylistFilename: text().min(1).max(200).optional(),
});
export type LiveRtmpHlsUpdatePayload = z.infer<typeof liveRtmpHlsUpdatePayloadSchema>;

export const updateRunnerJobBodySchema = z.object({
  runnerToken: token,
  jobToken: token,
  /** 0–100. PeerTube ignores 0 (falsy); an update without progress is still a heartbeat. */
  progress: looseInt.pipe(z.number().int().min(0).max(100)).optional(),
  /** Only live jobs send a payload; for the others it must be absent or empty. */
  payload: z.union([liveRtmpHlsUpdatePayloadSchema, z.object({}).strict()]).optional(),
});
export type UpdateRunnerJobBody = z.infer<typeof updateRunnerJobBodySchema>;

/** Text fields of `success` (the files arrive as `payload[<name>]` multipart files). */
export const successRunnerJobBodySchema = z.object({
  runnerToken: token,
  jobToken: token,
  payload: z.record(text(), z.unknown()).optional(),
});
export type SuccessRunnerJobBody = z.infer<typeof successRunnerJobBodySchema>;

/** Files a successful job must post, per type (names inside `payload[...]`). Live posts none. */
export const RUNNER_JOB_SUCCESS_FILES = {
  'vod-web-video-transcoding': ['videoFile'],
  'vod-hls-transcoding': ['videoFile', 'resolutionPlaylistFile'],
  'vod-audio-merge-transcoding': ['videoFile'],
  'live-rtmp-hls-transcoding': [],
} as const satisfies Record<RunnerJobType, readonly string[]>;
export type RunnerJobSuccessFile<T extends RunnerJobType> = (typeof RUNNER_JOB_SUCCESS_FILES)[T][number];

/** What a runner hands to the success route: local paths of the files, by payload field name. */
export type RunnerJobSuccessFiles<T extends RunnerJobType = RunnerJobType> = Record<RunnerJobSuccessFile<T>, string>;

/** Body of the input-file download routes (all POST). */
export const runnerJobFileDownloadBodySchema = z.object({ runnerToken: token, jobToken: token });
export type RunnerJobFileDownloadBody = z.infer<typeof runnerJobFileDownloadBodySchema>;

// --- admin views --------------------------------------------------------------------------------

export interface RunnerAdmin {
  id: number;
  name: string;
  description: string | null;
  ip: string;
  lastContact: string;
  version: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RunnerRegistrationTokenAdmin {
  id: number;
  registrationToken: string;
  createdAt: string;
  updatedAt: string;
  registeredRunnersCount: number;
  /** Flotilla: the embedded runner's token (it cannot be deleted). */
  embedded?: boolean;
}

/** `x`, `x[]`, repeated: PeerTube's clients send `stateOneOf[]=1&stateOneOf[]=2`. */
const oneOfQuery = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]), z.array(item).max(20).optional());
const looseStateQuery = z.preprocess((v) => (typeof v === 'string' ? Number(v) : v), z.number().int().min(1).max(9));
/**
 * Any job type name, not only the ones Flotilla creates: a PeerTube admin client may filter on
 * `video-studio-transcoding` or `video-transcription`, which simply match no job here.
 */
const jobTypeNameQuery = text().regex(/^[a-z0-9-]{1,50}$/);

/** GET /api/v1/runners/jobs (admin): both spellings of each list merged. */
export const listRunnerJobsQuery = paginationQuery
  .extend({
    search: text().max(200).optional(),
    stateOneOf: oneOfQuery(looseStateQuery),
    'stateOneOf[]': oneOfQuery(looseStateQuery),
    typeOneOf: oneOfQuery(jobTypeNameQuery),
    'typeOneOf[]': oneOfQuery(jobTypeNameQuery),
  })
  .transform((q) => ({
    start: q.start,
    count: q.count,
    sort: q.sort,
    search: q.search || undefined,
    stateOneOf: [...(q.stateOneOf ?? []), ...(q['stateOneOf[]'] ?? [])],
    typeOneOf: [...(q.typeOneOf ?? []), ...(q['typeOneOf[]'] ?? [])],
  }));
export type ListRunnerJobsQuery = z.output<typeof listRunnerJobsQuery>;
