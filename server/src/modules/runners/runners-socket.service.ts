import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Namespace } from 'socket.io';
import { RUNNER_PROTOCOL, RUNNERS_SOCKET_NAMESPACE, RunnerSocketEvent } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { redisKey } from '../../common/redis';
import { CONFIG, REDIS } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { SocketServer } from '../../platform/sockets/socket-server.service';
import { RunnerModel } from './runner.model';

/** A connected runner's presence key lives this long and is refreshed at a third of it. */
const PRESENCE_TTL_S = 90;

/**
 * socket.io namespace `/runners`, registered on the platform's socket server (same port, default
 * `/socket.io` path), as PeerTube serves it. A runner connects with `auth: { runnerToken }`; the
 * only event is `available-jobs` (no payload), broadcast — debounced 1 s per process — whenever a
 * job becomes pending. Through the Redis adapter the broadcast reaches runners connected to any
 * server process.
 */
@Injectable()
export class RunnersSocketService implements OnModuleInit, OnApplicationShutdown {
  private namespace: Namespace | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private lastPingAt = 0;
  private presenceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sockets: SocketServer,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onModuleInit(): void {
    this.sockets.register(RUNNERS_SOCKET_NAMESPACE, (namespace) => this.setUp(namespace));
  }

  private setUp(namespace: Namespace): void {
    this.namespace = namespace;
    namespace.use((socket, next) => {
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
    namespace.on('connection', (socket) => {
      const runnerId = socket.data.runnerId as number;
      logger.debug({ runnerId }, 'runner connected to socket');
      // A room per runner lets any server process reach its sockets (see disconnectRunner).
      void socket.join(runnerRoom(runnerId));
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

  /** Drops the sockets of a runner that was deleted or unregistered, on every server process. */
  disconnectRunner(runnerId: number): void {
    this.namespace?.in(runnerRoom(runnerId)).disconnectSockets(true);
  }

  connectedRunnerIds(): number[] {
    if (!this.namespace) return [];
    return [...this.namespace.sockets.values()].map((s) => s.data.runnerId as number);
  }

  onApplicationShutdown(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    if (this.presenceTimer) clearInterval(this.presenceTimer);
  }
}

function runnerRoom(runnerId: number): string {
  return `runner:${runnerId}`;
}
