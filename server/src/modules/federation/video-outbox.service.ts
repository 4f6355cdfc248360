import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AP_BASE_CONTEXT, LiveVideoLatencyMode } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { VideoFormatterService } from '../videos/video-formatter.service';
import { LiveService } from '../live/live.service';
import { VideosService } from '../videos/videos.service';
import { DeliveryService } from './delivery.service';
import { FollowsService } from './follows.service';
import { announceActivity, buildVideoObject, isFederatedPrivacy, isFederatedState, videoAudience, type LiveSettings } from './video-object';

type LoadedVideo = NonNullable<Awaited<ReturnType<VideosService['loadWithFiles']>>>;

/** Local videos out: the Video object, and Create/Announce/Update/Delete to the right followers (§6.2). */
@Injectable()
export class VideoOutboxService implements OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly events: EventBus,
    private readonly videos: VideosService,
    private readonly formatter: VideoFormatterService,
    private readonly follows: FollowsService,
    private readonly delivery: DeliveryService,
    private readonly live: LiveService,
  ) {}

  onModuleInit(): void {
    const guard = (what: string, fn: () => Promise<void>) =>
      fn().catch((err: Error) => logger.error({ err: err.message, what }, 'federating a video failed'));
    this.events.on('video.published', ({ videoId }) => guard('publish', () => this.onPublished(videoId)));
    this.events.on('video.updated', ({ videoId, previousPrivacy }) => guard('update', () => this.onUpdated(videoId, previousPrivacy)));
    this.events.on('video.deleted', (e) => guard('delete', () => this.onDeleted(e)));
    // Lives federate from their creation (waiting, state 4), then an Update at each state change
    // (on air 1, ended 5, waiting again for a permanent live), as PeerTube does.
    this.events.on('video.live-created', ({ videoId }) => guard('live created', () => this.onPublished(videoId)));
    this.events.on('video.live-state-changed', ({ videoId }) => guard('live state', () => this.onStateChanged(videoId)));
  }

  /** The Video object of a local video, or null when it is not federated (remote, private, not published). */
  async videoObject(idOrUuid: string): Promise<{ object: Record<string, unknown> | null; redirect: string | null }> {
    const video = await this.videos.loadByIdentifier(idOrUuid);
    if (video.remote) return { object: null, redirect: video.url };
    if (!isFederatedPrivacy(video.privacy) || !isFederatedState(video.state)) return { object: null, redirect: null };
    return { object: await this.build(video), redirect: null };
  }

  /** A live's settings; null for other videos. */
  private async liveSettings(video: LoadedVideo): Promise<LiveSettings | null> {
    if (!video.isLive) return null;
    const { live } = await this.live.load(video.uuid).catch(() => ({ live: null }));
    if (!live) return null;
    // Flotilla's low-latency mode (100) is its own: the network is told PeerTube's nearest (small).
    const latencyMode = live.latencyMode === LiveVideoLatencyMode.LOW_LATENCY ? LiveVideoLatencyMode.SMALL_LATENCY : live.latencyMode;
    return { saveReplay: live.saveReplay, permanentLive: live.permanentLive, latencyMode };
  }

  async build(video: LoadedVideo, withContext = true): Promise<Record<string, unknown>> {
    const details = this.formatter.details(video);
    const channel = video.VideoChannel!;
    const base = this.config.webserverUrl;
    const object = buildVideoObject(
      details,
      {
        accountUrl: channel.Account!.Actor!.url,
        channelUrl: channel.Actor!.url,
        followersUrl: channel.Account!.Actor!.followersUrl ?? `${channel.Account!.Actor!.url}/followers`,
      },
      {
        privacy: video.privacy,
        thumbnailUrl: details.thumbnailPath ? base + details.thumbnailPath : null,
        previewUrl: details.previewPath ? base + details.previewPath : null,
        withContext,
        live: await this.liveSettings(video),
      },
    );
    // Each HLS playlist carries its resolutions' info hashes (pt:Infohash).
    const hashes = (video.VideoStreamingPlaylists ?? []).map((p) => p.p2pMediaLoaderInfoHashes ?? []);
    let i = 0;
    for (const link of object.url as Record<string, unknown>[]) {
      if (link.mediaType !== 'application/x-mpegURL') continue;
      const tags = link.tag as unknown[];
      tags.unshift(...(hashes[i++] ?? []).map((name) => ({ type: 'Infohash', name })));
    }
    return object;
  }

  private async load(videoId: number): Promise<LoadedVideo | null> {
    const video = await this.videos.loadWithFiles(videoId);
    if (!video || video.remote) return null;
    return video;
  }

  private actorIds(video: LoadedVideo) {
    const channel = video.VideoChannel!;
    return { account: channel.Account!.Actor!.id, channel: channel.Actor!.id };
  }

  private async onPublished(videoId: number): Promise<void> {
    const video = await this.load(videoId);
    if (!video || !isFederatedPrivacy(video.privacy) || !isFederatedState(video.state)) return;
    await this.sendCreateAndAnnounces(video);
  }

  /**
   * On publish: Announce by the instance (other instances following this one), Announce by the
   * channel (its subscribers, Mastodon's included), Create by the account (its followers) —
   * in that order, the cheapest and widest first (the Create carries the whole Video object).
   */
  private async sendCreateAndAnnounces(video: LoadedVideo): Promise<void> {
    const ids = this.actorIds(video);
    const channel = video.VideoChannel!;
    const instance = await this.follows.instanceActor();
    const byInstance = announceActivity(video, instance);
    await this.delivery.toActors(await this.follows.followerIds([instance.id]), byInstance, instance.id);

    const byChannel = announceActivity(video, channel.Actor!);
    await this.delivery.toActors(await this.follows.followerIds([ids.channel]), byChannel, ids.channel);

    const accountFollowers = await this.follows.followerIds([ids.account]);
    if (accountFollowers.length === 0) return;
    const accountUrl = channel.Account!.Actor!.url;
    const { '@context': context, ...object } = await this.build(video);
    const create = { '@context': context, id: `${video.url}/activity`, type: 'Create', actor: accountUrl, object, ...videoAudience(video.privacy, `${accountUrl}/followers`) };
    await this.delivery.toActors(accountFollowers, create, ids.account);
  }

  /** Followers of every actor involved in the video: its account, its channel, the instance. */
  private async allFollowers(accountActorId: number, channelActorId: number): Promise<number[]> {
    const instance = await this.follows.instanceActor();
    return this.follows.followerIds([accountActorId, channelActorId, instance.id]);
  }

  private async onUpdated(videoId: number, previousPrivacy: number): Promise<void> {
    const video = await this.load(videoId);
    if (!video || !isFederatedState(video.state)) return;
    const was = isFederatedPrivacy(previousPrivacy);
    const now = isFederatedPrivacy(video.privacy);
    if (!was && !now) return;
    if (!was && now) return this.sendCreateAndAnnounces(video);
    const ids = this.actorIds(video);
    const accountUrl = video.VideoChannel!.Account!.Actor!.url;
    const followers = await this.allFollowers(ids.account, ids.channel);
    if (was && !now) {
      // Public → private is a Delete for the network.
      return this.delivery.toActors(followers, this.deleteActivity(video.url, accountUrl), ids.account);
    }
    await this.sendUpdate(video, followers);
  }

  /** A live went on air, ended, or waits again: the network gets the Video object with its new state. */
  private async onStateChanged(videoId: number): Promise<void> {
    const video = await this.load(videoId);
    if (!video || !isFederatedPrivacy(video.privacy) || !isFederatedState(video.state)) return;
    const ids = this.actorIds(video);
    await this.sendUpdate(video, await this.allFollowers(ids.account, ids.channel));
  }

  private async sendUpdate(video: LoadedVideo, followers: number[]): Promise<void> {
    if (followers.length === 0) return;
    const ids = this.actorIds(video);
    const accountUrl = video.VideoChannel!.Account!.Actor!.url;
    const { '@context': context, ...object } = await this.build(video);
    const update = {
      '@context': context,
      id: `${video.url}/updates/${video.updatedAt.toISOString()}`,
      type: 'Update',
      actor: accountUrl,
      object,
      ...videoAudience(video.privacy, `${accountUrl}/followers`),
    };
    await this.delivery.toActors(followers, update, ids.account);
  }

  private deleteActivity(videoUrl: string, accountUrl: string) {
    return { '@context': AP_BASE_CONTEXT, id: `${videoUrl}/delete`, type: 'Delete', actor: accountUrl, object: videoUrl, to: ['https://www.w3.org/ns/activitystreams#Public'] };
  }

  private async onDeleted(e: { url?: string; remote?: boolean; accountActorId?: number; accountActorUrl?: string; channelActorId?: number; federated?: boolean }): Promise<void> {
    if (e.remote || !e.federated || !e.url || !e.accountActorId || !e.channelActorId || !e.accountActorUrl) return;
    const followers = await this.allFollowers(e.accountActorId, e.channelActorId);
    await this.delivery.toActors(followers, this.deleteActivity(e.url, e.accountActorUrl), e.accountActorId);
  }
}
