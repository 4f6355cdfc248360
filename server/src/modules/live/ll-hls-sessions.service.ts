import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { LiveHlsStorageService } from '../media-files/live-hls-storage.service';
import { LlHlsSession, type LlHlsSessionHooks } from './ll-hls-session';
import type { Publisher } from './rtmp-ingest.service';

/** Highest resolution of the low-latency mode's one rendition. */
const MAX_HEIGHT = 720;

/**
 * The low-latency lives running in this process (local packaging: Flotilla's documented choice for
 * this mode; runners keep serving the other modes with PeerTube's job). Keyed by video UUID for
 * the HTTP routes.
 */
@Injectable()
export class LlHlsSessionsService implements OnModuleDestroy {
  private readonly sessions = new Map<string, LlHlsSession>();
  /** Where each live's last encoder stopped, for a reconnect that continues the session. */
  private readonly lastEdge = new Map<string, { msn: number; discontinuitySequence: number }>();

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly storage: LiveHlsStorageService,
  ) {}

  get(uuid: string): LlHlsSession | undefined {
    return this.sessions.get(uuid.toLowerCase());
  }

  /**
   * Starts the local encoder + packager for a publish (`continues`: a reconnect within the same
   * session). The RTMP stream is pulled from this process's own listener.
   */
  start(video: { id: number; uuid: string }, publisher: Publisher, o: { keepSegments: boolean; continues: boolean }, hooks: LlHlsSessionHooks): void {
    const uuid = video.uuid.toLowerCase();
    this.sessions.get(uuid)?.stop();
    const { rtmp, transcoding } = this.config.live;
    const host = rtmp.hostname === '0.0.0.0' || rtmp.hostname === '::' ? '127.0.0.1' : rtmp.hostname;
    const meta = publisher.metadata();
    const last = o.continues ? this.lastEdge.get(uuid) : undefined;
    const session = new LlHlsSession(
      {
        video,
        rtmpUrl: `rtmp://${host.includes(':') ? `[${host}]` : host}:${rtmp.port}/live/${publisher.streamKey}`,
        transcode: transcoding.enabled
          ? { height: Math.min(MAX_HEIGHT, meta?.height ?? MAX_HEIGHT), fps: Math.min(Math.round(meta?.fps ?? 30) || 30, transcoding.fps.max), threads: transcoding.threads || 2 }
          : null,
        keepSegments: o.keepSegments,
        ...(last ? { continueFrom: { msn: last.msn + 1, discontinuitySequence: last.discontinuitySequence + 1 } } : {}),
      },
      this.storage,
      {
        onReady: () => hooks.onReady(),
        onSegmentStored: (bytes) => hooks.onSegmentStored?.(bytes),
        onEnd: (failed, message) => {
          const edge = session.packager.edge;
          this.lastEdge.set(uuid, { msn: Math.max(edge.msn, last ? last.msn + 1 : 0), discontinuitySequence: last ? last.discontinuitySequence + 1 : 0 });
          if (this.sessions.get(uuid) === session) this.sessions.delete(uuid);
          hooks.onEnd(failed, message);
        },
      },
    );
    if (!o.continues) this.lastEdge.delete(uuid);
    this.sessions.set(uuid, session);
    session.start();
  }

  /** The live is over: its encoder stops and nothing of it is served any more. */
  stop(uuid: string): void {
    const key = uuid.toLowerCase();
    this.sessions.get(key)?.stop();
    this.sessions.delete(key);
    this.lastEdge.delete(key);
  }

  onModuleDestroy(): void {
    for (const s of this.sessions.values()) s.stop();
    this.sessions.clear();
  }
}
