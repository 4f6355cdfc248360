import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@flotilla/shared';
import { notFound } from '../../common/app-error';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { OnJob, type JobPayload } from '../../platform/queues/job-definition';
import { QueueRegistry } from '../../platform/queues/queue-registry.service';
import { ActorsService } from '../actors/actors.service';
import { acceptActivity, followActivity, rejectActivity, undoFollowActivity } from './activities';
import { ApClientService } from './ap-client.service';
import { INSTANCE_ACTOR_NAME } from './ap-constants';
import { DeliveryService } from './delivery.service';
import type { FollowState } from './federation-models';
import { FederationRepository } from './federation.repository';
import { FEDERATION_JOBS } from './federation.jobs';
import { RemoteActorsService } from './remote-actors.service';

type ActorRow = NonNullable<Awaited<ReturnType<ActorsService['findById']>>>;

export interface ListQuery {
  start: number;
  count: number;
  sort: string;
  state?: FollowState;
}

/** Follows between actors: instance follows (admin API), and follows of local actors by remote ones. */
@Injectable()
export class FollowsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly actors: ActorsService,
    private readonly remote: RemoteActorsService,
    private readonly client: ApClientService,
    private readonly delivery: DeliveryService,
    private readonly repo: FederationRepository,
    private readonly queues: QueueRegistry,
    private readonly events: EventBus,
  ) {}

  async instanceActor(): Promise<ActorRow> {
    const actor = await this.actors.findLocalByName(INSTANCE_ACTOR_NAME);
    if (!actor) throw new Error('no instance actor');
    return (await this.actors.findById(actor.id))!;
  }

  /** `host` → peertube@host; `name@host` as given. */
  static parseHandle(hostOrHandle: string): { name: string; host: string } {
    const handle = hostOrHandle.replace(/^@/, '');
    const at = handle.lastIndexOf('@');
    if (at === -1) return { name: INSTANCE_ACTOR_NAME, host: handle.toLowerCase() };
    return { name: handle.slice(0, at), host: handle.slice(at + 1).toLowerCase() };
  }

  /** Queues one follow per host/handle (the network part runs in the queue). */
  async follow(hostsOrHandles: string[]): Promise<void> {
    for (const h of hostsOrHandles) {
      const { name, host } = FollowsService.parseHandle(h);
      await this.queues.add(FEDERATION_JOBS.follow, { name, host });
    }
  }

  @OnJob(FEDERATION_JOBS.follow)
  async runFollow(job: JobPayload<typeof FEDERATION_JOBS.follow>): Promise<void> {
    if (await this.actors.isServerBlocked(job.host)) return;
    const url = await this.client.webfinger(job.name, job.host);
    const target = await this.remote.getOrFetch(url);
    const me = await this.instanceActor();
    const followUrl = `${me.url}/follows/${target.id}`;
    const existing = await this.repo.findFollow(me.id, target.id);
    if (existing?.state === 'accepted') return;
    await this.repo.upsertFollow(me.id, target.id, 'pending', followUrl);
    await this.delivery.toInboxes([target.inboxUrl], followActivity(followUrl, me.url, target.url), me.id);
  }

  async unfollow(hostOrHandle: string): Promise<void> {
    const me = await this.instanceActor();
    const follow = await this.findByHandle('follower', me.id, hostOrHandle);
    if (!follow) throw notFound(`${hostOrHandle} is not followed`, ErrorCode.FOLLOW_NOT_FOUND);
    const target = (await this.actors.findById(follow.targetActorId))!;
    await this.repo.deleteFollow(follow.id);
    await this.refreshCounts(me.id, target.id);
    await this.delivery.toInboxes([target.inboxUrl], undoFollowActivity(follow.url, me.url, target.url), me.id);
  }

  async acceptFollower(nameWithHost: string): Promise<void> {
    const me = await this.instanceActor();
    const follow = await this.findByHandle('following', me.id, nameWithHost);
    if (!follow) throw notFound(`${nameWithHost} does not follow this instance`, ErrorCode.FOLLOW_NOT_FOUND);
    await this.accept(follow.id);
  }

  /** Reject (a pending follower) or remove (an accepted one): the follower is sent a Reject. */
  async rejectFollower(nameWithHost: string, pendingOnly: boolean): Promise<void> {
    const me = await this.instanceActor();
    const follow = await this.findByHandle('following', me.id, nameWithHost);
    if (!follow || (pendingOnly && follow.state !== 'pending')) throw notFound(`${nameWithHost} is not a pending follower`, ErrorCode.FOLLOW_NOT_FOUND);
    const follower = (await this.actors.findById(follow.actorId))!;
    await this.repo.deleteFollow(follow.id);
    await this.refreshCounts(follower.id, me.id);
    await this.delivery.toInboxes([follower.inboxUrl], rejectActivity(this.config.webserverUrl, follow.url, follower.url, me.url), me.id);
  }

  /** Marks a follow accepted and sends the Accept to the follower's inbox. */
  async accept(followId: number): Promise<void> {
    const follow = await this.repo.findFollowById(followId);
    if (!follow) return;
    await this.repo.setState(follow.id, 'accepted');
    const follower = (await this.actors.findById(follow.actorId))!;
    const target = (await this.actors.findById(follow.targetActorId))!;
    await this.refreshCounts(follower.id, target.id);
    // A local channel or account gained a follower (the instance actor's followers are told apart: NEW_INSTANCE_FOLLOWER).
    if (target.serverId === null && follow.state !== 'accepted') {
      this.events.emit('actor.followed', { followerActorId: follower.id, followingActorId: target.id, state: 'accepted' });
    }
    if (follower.serverId !== null) {
      await this.delivery.toInboxes([follower.inboxUrl], acceptActivity(this.config.webserverUrl, follow.id, follow.url, follower.url, target.url), target.id);
    }
  }

  /** A remote actor's Follow of a local one (§6.3). */
  async onFollow(follower: ActorRow, target: ActorRow, followUrl: string): Promise<void> {
    const host = this.actors.host(follower);
    const isInstance = target.preferredUsername === INSTANCE_ACTOR_NAME && target.type === 'Application';
    const blocked = await this.actors.isServerBlocked(host);
    const previous = await this.repo.findFollow(follower.id, target.id);
    if (blocked || (isInstance && !this.config.followers.instance.enabled) || previous?.state === 'rejected') {
      logger.info({ follower: follower.url, target: target.url }, 'follow refused');
      await this.delivery.toInboxes([follower.inboxUrl], rejectActivity(this.config.webserverUrl, followUrl, follower.url, target.url), target.id);
      return;
    }
    const state: FollowState = previous?.state === 'accepted' ? 'accepted' : isInstance && this.config.followers.instance.manual_approval ? 'pending' : 'accepted';
    const follow = await this.repo.upsertFollow(follower.id, target.id, state, followUrl);
    if (state === 'accepted') await this.accept(follow.id);
    // Stored as accepted at once, so accept() does not see it change: the new follower is told here.
    if (state === 'accepted' && previous?.state !== 'accepted') {
      this.events.emit('actor.followed', { followerActorId: follower.id, followingActorId: target.id, state: 'accepted' });
    }
  }

  /** Accept of one of our Follows. */
  async onAccept(remoteActor: ActorRow, followUrl: string | null, followerUrl: string | null): Promise<void> {
    const follow = await this.findOutgoing(remoteActor, followUrl, followerUrl);
    if (!follow || follow.state === 'accepted') return;
    await this.repo.setState(follow.id, 'accepted');
    await this.refreshCounts(follow.actorId, follow.targetActorId);
  }

  async onReject(remoteActor: ActorRow, followUrl: string | null, followerUrl: string | null): Promise<void> {
    const follow = await this.findOutgoing(remoteActor, followUrl, followerUrl);
    if (!follow) return;
    await this.repo.deleteFollow(follow.id);
    await this.refreshCounts(follow.actorId, follow.targetActorId);
  }

  /** Undo of a remote actor's Follow of `targetUrl`. */
  async onUndoFollow(follower: ActorRow, targetUrl: string | null): Promise<void> {
    if (!targetUrl) return;
    const target = await this.actors.findByUrl(targetUrl);
    if (!target) return;
    const follow = await this.repo.findFollow(follower.id, target.id);
    if (!follow) return;
    await this.repo.deleteFollow(follow.id);
    await this.refreshCounts(follower.id, target.id);
  }

  /**
   * A page of an actor's followers or following collection: the other actors' URLs (accepted
   * follows only), 10 a page as PeerTube's collections.
   */
  async collectionPage(collection: 'followers' | 'following', actorId: number, start: number, count: number): Promise<{ total: number; urls: string[] }> {
    const side = collection === 'followers' ? 'following' : 'follower';
    const { rows, total } = await this.repo.list(side, actorId, { start, count, sort: 'createdAt', state: 'accepted' });
    const urls: string[] = [];
    for (const f of rows) {
      const other = await this.actors.findById(collection === 'followers' ? f.actorId : f.targetActorId);
      if (other) urls.push(other.url);
    }
    return { total, urls };
  }

  /** Accepted remote followers of these local actors. */
  followerIds(targetActorIds: number[]): Promise<number[]> {
    return this.repo.acceptedFollowerIds(targetActorIds);
  }

  async list(side: 'follower' | 'following', q: ListQuery) {
    const me = await this.instanceActor();
    const { rows, total } = await this.repo.list(side, me.id, q);
    const data = [];
    for (const f of rows) {
      const follower = await this.actors.findById(f.actorId);
      const following = await this.actors.findById(f.targetActorId);
      if (!follower || !following) continue;
      data.push({
        id: f.id,
        follower: this.formatActor(follower),
        following: this.formatActor(following),
        score: f.score,
        state: f.state,
        createdAt: f.createdAt.toISOString(),
        updatedAt: f.updatedAt.toISOString(),
      });
    }
    return { total, data };
  }

  private formatActor(a: ActorRow) {
    return { id: a.id, ...this.actors.formatActorFields(a), createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
  }

  private async findOutgoing(remoteActor: ActorRow, followUrl: string | null, followerUrl: string | null) {
    if (followUrl) {
      const byUrl = await this.repo.findFollowByUrl(followUrl);
      if (byUrl && byUrl.targetActorId === remoteActor.id) return byUrl;
    }
    if (!followerUrl) return null;
    const follower = await this.actors.findByUrl(followerUrl);
    if (!follower || follower.serverId !== null) return null;
    return this.repo.findFollow(follower.id, remoteActor.id);
  }

  /** The follow (of or by `actorId`) whose other side is `name@host` (or `peertube@host` for a bare host). */
  private async findByHandle(side: 'follower' | 'following', actorId: number, hostOrHandle: string) {
    const { name, host } = FollowsService.parseHandle(hostOrHandle);
    const { rows } = await this.repo.list(side, actorId, { start: 0, count: 100000, sort: 'createdAt' });
    for (const f of rows) {
      const other = await this.actors.findById(side === 'follower' ? f.targetActorId : f.actorId);
      if (other && other.preferredUsername === name && this.actors.host(other).toLowerCase() === host) return f;
    }
    return null;
  }

  /** followingCount and followersCount of both sides, from the accepted follows. */
  async refreshCounts(followerId: number, targetId: number): Promise<void> {
    await this.actors.setFollowCounts(followerId, { followingCount: await this.repo.countAccepted('follower', followerId) });
    await this.actors.setFollowCounts(targetId, { followersCount: await this.repo.countAccepted('following', targetId) });
  }
}
