import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, type ResultList, type Video, type VideoChannel, type VideoListQuery } from '@flotilla/shared';
import { AppError, badRequest, notFound } from '../../common/app-error';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { ActorsService } from '../actors/actors.service';
import { ChannelsService } from '../channels/channels.service';
import { AccountsService } from '../users/accounts.service';
import type { AuthUser } from '../users/users.types';
import { VideosService } from '../videos/videos.service';
import { followActivity, undoFollowActivity } from './activities';
import { ApClientService } from './ap-client.service';
import { DeliveryService } from './delivery.service';
import { FederationRepository } from './federation.repository';
import { FollowsService } from './follows.service';
import { RemoteActorsService } from './remote-actors.service';
import { RemoteVideosService } from './remote-videos.service';
import { followedActorIds } from './follow-queries';

/**
 * PeerTube's subscriptions: a follow (actor_follow, as instance follows) from the user's account
 * actor to a channel actor. A local channel accepts at once; a remote one is sent a Follow signed by
 * the account actor and accepts with its Accept (FollowsService.onAccept).
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly events: EventBus,
    private readonly actors: ActorsService,
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
    private readonly videos: VideosService,
    private readonly remote: RemoteActorsService,
    private readonly remoteVideos: RemoteVideosService,
    private readonly client: ApClientService,
    private readonly delivery: DeliveryService,
    private readonly repo: FederationRepository,
    private readonly follows: FollowsService,
  ) {}

  /** `name` or `name@host` → the name and host (null for this instance). */
  private parse(uri: string): { name: string; host: string | null } {
    const handle = uri.trim().replace(/^@/, '');
    const at = handle.lastIndexOf('@');
    const name = at === -1 ? handle : handle.slice(0, at);
    const host = at === -1 ? null : handle.slice(at + 1).toLowerCase();
    if (!name) throw badRequest(ErrorCode.BAD_REQUEST, `${uri} is not a channel handle`);
    return { name, host: host === this.config.webserverHost.toLowerCase() ? null : host };
  }

  private async myActor(user: AuthUser) {
    const account = await this.accounts.accountOfUser(user.id);
    return (await this.actors.findById(account.actorId))!;
  }

  /** The channel a handle names when this instance knows it, else null. */
  private async knownChannel(uri: string) {
    try {
      const { name, host } = this.parse(uri);
      return await this.channels.findByHandle(host === null ? name : `${name}@${host}`);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null;
      throw err;
    }
  }

  /** The channel a handle names: known here, or (remote) found by WebFinger and fetched. */
  private async resolveChannel(uri: string) {
    const { name, host } = this.parse(uri);
    const known = await this.knownChannel(uri);
    if (known || host === null) return known ?? this.channels.findByHandle(name);
    if (await this.remote.isBlocked(host)) throw notFound(`Video channel ${uri} not found`, ErrorCode.CHANNEL_NOT_FOUND);
    try {
      const actor = await this.remote.getOrFetch(await this.client.webfinger(name, host));
      if (actor.type !== 'Group' || actor.serverId === null) throw notFound(`${uri} is not a video channel`, ErrorCode.CHANNEL_NOT_FOUND);
      const id = await this.remoteVideos.ensureChannel(actor.url, null);
      return (await this.channels.findById(id))!;
    } catch (err) {
      // Unreachable host, refused fetch, not an actor: nothing to subscribe to.
      if (err instanceof AppError) throw err;
      throw notFound(`Video channel ${uri} not found: ${(err as Error).message}`, ErrorCode.CHANNEL_NOT_FOUND);
    }
  }

  async subscribe(user: AuthUser, uri: string): Promise<void> {
    const me = await this.myActor(user);
    const channel = await this.resolveChannel(uri);
    const target = channel.Actor!;
    const existing = await this.repo.findFollow(me.id, target.id);
    if (existing?.state === 'accepted') return;
    const followUrl = `${me.url}/follows/${target.id}`;
    if (target.serverId === null) {
      await this.repo.upsertFollow(me.id, target.id, 'accepted', followUrl);
      await this.follows.refreshCounts(me.id, target.id);
      this.events.emit('actor.followed', { followerActorId: me.id, followingActorId: target.id, state: 'accepted' });
      return;
    }
    await this.repo.upsertFollow(me.id, target.id, 'pending', followUrl);
    const targetRow = (await this.actors.findById(target.id))!;
    await this.delivery.toInboxes([targetRow.inboxUrl], followActivity(followUrl, me.url, targetRow.url), me.id);
  }

  /** The follow of a subscribed channel, or 404. */
  private async findSubscription(user: AuthUser, handle: string) {
    const me = await this.myActor(user);
    const channel = await this.knownChannel(handle);
    const follow = channel ? await this.repo.findFollow(me.id, channel.Actor!.id) : null;
    if (!channel || !follow) throw notFound(`Subscription ${handle} not found`, ErrorCode.FOLLOW_NOT_FOUND);
    return { me, channel, follow };
  }

  async get(user: AuthUser, handle: string): Promise<VideoChannel> {
    const { channel } = await this.findSubscription(user, handle);
    return this.channels.format(channel);
  }

  async unsubscribe(user: AuthUser, handle: string): Promise<void> {
    const { me, channel, follow } = await this.findSubscription(user, handle);
    const target = (await this.actors.findById(channel.Actor!.id))!;
    await this.repo.deleteFollow(follow.id);
    await this.follows.refreshCounts(me.id, target.id);
    if (target.serverId !== null) {
      await this.delivery.toInboxes([target.inboxUrl], undoFollowActivity(follow.url, me.url, target.url), me.id);
    }
  }

  async list(user: AuthUser, q: { start: number; count: number; sort?: string }): Promise<ResultList<VideoChannel>> {
    const me = await this.myActor(user);
    const sort = q.sort ?? '-createdAt';
    const { rows, total } = await this.repo.list('follower', me.id, { start: q.start, count: q.count, sort, groupsOnly: true });
    const data: VideoChannel[] = [];
    for (const f of rows) {
      const channelId = await this.channels.idOfActor(f.targetActorId);
      const channel = channelId === null ? null : await this.channels.findById(channelId);
      if (channel) data.push(this.channels.format(channel));
    }
    return { total, data };
  }

  /** `{ uri: subscribed }` for each handle asked (pending follows count as subscribed, as PeerTube's). */
  async exist(user: AuthUser, uris: string[]): Promise<Record<string, boolean>> {
    const me = await this.myActor(user);
    const out: Record<string, boolean> = {};
    for (const uri of uris) {
      const channel = await this.knownChannel(uri);
      out[uri] = channel ? !!(await this.repo.findFollow(me.id, channel.Actor!.id)) : false;
    }
    return out;
  }

  async subscriptionVideos(user: AuthUser, q: VideoListQuery): Promise<ResultList<Video>> {
    const me = await this.myActor(user);
    return this.videos.list({ ...q, sort: q.sort ?? '-publishedAt' }, { user, channelActorIds: await followedActorIds(me.id) });
  }
}
