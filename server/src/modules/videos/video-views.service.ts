import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { logger } from '../../common/logger';
import { redisKey } from '../../common/redis';
import { CONFIG, REDIS } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { VideoRepository } from './video.repository';

/** One view per viewer (session id, else IP) and video in this window, as PeerTube's local max age. */
export const VIEW_WINDOW_SECONDS = 60 * 60;
/** Counts wait in Redis at most this long before they are added to the database in one batch. */
export const VIEWS_FLUSH_MS = 5_000;

/**
 * Views are counted in Redis (cheap, shared by every server process) and flushed to PostgreSQL in
 * batches by a repeatable job: the pending hash is renamed atomically so two flushes never add the
 * same counts twice.
 */
@Injectable()
export class VideoViewsService implements OnModuleDestroy {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly repo: VideoRepository,
    private readonly events: EventBus,
  ) {}

  /** Counts still in Redis are flushed at shutdown too (the periodic flush is a job in VideosJobs). */
  async onModuleDestroy(): Promise<void> {
    await this.flush().catch((err) => logger.warn({ err }, 'views flush at shutdown failed'));
  }

  private pendingKey(): string {
    return redisKey(this.config, 'views', 'pending');
  }

  /** True when this view counted (first from this viewer in the window). */
  async addView(videoId: number, viewer: string): Promise<boolean> {
    const seen = await this.redis.set(redisKey(this.config, 'views', 'seen', videoId, viewer), '1', 'EX', VIEW_WINDOW_SECONDS, 'NX');
    if (seen !== 'OK') return false;
    await this.redis.hincrby(this.pendingKey(), String(videoId), 1);
    // Federation sends the view of a remote video to its origin.
    this.events.emit('video.viewed', { videoId, viewer });
    return true;
  }

  /** Views not flushed yet, so a video page shows its own view at once. */
  async pending(videoId: number): Promise<number> {
    return Number((await this.redis.hget(this.pendingKey(), String(videoId))) ?? 0);
  }

  async flush(): Promise<number> {
    const batchKey = redisKey(this.config, 'views', 'flushing', `${process.pid}-${Date.now()}`);
    try {
      await this.redis.rename(this.pendingKey(), batchKey);
    } catch {
      return 0; // nothing pending (RENAME of a missing key fails)
    }
    const counts = await this.redis.hgetall(batchKey);
    const entries = Object.entries(counts).map(([id, n]) => [Number(id), Number(n)] as const).filter(([id, n]) => id > 0 && n > 0);
    await this.repo.addViews(entries);
    await this.redis.del(batchKey);
    return entries.length;
  }
}
