import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AP_BASE_CONTEXT } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { EventBus } from '../../platform/events/event-bus.service';
import { AccountsService } from '../users/accounts.service';
import { VideoRatesService } from '../videos/video-rates.service';
import { VideoViewsService } from '../videos/video-views.service';
import { randomUUID } from 'node:crypto';
import { FollowsService } from './follows.service';
import { VideosService } from '../videos/videos.service';
import { idOf } from './activities';
import { DeliveryService } from './delivery.service';
import { InboxService } from './inbox.service';
import { isUrl } from './ap-values';
import { hostOf } from './remote-actors.service';
import { RemoteVideosService } from './remote-videos.service';
import { VideoAudienceService } from './video-audience.service';

type Json = Record<string, unknown>;

/**
 * Likes and dislikes across instances (§6.2/§6.3): a local account's rating of a remote video is
 * sent to the video's origin (Like/Dislike, Undo when withdrawn); a remote account's rating of a
 * local video is counted here and forwarded to the video's audience, who count it as well.
 */
@Injectable()
export class RatesFederationService implements OnModuleInit {
  constructor(
    private readonly events: EventBus,
    private readonly inbox: InboxService,
    private readonly videos: VideosService,
    private readonly rates: VideoRatesService,
    private readonly accounts: AccountsService,
    private readonly remoteVideos: RemoteVideosService,
    private readonly delivery: DeliveryService,
    private readonly views: VideoViewsService,
    private readonly follows: FollowsService,
    private readonly audience: VideoAudienceService,
  ) {}

  onModuleInit(): void {
    this.events.on('video.rated', (e) =>
      this.onRated(e).catch((err: Error) => logger.error({ err: err.message }, 'federating a rating failed')),
    );
    this.inbox.register('Like', (a, s) => this.onRemoteRate(a, a, s, 'like'));
    this.inbox.register('Dislike', (a, s) => this.onRemoteRate(a, a, s, 'dislike'));
    this.inbox.register('Undo:Like', (a, s) => this.onRemoteRate(a.object as Json, a, s, 'none'));
    this.inbox.register('Undo:Dislike', (a, s) => this.onRemoteRate(a.object as Json, a, s, 'none'));
    this.events.on('video.viewed', (e) =>
      this.onViewed(e).catch((err: Error) => logger.error({ err: err.message }, 'federating a view failed')),
    );
    this.inbox.register('View', (a, s) => this.onRemoteView(a, s));
  }

  /** A view of a remote video on this instance: a View to its origin, by the instance actor (§6.2). */
  private async onViewed(e: { videoId: number; viewer: string }): Promise<void> {
    if (e.viewer.startsWith('remote:')) return;
    const video = await this.videos.loadWithFiles(e.videoId);
    if (!video?.remote) return;
    const origin = video.VideoChannel!.Account!.Actor!;
    const instance = await this.follows.instanceActor();
    const view = {
      '@context': AP_BASE_CONTEXT,
      id: `${instance.url}/views/videos/${video.id}/${randomUUID()}`,
      type: 'View',
      actor: instance.url,
      object: video.url,
      to: [origin.url],
    };
    await this.delivery.toActors([origin.id], view, instance.id);
  }

  /** A single view from another instance (no `expires`: the viewers-count variant is not counted as a view). */
  private async onRemoteView(activity: Json, signerUrl: string): Promise<void> {
    if (activity.expires !== undefined || activity.expiration !== undefined) return;
    const url = idOf(activity.object);
    if (!url || typeof activity.id !== 'string') return;
    const video = await this.videos.loadByUrl(url);
    if (!video || video.remote) return;
    await this.views.addView(video.id, `remote:${signerUrl}:${activity.id}`);
  }

  private rateActivity(type: 'Like' | 'Dislike', actorUrl: string, videoId: number, videoUrl: string, to: string) {
    const kind = type === 'Like' ? 'likes' : 'dislikes';
    return { '@context': AP_BASE_CONTEXT, id: `${actorUrl}/${kind}/${videoId}`, type, actor: actorUrl, object: videoUrl, to: [to], cc: [] as string[] };
  }

  private async onRated(e: { videoId: number; accountId: number; rating: 'like' | 'dislike' | 'none'; previous: 'like' | 'dislike' | 'none' }) {
    const account = await this.accounts.findById(e.accountId);
    const actor = account?.Actor;
    if (!actor || actor.serverId !== null) return;
    const video = await this.videos.loadWithFiles(e.videoId);
    if (!video?.remote) return;
    const origin = video.VideoChannel!.Account!.Actor!;
    const send = (activity: object) => this.delivery.toActors([origin.id], activity, actor.id);
    if (e.previous !== 'none') {
      const old = this.rateActivity(e.previous === 'like' ? 'Like' : 'Dislike', actor.url, video.id, video.url, origin.url);
      const { '@context': _context, ...oldObject } = old;
      await send({ '@context': AP_BASE_CONTEXT, id: `${old.id}/undo`, type: 'Undo', actor: actor.url, object: oldObject, to: [origin.url] });
    }
    if (e.rating !== 'none') await send(this.rateActivity(e.rating === 'like' ? 'Like' : 'Dislike', actor.url, video.id, video.url, origin.url));
  }

  /**
   * A remote account's rating (or its Undo, `received`). At the video's origin it is counted and
   * forwarded unchanged to the video's audience (PeerTube does: the body keeps its author's
   * RsaSignature2017); elsewhere a forwarded rating is counted too, until the origin's totals are
   * read again (on the next Update or refresh).
   */
  private async onRemoteRate(activity: Json | undefined, received: Json, signerUrl: string, rating: 'like' | 'dislike' | 'none'): Promise<void> {
    if (!activity || typeof activity !== 'object' || idOf(activity.actor) !== signerUrl) return;
    const url = idOf(activity.object);
    if (!url) return;
    const video = await this.videos.loadByUrl(url);
    if (!video) return;
    const accountId = await this.remoteVideos.ensureAccount(signerUrl);
    // The Like/Dislike's own id is kept: the video's likes/dislikes collections list it.
    const activityUrl = rating !== 'none' && isUrl(activity.id) && hostOf(activity.id) === hostOf(signerUrl) ? activity.id : null;
    const before = await this.rates.ratingOf(video.id, accountId);
    await this.rates.rate(video.id, accountId, rating, activityUrl);
    if (video.remote || before === rating) return;
    await this.audience.forward(received, video, signerUrl);
  }

}
