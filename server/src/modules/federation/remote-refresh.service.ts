import { Injectable, type OnModuleInit } from '@nestjs/common';
import { logger } from '../../common/logger';
import { EventBus } from '../../platform/events/event-bus.service';
import { ActorsService } from '../actors/actors.service';
import { VideosService } from '../videos/videos.service';
import { RemoteFetchError } from './ap-client.service';
import { REMOTE_REFRESH_MS } from './ap-constants';
import { FederationRepository } from './federation.repository';
import { RemoteActorsService } from './remote-actors.service';
import { RemoteVideosService } from './remote-videos.service';

/** After a failed refresh (origin down, invalid answer), the copy is kept and not tried again for this long. */
const RETRY_AFTER_MS = 10 * 60_000;

/**
 * Remote videos refreshed from their origin when used and stale (fetched more than 2 days ago, as
 * PeerTube), in the background: the reader gets the stored copy at once. An origin answering 404 or
 * 410 deleted the video without telling us (a Delete lost, a follow gone): the copy goes.
 */
@Injectable()
export class RemoteRefreshService implements OnModuleInit {
  /** Videos by id, actors by -id. */
  private readonly running = new Set<number>();
  private readonly failedAt = new Map<number, number>();

  constructor(
    private readonly events: EventBus,
    private readonly repo: FederationRepository,
    private readonly videos: VideosService,
    private readonly remoteVideos: RemoteVideosService,
    private readonly actors: ActorsService,
    private readonly remoteActors: RemoteActorsService,
  ) {}

  onModuleInit(): void {
    this.events.on('video.remote-used', ({ videoId }) => this.refreshIfStale(videoId));
    this.events.on('actor.remote-used', ({ actorId }) => this.refreshActorIfStale(actorId));
  }

  /** A remote account's or channel's actor, refetched (key, profile, avatars) when its row is older than 2 days. */
  async refreshActorIfStale(actorId: number): Promise<void> {
    const key = -actorId;
    if (this.running.has(key)) return;
    const failed = this.failedAt.get(key);
    if (failed && Date.now() - failed < RETRY_AFTER_MS) return;
    const actor = await this.actors.findById(actorId);
    if (!actor || actor.serverId === null || Date.now() - actor.updatedAt.getTime() < REMOTE_REFRESH_MS) return;
    this.running.add(key);
    try {
      await this.remoteActors.fetchAndStore(actor.url);
      this.failedAt.delete(key);
    } catch (err) {
      this.failedAt.set(key, Date.now());
      logger.warn({ actor: actor.url, err: (err as Error).message }, 'remote actor refresh failed; the stored copy stays');
    } finally {
      this.running.delete(key);
    }
  }

  async refreshIfStale(videoId: number): Promise<void> {
    if (this.running.has(videoId)) return;
    const failed = this.failedAt.get(videoId);
    if (failed && Date.now() - failed < RETRY_AFTER_MS) return;
    const meta = await this.repo.remoteVideo(videoId);
    if (!meta || Date.now() - meta.fetchedAt.getTime() < REMOTE_REFRESH_MS) return;
    this.running.add(videoId);
    try {
      await this.refresh(videoId);
    } finally {
      this.running.delete(videoId);
    }
  }

  private async refresh(videoId: number): Promise<void> {
    const video = await this.videos.loadWithFiles(videoId);
    if (!video?.remote) return;
    try {
      await this.remoteVideos.fetchAndStore(video.url);
      this.failedAt.delete(videoId);
    } catch (err) {
      if (err instanceof RemoteFetchError && (err.status === 404 || err.status === 410)) {
        logger.info({ video: video.url, status: err.status }, 'remote video gone at its origin: removed');
        await this.videos.delete(video);
        return;
      }
      if (this.failedAt.size > 10_000) this.failedAt.clear();
      this.failedAt.set(videoId, Date.now());
      logger.warn({ video: video.url, err: (err as Error).message }, 'remote video refresh failed; the stored copy stays');
    }
  }
}
