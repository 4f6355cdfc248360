import { z } from 'zod';
import { text } from './text';
import { looseInt } from './common';

/** Bull job states as PeerTube's `GET /api/v1/jobs/{state}` names them ('' or no segment: all of them). */
export const JOB_STATES = ['active', 'completed', 'failed', 'waiting', 'delayed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const jobStateParam = z.object({ state: z.enum(JOB_STATES).optional() });

/** PeerTube's query: `jobType` names one job type; only `createdAt` sorts (PeerTube's one sortable column). */
export const jobListQuery = z.object({
  jobType: text().regex(/^[a-z0-9-]{1,50}$/).optional(),
  start: looseInt.pipe(z.number().int().min(0)).default(0),
  count: looseInt.pipe(z.number().int().min(1).max(100)).default(15),
  sort: z.enum(['createdAt', '-createdAt']).default('-createdAt'),
});
export type JobListQuery = z.infer<typeof jobListQuery>;

/** One queued job in PeerTube's shape. */
export interface Job {
  id: string;
  state: JobState;
  type: string;
  data: Record<string, unknown>;
  error: string | null;
  progress: number;
  priority: number | null;
  createdAt: string;
  processedOn: string | null;
  finishedOn: string | null;
}
