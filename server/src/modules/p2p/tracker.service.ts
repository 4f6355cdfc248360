import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { VideoPrivacy } from '@flotilla/shared';
import { WebSocketServer, type WebSocket } from 'ws';
import { EventBus } from '../../platform/events/event-bus.service';
import { importEsm } from '../../common/esm';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { MediaFilesRepository } from '../media-files';
import { VideosService } from '../videos/videos.service';
import { infoHashFromTrackerHex } from './swarm-hash';

export const TRACKER_PATH = '/tracker/socket';
/** Per-IP limit of open sockets (announces per minute: config p2p.max_announces_per_minute). */
const MAX_SOCKETS_PER_IP = 32;
/** Only public and unlisted videos are shared between viewers (the player follows the same rule). */
const P2P_PRIVACIES = [VideoPrivacy.PUBLIC, VideoPrivacy.UNLISTED];
const p2pPrivacy = (privacy: number): boolean => (P2P_PRIVACIES as number[]).includes(privacy);

interface TrackerServer {
  onWebSocketConnection(socket: WebSocket, opts?: object): void;
  on(event: string, cb: (...args: unknown[]) => void): void;
  close(cb?: () => void): void;
}

/**
 * The WebSocket BitTorrent tracker the web player announces to, on the HTTP server's own port. It
 * only answers for swarms of videos this instance knows (their UUIDs are the swarm ids).
 */
@Injectable()
export class TrackerService implements OnApplicationBootstrap, OnModuleDestroy {
  private tracker: TrackerServer | null = null;
  private wss: WebSocketServer | null = null;
  private readonly known = new Map<string, string>(); // info hash -> video uuid
  private readonly byVideo = new Map<string, string[]>(); // video uuid -> its info hashes
  private readonly socketsPerIp = new Map<string, number>();
  private readonly announces = new Map<string, { windowStart: number; count: number }>();
  private upgradeHandler: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly events: EventBus,
    private readonly videos: VideosService,
    private readonly mediaFiles: MediaFilesRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.p2p.enabled) return;
    await this.loadKnownVideos();
    // Swarms of private and internal videos are not announced: peers would see each other's IPs
    // and the segments would travel outside the file-token check (PeerTube disables P2P for them).
    this.events.on('video.swarms-changed', async ({ uuid, infoHashes }) => {
      this.setVideo(uuid, (await this.sharesOverP2P(uuid)) ? infoHashes : []);
    });
    // A hidden video's files are owner/moderator-only: its swarm goes too, as PeerTube turns P2P off
    // for every video that requires the viewer's authentication.
    const refresh = async ({ uuid }: { uuid: string }) => {
      this.setVideo(uuid, (await this.sharesOverP2P(uuid)) ? await this.storedHashes(uuid) : []);
    };
    this.events.on('video.privacy-changed', refresh);
    this.events.on('video.hidden-changed', refresh);
    this.events.on('video.deleted', ({ uuid }) => this.setVideo(uuid, []));

    // bittorrent-tracker is CommonJS-compatible ESM; loaded lazily so a disabled tracker costs nothing.
    const { default: Server } = await importEsm<{ default: new (opts: object) => TrackerServer }>('bittorrent-tracker/server');
    this.tracker = new Server({
      http: false,
      udp: false,
      ws: false,
      stats: false,
      trustProxy: false,
      filter: (infoHashHex: string, params: { addr?: string; ip?: string }, cb: (err?: Error | null) => void) => {
        if (!this.known.has(infoHashFromTrackerHex(infoHashHex))) return cb(new Error('unknown swarm'));
        const ip = params.ip ?? params.addr ?? 'unknown';
        if (!this.allowAnnounce(ip)) return cb(new Error('too many announces, slow down'));
        cb(null);
      },
    });
    this.tracker.on('warning', (err) => logger.debug({ err }, 'tracker warning'));
    this.tracker.on('error', (err) => logger.warn({ err }, 'tracker error'));

    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
    const server = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    this.upgradeHandler = (req, socket, head) => this.onUpgrade(req, socket, head);
    server.on('upgrade', this.upgradeHandler);
    logger.info({ videos: this.byVideo.size }, 'tracker ready at ' + TRACKER_PATH);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== TRACKER_PATH || !this.wss || !this.tracker) return; // socket.io and others handle theirs
    const ip = req.socket.remoteAddress ?? 'unknown';
    const open = this.socketsPerIp.get(ip) ?? 0;
    if (open >= MAX_SOCKETS_PER_IP) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.socketsPerIp.set(ip, open + 1);
      ws.once('close', () => {
        const n = (this.socketsPerIp.get(ip) ?? 1) - 1;
        if (n <= 0) this.socketsPerIp.delete(ip);
        else this.socketsPerIp.set(ip, n);
      });
      // The tracker reads the peer's address from the upgrade request.
      (ws as unknown as { upgradeReq: IncomingMessage }).upgradeReq = req;
      this.tracker!.onWebSocketConnection(ws);
    });
  }

  private allowAnnounce(ip: string): boolean {
    const now = Date.now();
    const entry = this.announces.get(ip);
    if (!entry || now - entry.windowStart > 60_000) {
      this.announces.set(ip, { windowStart: now, count: 1 });
      if (this.announces.size > 10_000) this.announces.clear();
      return true;
    }
    entry.count += 1;
    return entry.count <= this.config.p2p.max_announces_per_minute;
  }

  /** Swarms are those of every public or unlisted video's HLS master playlist written so far. */
  private async loadKnownVideos(): Promise<void> {
    const [videos, swarms] = await Promise.all([this.videos.privacies(), this.mediaFiles.swarmsByVideo()]);
    const uuidOf = new Map(videos.filter((v) => p2pPrivacy(v.privacy) && !v.hidden).map((v) => [v.id, v.uuid]));
    const byUuid = new Map<string, string[]>();
    for (const s of swarms) {
      const uuid = uuidOf.get(s.videoId);
      if (uuid) byUuid.set(uuid, [...(byUuid.get(uuid) ?? []), ...s.infoHashes]);
    }
    for (const [uuid, hashes] of byUuid) this.setVideo(uuid, hashes);
  }

  private async sharesOverP2P(uuid: string): Promise<boolean> {
    const [v] = await this.videos.privacies([uuid]);
    return !!v && p2pPrivacy(v.privacy) && !v.hidden;
  }

  private async storedHashes(uuid: string): Promise<string[]> {
    const [v] = await this.videos.privacies([uuid]);
    return v ? this.mediaFiles.swarmsOfVideo(v.id) : [];
  }

  private setVideo(uuid: string, infoHashes: string[]): void {
    for (const h of this.byVideo.get(uuid) ?? []) this.known.delete(h);
    if (!infoHashes.length) {
      this.byVideo.delete(uuid);
      return;
    }
    this.byVideo.set(uuid, infoHashes);
    for (const h of infoHashes) this.known.set(h, uuid);
  }

  /** Whether a video's swarms are served (for tests and the admin). */
  knows(uuid: string): boolean {
    return this.byVideo.has(uuid);
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as HttpServer | undefined;
    if (server && this.upgradeHandler) server.off('upgrade', this.upgradeHandler);
    for (const client of this.wss?.clients ?? []) client.terminate();
    this.wss?.close();
    await new Promise<void>((r) => (this.tracker ? this.tracker.close(() => r()) : r()));
  }
}
