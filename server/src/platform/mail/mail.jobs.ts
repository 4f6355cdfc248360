import { z } from 'zod';
import { defineJob } from '../queues/job-definition';

/**
 * Every outgoing e-mail (notifications, password resets, e-mail verification, moderation notices) is
 * one job of this queue: the request or the notification that caused it never waits for the SMTP
 * server, and a mail the server did not take is tried again later.
 */
export const MAIL_JOBS = {
  send: defineJob({
    queue: 'email',
    name: 'send-email',
    schema: z.object({ to: z.string().min(3).max(400), subject: z.string().max(300), text: z.string().max(10_000), replyTo: z.string().max(400).optional() }),
    // SMTP down for a while: tried again for about half an hour (15 s, 30 s, 1 min … 16 min).
    options: { attempts: 8, backoff: { type: 'exponential', delay: 15_000 }, concurrency: 4 },
  }),
};
