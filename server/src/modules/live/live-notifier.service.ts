import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { logger } from '../../common/logger';
import { EventBus } from '../../platform/events/event-bus.service';
import { LiveVideosNamespace } from '../../platform/sockets/live-videos.namespace';

/**
 * What a live tells the outside: state changes to the watch pages on `/live-videos` and, as a
 * domain event, to federation; viewer counts as `views-change`.
 */
@Injectable()
export class LiveNotifierService implements OnModuleDestroy {
  private readonly viewerTimers = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly sockets: LiveVideosNamespace,
    private readonly events: EventBus,
  ) {}

  /** Viewers on /live-videos, and the domain event federation listens to. */
  stateChanged(videoId: number, uuid: string, state: number, isLive: boolean): void {
    this.sockets.emitToLiveVideo(videoId, 'state-change', { state });
    this.events.emit('video.live-state-changed', { videoId, uuid, state, isLive });
  }

  /**
   * Viewers of a live are the sockets following it on `/live-videos` (every watch page of a live
   * follows it): recounted shortly after a change, across server processes, and pushed as
   * `views-change`.
   */
  watchViewers(): void {
    this.sockets.onFollowersChange((videoId) => this.viewersChanged(videoId));
  }

  private viewersChanged(videoId: number): void {
    if (this.viewerTimers.has(videoId)) return;
    const timer = setTimeout(() => {
      this.viewerTimers.delete(videoId);
      void this.sockets.followers(videoId).then(
        (viewers) => this.sockets.emitToLiveVideo(videoId, 'views-change', { viewers }),
        (err: unknown) => logger.warn({ err, videoId }, 'cannot count live viewers'),
      );
    }, 300);
    timer.unref();
    this.viewerTimers.set(videoId, timer);
  }

  onModuleDestroy(): void {
    for (const t of this.viewerTimers.values()) clearTimeout(t);
    this.viewerTimers.clear();
  }
}
