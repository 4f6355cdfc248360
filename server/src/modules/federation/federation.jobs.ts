import { z } from 'zod';
import { defineJob } from '../../platform/queues/job-definition';

/**
 * Federation's queue jobs. A failed delivery is queued again by its handler with exponential
 * back-off (capped, for days: config `federation.delivery`), not by bull's own retries.
 */
export const FEDERATION_JOBS = {
  /** A verified activity from an inbox, processed in arrival order. */
  inbox: defineJob({
    queue: 'activitypub-inbox',
    name: 'process-activity',
    schema: z.object({ activity: z.record(z.string(), z.unknown()), signer: z.string().url() }),
    options: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, concurrency: 1 },
  }),
  /** One signed POST of one activity to one inbox (one per host for shared inboxes). */
  deliver: defineJob({
    queue: 'activitypub-http-broadcast',
    name: 'deliver-activity',
    schema: z.object({
      inbox: z.string().url(),
      body: z.string(),
      signerActorId: z.number().int(),
      /** Tries made before this one, and when the first one was (ms since the epoch). */
      tries: z.number().int().min(0).default(0),
      firstTryAt: z.number().int().optional(),
    }),
    options: { concurrency: 32 },
  }),
  /** An administrator's instance follow: WebFinger, actor fetch, then the Follow. */
  follow: defineJob({
    queue: 'activitypub-follow',
    name: 'follow-actor',
    schema: z.object({ name: z.string(), host: z.string() }),
    options: { attempts: 5, backoff: { type: 'exponential', delay: 2000 } },
  }),
};
