import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Redis } from 'ioredis';
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace } from 'socket.io';
import { RUNNER_PROTOCOL, RUNNERS_SOCKET_NAMESPACE, RunnerSocketEvent } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { redisKey } from '../../common/redis';
import { CONFIG, REDIS } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { RunnerModel } from './runner.model';

/** A connected runner's presence key lives this long and is refreshed at a third of it. */
const PRESENCE_TTL_S = 90;

/**
 * socket.io namespace `/runners` on the API's own HTTP server (same port, default `/socket.io`
 * path), as PeerTube serves it. A runner connects with `auth: { runnerToken }`; the only event is
 * `available-jobs` (no payload), broadcast — debounced 1 s — whenever a job becomes pending.
 */
@Injectable()
export class RunnersSocketService implements OnApplicationBootstrap, OnApplicationShutdown {
  private io: Server | null = null;
  private namespace: Namespace | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private lastPingAt = 0;
  private presenceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onApplicationBootstrap(): void {
    const httpServer = this.adapterHost.httpAdapter?.getHttpServer() as HttpServer | undefined;
    if (!httpServer) return;
    // Runners are not browsers: no CORS dance, websocket first (the official runner uses it only).
    this.io = new Server(httpServer, { path: '/socket.io', serveClient: false, transports: ['websocket', 'polling'] });
    this.namespace = this.io.of(RUNNERS_SOCKET_NAMESPACE);
    this.namespace.use((socket, next) => {
      const token = (socket.handshake.auth as { runnerToken?: unknown } | undefined)?.runnerToken;
      if (typeof token !== 'string' || token.length === 0 || token.length > 1000) {
        return next(new Error('No runner token provided'));
      }
      RunnerModel.findOne({ where: { runnerToken: token }, attributes: ['id', 'name'] }).then(
        (runner) => {
          if (!runner) return next(new Error('Unknown runner token'));
          socket.data.runnerId = runner.id;
          next();
        },
        (err: Error) => next(err),
      );
    });
    this.namespace.on('connection', (socket) => {
      const runnerId = socket.data.runnerId as number;
      logger.debug({ runnerId }, 'runner connected to socket');
      void this.markPresent([runnerId]);
      socket.on('disconnect', () => {
        if (!this.connectedRunnerIds().includes(runnerId)) void this.redis.del(this.presenceKey(runnerId)).catch(() => undefined);
      });
    });
    this.presenceTimer = setInterval(() => void this.markPresent(this.connectedRunnerIds()), (PRESENCE_TTL_S / 3) * 1000);
    this.presenceTimer.unref();
  }

  private presenceKey(runnerId: number): string {
    return redisKey(this.config, 'runner-socket', runnerId);
  }

  private async markPresent(runnerIds: number[]): Promise<void> {
    if (!runnerIds.length) return;
    const pipeline = this.redis.pipeline();
    for (const id of new Set(runnerIds)) pipeline.set(this.presenceKey(id), '1', 'EX', PRESENCE_TTL_S);
    await pipeline.exec().catch((err: Error) => logger.warn({ err }, 'cannot record runner socket presence'));
  }

  /**
   * Runners holding a socket to any server process (presence is kept in Redis). A runner that
   * stays connected is alive even when its heartbeats are sparse (PeerTube's runner sends one a
   * minute), so the stall watchdog gives its jobs PeerTube's longer window.
   */
  async connectedAnywhere(runnerIds: number[]): Promise<Set<number>> {
    const ids = [...new Set(runnerIds)];
    if (!ids.length) return new Set();
    const values = await this.redis.mget(ids.map((id) => this.presenceKey(id)));
    return new Set(ids.filter((_, i) => values[i] !== null));
  }

  /**
   * The socket.io server on the API's HTTP server (null before bootstrap or when disabled). Other
   * namespaces (`/user-notifications`, `/live-videos`) should attach here: two socket.io servers
   * on one HTTP server and path would both answer the same requests.
   */
  get server(): Server | null {
    return this.io;
  }

  /**
   * "Some job became pending": runners then call /jobs/request. At most one ping a second, the
   * first at once (a new upload's first rendition must not wait out the window), later ones
   * folded into one at the end of the window.
   */
  notifyAvailableJobs(): void {
    if (!this.namespace || this.pingTimer) return;
    const window = RUNNER_PROTOCOL.AVAILABLE_JOBS_PING_DEBOUNCE_MS;
    const sinceLast = Date.now() - this.lastPingAt;
    if (sinceLast >= window) {
      this.ping();
      return;
    }
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      this.ping();
    }, window - sinceLast);
    this.pingTimer.unref();
  }

  private ping(): void {
    this.lastPingAt = Date.now();
    this.namespace?.emit(RunnerSocketEvent.AVAILABLE_JOBS);
  }

  /** Drops the sockets of a runner that was deleted or unregistered. */
  disconnectRunner(runnerId: number): void {
    if (!this.namespace) return;
    for (const socket of this.namespace.sockets.values()) {
      if (socket.data.runnerId === runnerId) socket.disconnect(true);
    }
  }

  connectedRunnerIds(): number[] {
    if (!this.namespace) return [];
    return [...this.namespace.sockets.values()].map((s) => s.data.runnerId as number);
  }

  onApplicationShutdown(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    if (!this.io) return;
    // Not io.close(): that would also close the HTTP server, which Nest closes itself.
    this.io.disconnectSockets(true);
    this.io.engine.close();
    this.io = null;
  }
}
