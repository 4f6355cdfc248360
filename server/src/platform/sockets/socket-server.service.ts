import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createAdapter } from '@socket.io/redis-adapter';
import IORedis, { type Redis } from 'ioredis';
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace } from 'socket.io';
import { logger } from '../../common/logger';
import { redisKey, redisOptions } from '../../common/redis';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';

/** What a feature does with its namespace once the server exists: auth middleware, handlers. */
export type NamespaceSetup = (namespace: Namespace) => void;

/**
 * The one socket.io server, on the API's own HTTP server and PeerTube's default path
 * (`/socket.io`). Two socket.io servers on one HTTP server and path would both answer the same
 * requests, so features never create their own: they `register` a namespace here (in their
 * `onModuleInit`) and get it back at bootstrap.
 *
 * The Redis adapter makes rooms and broadcasts span every server process on the same Redis and
 * prefix: `namespace.emit` on process B reaches a socket connected to process A.
 */
@Injectable()
export class SocketServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private io: Server | null = null;
  private readonly setups = new Map<string, NamespaceSetup[]>();
  private readonly namespaces = new Map<string, Namespace>();
  private redisClients: Redis[] = [];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** Declares a namespace; `setup` runs once, when the server starts (or at once if it runs already). */
  register(name: string, setup: NamespaceSetup): void {
    if (!name.startsWith('/')) throw new Error(`socket namespace must start with '/': ${name}`);
    const list = this.setups.get(name) ?? [];
    list.push(setup);
    this.setups.set(name, list);
    if (this.io) setup(this.namespace(name));
  }

  /** The namespace, once the server runs (null before bootstrap, or without an HTTP server). */
  get(name: string): Namespace | null {
    return this.io ? this.namespace(name) : null;
  }

  onApplicationBootstrap(): void {
    const httpServer = this.adapterHost.httpAdapter?.getHttpServer() as HttpServer | undefined;
    if (!httpServer) return;
    // Runners are not browsers (websocket only, as PeerTube's runner connects); browsers may need polling.
    this.io = new Server(httpServer, { path: '/socket.io', serveClient: false, transports: ['websocket', 'polling'] });
    // Separate clients: a subscribed Redis connection can do nothing else. Commands must not fail
    // fast on these (a blip would lose the subscription), so they retry forever.
    const base = { ...redisOptions(this.config), maxRetriesPerRequest: null };
    const pub = new IORedis(base);
    const sub = new IORedis(base);
    this.redisClients = [pub, sub];
    for (const c of this.redisClients) c.on('error', (err) => logger.warn({ err }, 'socket.io redis adapter connection error'));
    // Pub/sub channels ignore Redis's database number: the prefix keeps instances on one Redis apart.
    this.io.adapter(createAdapter(pub, sub, { key: redisKey(this.config, 'socket.io') }));
    for (const [name, setups] of this.setups) {
      const namespace = this.namespace(name);
      for (const setup of setups) setup(namespace);
    }
  }

  private namespace(name: string): Namespace {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = this.io!.of(name);
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  onApplicationShutdown(): void {
    if (!this.io) return;
    // Only this process's sockets (`local`): a plain disconnectSockets would go through the
    // adapter and drop the other processes' clients too. Not io.close(): that would also close
    // the HTTP server, which Nest closes itself.
    for (const ns of this.namespaces.values()) ns.local.disconnectSockets(true);
    this.io.engine.close();
    this.io = null;
    this.namespaces.clear();
    for (const c of this.redisClients) c.disconnect();
    this.redisClients = [];
  }
}
