import { Injectable } from '@nestjs/common';
import { apCollection, AP_COLLECTION_PAGE_SIZE } from '@flotilla/shared';
import { AccountsService } from '../users/accounts.service';
import { VideoRatesService } from '../videos/video-rates.service';
import { VideosService } from '../videos/videos.service';
import { FederationRepository } from './federation.repository';
import { FollowsService } from './follows.service';
import { announceActivity, isFederatedPrivacy, isFederatedState } from './video-object';

type Json = Record<string, unknown>;

/**
 * A local video's `likes`, `dislikes` and `announces` collections (PeerTube's `<video>/likes` …,
 * activitypub.md §3.3 and §8) and this instance's Announces they list. Other instances read their `totalItems`
 * for the video's counters, and fetch each Announce to record who shared it.
 */
@Injectable()
export class VideoCollectionsService {
  constructor(
    private readonly videos: VideosService,
    private readonly videoRates: VideoRatesService,
    private readonly accounts: AccountsService,
    private readonly follows: FollowsService,
    private readonly repo: FederationRepository,
  ) {}

  /** The local video the network sees; null for remote, private or unpublished ones (404). */
  private async federated(idOrUuid: string) {
    const video = await this.videos.loadByIdentifier(idOrUuid, { withFiles: false });
    return !video.remote && isFederatedPrivacy(video.privacy) && isFederatedState(video.state) ? video : null;
  }

  /** Like or Dislike activity URLs, newest first: a remote rater's own activity id, `<actor>/likes/<video id>` for local ones. */
  async rates(idOrUuid: string, kind: 'likes' | 'dislikes', page: number | undefined): Promise<Json | null> {
    const video = await this.federated(idOrUuid);
    if (!video) return null;
    const { total, rows } = await this.videoRates.raters(video.id, kind === 'likes' ? 'like' : 'dislike', ((page ?? 1) - 1) * AP_COLLECTION_PAGE_SIZE, AP_COLLECTION_PAGE_SIZE);
    const urls: string[] = [];
    for (const r of rows) {
      const actorUrl = r.url ? null : (await this.accounts.findById(r.accountId))?.Actor?.url;
      const url = r.url ?? (actorUrl ? `${actorUrl}/${kind}/${video.id}` : null);
      if (url) urls.push(url);
    }
    return apCollection(`${video.url}/${kind}`, total, page, urls);
  }

  /** The Announces of the video: by this instance and the channel first, then those of remote sharers (their own ids), oldest first. */
  async announces(idOrUuid: string, page: number | undefined): Promise<Json | null> {
    const video = await this.federated(idOrUuid);
    if (!video) return null;
    const local = (await this.sharers(video)).map((a) => `${video.url}/announces/${a.id}`);
    const start = ((page ?? 1) - 1) * AP_COLLECTION_PAGE_SIZE;
    const fromLocal = local.slice(start, start + AP_COLLECTION_PAGE_SIZE);
    const remote = await this.repo.sharesPage(video.id, Math.max(0, start - local.length), AP_COLLECTION_PAGE_SIZE - fromLocal.length);
    return apCollection(`${video.url}/announces`, local.length + remote.total, page, [...fromLocal, ...remote.urls]);
  }

  /** One Announce of the collection (`<video>/announces/<actor id>`); null when that actor does not share the video. */
  async announce(idOrUuid: string, actorId: number): Promise<Json | null> {
    const video = await this.federated(idOrUuid);
    if (!video) return null;
    const actor = (await this.sharers(video)).find((a) => a.id === actorId);
    return actor ? announceActivity(video, actor) : null;
  }

  private async sharers(video: { VideoChannel?: { Actor?: { id: number; url: string } | null } | null }): Promise<Array<{ id: number; url: string }>> {
    const instance = await this.follows.instanceActor();
    const channel = video.VideoChannel?.Actor;
    return channel ? [instance, channel] : [instance];
  }
}
