import { Inject, Injectable } from '@nestjs/common';
import { generateAtomFeed, generateJsonFeed, generateRssFeed } from 'feedsmith';
import {
  ErrorCode,
  type ActorImage,
  type FeedFormat,
  type CommentsFeedQuery,
  type PodcastFeedQuery,
  type SubscriptionsFeedQuery,
  type Video,
  type VideoListQuery,
  type VideosFeedQuery,
} from '@flotilla/shared';
import { forbidden, notFound } from '../../common/app-error';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { ChannelsService } from '../channels/channels.service';
import { CommentsService } from '../comments/comments.service';
import { followedActorIds } from '../federation';
import { AccountsService } from '../users/accounts.service';
import { UsersService } from '../users/users.service';
import type { ListScope } from '../videos';
import { VideosService } from '../videos/videos.service';
import { podcastFeed } from './podcast-feed';

/** PeerTube's FEEDS.COUNT: the newest 20 videos. */
const FEED_COUNT = 20;

export interface FeedHead {
  title: string;
  description: string;
  link: string;
  image?: string;
}

/** An account's or a channel's feed: its names, page and largest avatar. */
const headOf = (a: { displayName: string; description: string | null; url: string; avatars: ActorImage[] }): FeedHead => ({
  title: a.displayName,
  description: a.description ?? `Videos of ${a.displayName}`,
  link: a.url,
  image: a.avatars.at(-1)?.fileUrl ?? a.avatars.at(-1)?.path,
});

/** One entry of any feed (a video or a comment), whatever the format. */
interface FeedItem {
  id: string;
  url: string;
  title: string;
  text: string;
  summary?: string;
  published: Date;
  updated: Date;
  authorName: string;
  authorUrl?: string;
  image?: string;
  thumbnail?: string;
}

export interface RenderedFeed {
  contentType: string;
  body: string;
}

/**
 * PeerTube's /feeds: the public videos of the instance (local and remote), of an account or of a
 * channel, and of what an account subscribes to, as RSS 2.0, Atom 1.0 or JSON Feed. They are built
 * on the same video list the API serves without a user, so private, unlisted, internal, unpublished
 * and hidden videos never appear.
 */
