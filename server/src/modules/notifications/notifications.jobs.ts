import { z } from 'zod';
import { defineJob } from '../../platform/queues/job-definition';

/**
 * Notifications' queue jobs. The fan-out finds the recipients and writes their rows in one bulk
 * insert, then pushes them over socket.io; each e-mail is its own job, retried while the SMTP server
 * is down (the rows and sockets do not wait for it).
 */
export const NOTIFICATION_JOBS = {
  fanOut: defineJob({
    queue: 'notifications',
    name: 'fan-out',
    schema: z.discriminatedUnion('source', [
      z.object({ source: z.literal('video-published'), videoId: z.number().int() }),
      z.object({ source: z.literal('video-received'), videoId: z.number().int() }),
      z.object({ source: z.literal('live-started'), videoId: z.number().int() }),
      z.object({ source: z.literal('transcoding-failed'), videoId: z.number().int() }),
      z.object({
        source: z.literal('comment-created'),
        commentId: z.number().int(),
        videoId: z.number().int(),
        threadId: z.number().int(),
        inReplyToCommentId: z.number().int().nullable(),
        authorAccountId: z.number().int(),
        mentionedAccountIds: z.array(z.number().int()).max(100),
        heldForReview: z.boolean(),
      }),
      z.object({ source: z.literal('actor-followed'), followerActorId: z.number().int(), followingActorId: z.number().int() }),
      z.object({ source: z.literal('user-registered'), userId: z.number().int() }),
    ]),
    options: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, concurrency: 2 },
  }),
  email: defineJob({
    queue: 'notifications-email',
    name: 'send-email',
    schema: z.object({ to: z.string().max(400), subject: z.string().max(300), text: z.string().max(10_000) }),
    // SMTP down for a while: tried again for about half an hour.
    options: { attempts: 8, backoff: { type: 'exponential', delay: 15_000 }, concurrency: 4 },
  }),
};
