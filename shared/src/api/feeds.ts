import { z } from 'zod';
import { looseInt, queryBoolean } from './common';
import { text } from './text';

/** PeerTube's feed formats: RSS 2.0 (`xml`, `rss`, `rss2`), Atom 1.0 (`atom`, `atom1`), JSON Feed 1 (`json`, `json1`). */
export const FEED_FORMATS = ['xml', 'rss', 'rss2', 'atom', 'atom1', 'json', 'json1'] as const;
export const feedFormatParam = z.object({ format: z.enum(FEED_FORMATS) });
export type FeedFormat = z.infer<typeof feedFormatParam>['format'];

const id = looseInt.pipe(z.number().int().min(1).max(2147483647));
const feedSort = z.enum(['-publishedAt', 'publishedAt', '-createdAt', 'createdAt', '-views', '-likes', '-trending', '-hot', '-best']);

/** What every video feed takes: PeerTube's sort, NSFW and local-only filters. */
const feedFilters = z.object({
  sort: feedSort.optional(),
  nsfw: z.enum(['true', 'false', 'both']).optional(),
  isLocal: queryBoolean.optional(),
});

export const videosFeedQuery = feedFilters.extend({
  accountId: id.optional(),
  accountName: text().min(1).max(300).optional(),
  videoChannelId: id.optional(),
  videoChannelName: text().min(1).max(300).optional(),
});
export type VideosFeedQuery = z.infer<typeof videosFeedQuery>;

export const subscriptionsFeedQuery = feedFilters.extend({ accountId: id, token: z.uuid() });
export type SubscriptionsFeedQuery = z.infer<typeof subscriptionsFeedQuery>;

/** `/feeds/video-comments.*`: the newest public comments, of one video or on the videos of an account or a channel. */
export const commentsFeedQuery = z.object({
  videoId: id.optional(),
  accountId: id.optional(),
  accountName: text().min(1).max(300).optional(),
  videoChannelId: id.optional(),
  videoChannelName: text().min(1).max(300).optional(),
});
export type CommentsFeedQuery = z.infer<typeof commentsFeedQuery>;

export const podcastFeedQuery = z.object({ videoChannelId: id });
export type PodcastFeedQuery = z.infer<typeof podcastFeedQuery>;

/** GET/POST /api/v1/users/me/feed-token. */
export interface FeedToken {
  feedToken: string;
}