@Injectable()
export class FeedsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly videos: VideosService,
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
    private readonly users: UsersService,
    private readonly comments: CommentsService,
  ) {}

  private listQuery(q: { sort?: string; nsfw?: 'true' | 'false' | 'both'; isLocal?: boolean }, include = 0): VideoListQuery {
    return { start: 0, count: FEED_COUNT, sort: q.sort ?? '-publishedAt', nsfw: q.nsfw, isLocal: q.isLocal, include: include || undefined, skipCount: true } as VideoListQuery;
  }

  private absolute(path: string | null): string | undefined {
    if (!path) return undefined;
    return /^https?:\/\//.test(path) ? path : `${this.config.webserverUrl}${path}`;
  }

  async videosFeed(format: FeedFormat, q: VideosFeedQuery): Promise<RenderedFeed> {
    const scope: Omit<ListScope, 'defaultNsfwPolicy' | 'localHost'> = {};
    let head: FeedHead = {
      title: this.config.instance.name,
      description: this.config.instance.short_description || `Videos of ${this.config.instance.name}`,
      link: this.config.webserverUrl,
    };
    if (q.videoChannelId !== undefined || q.videoChannelName !== undefined) {
      const channel = q.videoChannelId !== undefined ? await this.channels.findById(q.videoChannelId) : await this.channels.findByHandle(q.videoChannelName!);
      if (!channel) throw notFound(`Video channel ${q.videoChannelId} not found`, ErrorCode.CHANNEL_NOT_FOUND);
      const c = this.channels.format(channel);
      scope.channelId = c.id;
      head = headOf(c);
    } else if (q.accountId !== undefined || q.accountName !== undefined) {
      const account = q.accountId !== undefined ? await this.accounts.findById(q.accountId) : await this.accounts.findByHandle(q.accountName!);
      if (!account) throw notFound(`Account ${q.accountId} not found`, ErrorCode.ACCOUNT_NOT_FOUND);
      const a = this.accounts.format(account);
      scope.accountId = a.id;
      head = headOf(a);
    }
    const list = await this.videos.list(this.listQuery(q), scope);
    return this.render(format, head, this.videoItems(list.data), `${this.config.webserverUrl}/feeds/videos.${format}`);
  }

  /** The feed token proves the reader may see what this account follows (feed readers have no bearer token). */
  async subscriptionsFeed(format: FeedFormat, q: SubscriptionsFeedQuery): Promise<RenderedFeed> {
    const account = await this.accounts.findById(q.accountId);
    if (!account) throw notFound(`Account ${q.accountId} not found`, ErrorCode.ACCOUNT_NOT_FOUND);
    if (!account.userId || !(await this.users.feedTokenMatches(account.userId, q.token))) {
      throw forbidden('User and token mismatch', ErrorCode.FEED_TOKEN_INVALID);
    }
    const channelActorIds = await followedActorIds(account.actorId);
    const list = await this.videos.list(this.listQuery(q), { channelActorIds });
    const a = this.accounts.format(account);
    const head = { title: `Subscriptions of ${a.displayName}`, description: `Videos of the channels ${a.displayName} subscribes to`, link: `${this.config.webserverUrl}/videos/subscriptions` };
    return this.render(format, head, this.videoItems(list.data), `${this.config.webserverUrl}/feeds/subscriptions.${format}`);
  }

  async podcast(q: PodcastFeedQuery): Promise<RenderedFeed> {
    const channel = await this.channels.findById(q.videoChannelId);
    if (!channel) throw notFound(`Video channel ${q.videoChannelId} not found`, ErrorCode.CHANNEL_NOT_FOUND);
    const c = this.channels.format(channel);
    // Files (include=8) give each rendition its enclosure.
    const list = await this.videos.list(this.listQuery({}, 8), { channelId: c.id });
    return { contentType: 'application/rss+xml; charset=utf-8', body: podcastFeed(this.config, c, list.data, (p) => this.absolute(p)) };
  }

  /** PeerTube's comments feed: the newest comments anyone may read, of a video or on an account's or a channel's videos. */
  async commentsFeed(format: FeedFormat, q: CommentsFeedQuery): Promise<RenderedFeed> {
    const filter: { videoId?: number; accountId?: number; channelId?: number } = {};
    let head: FeedHead = { title: `${this.config.instance.name} - Comments`, description: `Comments on ${this.config.instance.name}`, link: this.config.webserverUrl };
    if (q.videoId !== undefined) {
      const video = await this.videos.loadVisible(String(q.videoId), undefined, { withFiles: false });
      filter.videoId = video.id;
      head = { title: `${video.name} - Comments`, description: `Comments on ${video.name}`, link: `${this.config.webserverUrl}/w/${video.uuid}` };
    } else if (q.videoChannelId !== undefined || q.videoChannelName !== undefined) {
      const channel = q.videoChannelId !== undefined ? await this.channels.findById(q.videoChannelId) : await this.channels.findByHandle(q.videoChannelName!);
      if (!channel) throw notFound(`Video channel ${q.videoChannelId} not found`, ErrorCode.CHANNEL_NOT_FOUND);
      const c = this.channels.format(channel);
      filter.channelId = c.id;
      head = { ...headOf(c), title: `${c.displayName} - Comments` };
    } else if (q.accountId !== undefined || q.accountName !== undefined) {
      const account = q.accountId !== undefined ? await this.accounts.findById(q.accountId) : await this.accounts.findByHandle(q.accountName!);
      if (!account) throw notFound(`Account ${q.accountId} not found`, ErrorCode.ACCOUNT_NOT_FOUND);
      const a = this.accounts.format(account);
      filter.accountId = a.id;
      head = { ...headOf(a), title: `${a.displayName} - Comments` };
    }
    const rows = await this.comments.latestPublic(filter, FEED_COUNT);
    const items: FeedItem[] = rows.map((c) => ({
      id: c.url,
      url: `${this.config.webserverUrl}/w/${c.video_uuid};threadId=${c.thread_id}`,
      title: `${c.video_name} - ${c.author_name ?? 'Deleted account'}`,
      text: c.text,
      published: new Date(c.created_at),
      updated: new Date(c.updated_at),
      authorName: c.author_name ?? 'Deleted account',
      authorUrl: c.author_url ?? undefined,
    }));
    return this.render(format, head, items, `${this.config.webserverUrl}/feeds/video-comments.${format}`);
  }

  private videoItems(videos: Video[]): FeedItem[] {
    return videos.map((v) => ({
      id: v.url,
      url: `${this.config.webserverUrl}/w/${v.shortUUID}`,
      title: v.name,
      text: v.description ?? '',
      summary: v.truncatedDescription ?? undefined,
      published: new Date(v.publishedAt ?? v.createdAt),
      updated: new Date(v.updatedAt),
      authorName: v.account.displayName,
      authorUrl: v.account.url,
      image: this.absolute(v.previewPath ?? v.thumbnailPath),
      thumbnail: this.absolute(v.thumbnailPath),
    }));
  }

  private render(format: FeedFormat, head: FeedHead, items: FeedItem[], selfUrl: string): RenderedFeed {
    const updated = items.length ? items[0].published : new Date();
    if (format === 'json' || format === 'json1') {
      const body = generateJsonFeed({
        title: head.title,
        home_page_url: head.link,
        feed_url: selfUrl,
        description: head.description,
        icon: this.absolute(head.image ?? null),
        items: items.map((i) => ({
          id: i.id,
          url: i.url,
          title: i.title,
          content_text: i.text,
          image: i.image,
          date_published: i.published,
          authors: [{ name: i.authorName, url: i.authorUrl }],
        })),
      });
      return { contentType: 'application/feed+json; charset=utf-8', body: JSON.stringify(body) };
    }
    if (format === 'atom' || format === 'atom1') {
      const body = generateAtomFeed({
        id: selfUrl,
        title: { value: head.title },
        subtitle: { value: head.description },
        updated,
        links: [{ href: head.link, rel: 'alternate' }, { href: selfUrl, rel: 'self' }],
        icon: this.absolute(head.image ?? null),
        entries: items.map((i) => ({
          id: i.id,
          title: { value: i.title },
          updated: i.updated,
          published: i.published,
          links: [{ href: i.url, rel: 'alternate' }],
          summary: i.summary ? { value: i.summary } : undefined,
          content: i.text ? { value: i.text, type: 'text' } : undefined,
          authors: [{ name: i.authorName, uri: i.authorUrl }],
        })),
      });
      return { contentType: 'application/atom+xml; charset=utf-8', body: String(body) };
    }
    const body = generateRssFeed({
      title: head.title,
      link: head.link,
      description: head.description,
      lastBuildDate: updated,
      generator: 'Flotilla',
      image: head.image ? { url: this.absolute(head.image)!, title: head.title, link: head.link } : undefined,
      atom: { links: [{ href: selfUrl, rel: 'self', type: 'application/rss+xml' }] },
      items: items.map((i) => ({
        title: i.title,
        link: i.url,
        guid: { value: i.id, isPermaLink: false },
        pubDate: i.published,
        description: i.text,
        authors: [{ name: i.authorName }],
        media: i.thumbnail ? { thumbnails: [{ url: i.thumbnail }] } : undefined,
      })),
    });
    return { contentType: 'application/rss+xml; charset=utf-8', body: String(body) };
  }
}
