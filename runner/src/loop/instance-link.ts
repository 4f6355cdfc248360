import { io, type Socket } from 'socket.io-client';
import { RUNNERS_SOCKET_NAMESPACE, RunnerSocketEvent } from '@flotilla/shared';
import { RunnerClient } from '../client/runner-client';
import { backoffDelay } from '../client/backoff';
import type { RegisteredInstance } from '../config/config-store';
import type { Logger } from '../ui/reporter';

/**
 * The daemon's tie to one registered server: its HTTP client, its `/runners` socket (wake-ups on
 * `available-jobs`) and its back-off state when the server is away.
 */
export class InstanceLink {
  readonly client: RunnerClient;
  private socket: Socket | null = null;
  private failures = 0;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private socketDownLogged = false;

  constructor(
    readonly instance: RegisteredInstance,
    private readonly wake: () => void,
    private readonly log: Logger,
    userAgent: string,
  ) {
    this.client = new RunnerClient(instance.url, userAgent);
  }

  get key(): string {
    return linkKey(this.instance);
  }

  get runnerToken(): string {
    return this.instance.runnerToken;
  }

  get label(): string {
    return `${this.instance.url} (${this.instance.runnerName})`;
  }

  /** socket.io reconnects by itself with its own back-off (1 s doubling to 30 s, jittered). */
  connect(): void {
    const url = this.instance.url.replace(/\/+$/, '') + RUNNERS_SOCKET_NAMESPACE;
    const socket = io(url, {
      auth: { runnerToken: this.instance.runnerToken },
      transports: ['websocket'],
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
    });
    socket.on('connect', () => {
      // Logged the first time too: an operator (and the bench) sees when job wake-ups start.
      this.log.info(`${this.label}: socket connected${this.socketDownLogged ? ' again' : ''}`);
      this.socketDownLogged = false;
      this.wake();
    });
    socket.on(RunnerSocketEvent.AVAILABLE_JOBS, () => this.wake());
    socket.on('connect_error', (err) => {
      if (!this.socketDownLogged) this.log.warn(`${this.label}: socket unavailable (${err.message}); polling until it is back`);
      this.socketDownLogged = true;
      // A refusal by the server's middleware (e.g. token check) stops socket.io's own retries.
      if (!socket.active) setTimeout(() => this.socket === socket && socket.connect(), 30_000).unref();
    });
    this.socket = socket;
  }

  get socketConnected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** False while backing off after failures. */
  available(now = Date.now()): boolean {
    return now >= this.retryAt;
  }

  succeeded(): void {
    if (this.failures > 0) this.log.info(`${this.label}: reachable again`);
    this.failures = 0;
    this.retryAt = 0;
  }

  /** Backs off (1 s doubling up to 60 s) and wakes the daemon when the wait is over. */
  failed(err: Error): void {
    const delay = backoffDelay(this.failures, 1000, 60_000);
    this.failures++;
    // Log the first failure and then at growing intervals, not on every retry.
    if ((this.failures & (this.failures - 1)) === 0) {
      this.log.warn(`${this.label}: ${err.message} (failure ${this.failures}; next try in ${Math.round(delay / 1000)} s)`);
    }
    this.retryAt = Date.now() + delay;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.wake(), delay);
    this.retryTimer.unref();
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }
}

export function linkKey(instance: RegisteredInstance): string {
  return `${instance.url.replace(/\/+$/, '')}|${instance.runnerToken}`;
}
