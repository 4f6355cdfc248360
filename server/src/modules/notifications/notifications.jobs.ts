import { z } from 'zod';
import { defineJob } from '../../platform/queues/job-definition';

/**
 * Notifications' queue job. The fan-out finds the recipients and writes their rows in one bulk
 * insert, then pushes them over socket.io; each e-mail goes to the platform's e-mail queue, retried
 * while the SMTP server is down (the rows and sockets do not wait for it).
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
      z.object({ source: z.literal('video-hidden-changed'), uuid: z.string().uuid(), hidden: z.boolean() }),
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
      z.object({
        source: z.literal('comment-approved'),
        commentId: z.number().int(),
        videoId: z.number().int(),
        threadId: z.number().int(),
        inReplyToCommentId: z.number().int().nullable(),
        authorAccountId: z.number().int(),
        mentionedAccountIds: z.array(z.number().int()).max(100),
      }),
      z.object({ source: z.literal('actor-followed'), followerActorId: z.number().int(), followingActorId: z.number().int() }),
      z.object({ source: z.literal('user-registered'), userId: z.number().int() }),
      z.object({ source: z.literal('registration-requested'), registrationId: z.number().int(), username: z.string().max(255) }),
    ]),
    options: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, concurrency: 2 },
  }),
};
