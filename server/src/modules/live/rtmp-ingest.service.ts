import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';

/** What node-media-server 4.x gives of a session (it ships no types). */
export interface NmsSession {
  id: string;
  ip: string;
  streamApp: string;
  streamName: string;
  streamPath: string;
  inBytes: number;
  isPublisher: boolean;
  videoWidth: number;
  videoHeight: number;
  videoFramerate: number;
  /** From the publisher's onMetaData: FLV codec ids (7 = H.264, 10 = AAC) or enhanced-RTMP FourCCs; absent when not sent. */
  videoCodec?: unknown;
  audioCodec?: unknown;
  audioChannels?: number;
  /** kb/s, as the publisher announced it. */
  audioDatarate?: unknown;
  socket?: { destroy(): void; once(event: 'close', fn: () => void): void; destroyed?: boolean };
  broadcast?: NmsBroadcast;
}

/** The library's per-stream hub; `broadcastMessage` gets every packet the publisher sends. */
interface NmsBroadcast {
  publishGraceMs: number;
  subscribers: Map<string, NmsSession>;
  publisher: NmsSession | null;
  broadcastMessage: (packet: { codec_type: number; flags: number; dts: number }) => unknown;
  [KEYFRAMES]?: KeyframeClock;
}

/** Where this service keeps, on a broadcast, the keyframe clock of its current publish. */
const KEYFRAMES = Symbol('flotilla.keyframes');

/** Keyframes seen in a publish: how far apart they come (stream time) decides whether a live may copy its top rung. */
export interface KeyframeClock {
  count: number;
  /** Wall clock of the first keyframe. */
  firstAt: number | null;
  lastDts: number | null;
  /** Longest distance between two keyframes so far, ms of stream time. */
  maxGapMs: number;
}

/** The library's packet flags and codec type (avpacket: 3 = video keyframe; codec_type 9 = video). */
const VIDEO = 9;
const KEYFRAME = 3;

/** Counts the publisher's keyframes from the packets the library hands its broadcast (wrapped once per broadcast). */
function watchKeyframes(broadcast: NmsBroadcast | undefined): KeyframeClock {
  const clock: KeyframeClock = { count: 0, firstAt: null, lastDts: null, maxGapMs: 0 };
  if (!broadcast) return clock;
  if (!broadcast[KEYFRAMES]) {
    const forward = broadcast.broadcastMessage;
    broadcast.broadcastMessage = (packet) => {
      const c = broadcast[KEYFRAMES];
      if (c && packet.codec_type === VIDEO && packet.flags === KEYFRAME) {
        if (c.lastDts !== null) c.maxGapMs = Math.max(c.maxGapMs, packet.dts - c.lastDts);
        c.firstAt ??= Date.now();
        c.lastDts = packet.dts;
        c.count++;
      }
      return forward(packet);
    };
  }
  broadcast[KEYFRAMES] = clock;
  return clock;
}

/** The library's plain and TLS listeners (node's net / tls servers). */
interface NetListener {
  once(event: string, fn: (...a: unknown[]) => void): void;
  on(event: 'connection' | 'secureConnection', fn: (socket: Socket) => void): void;
  listening: boolean;
  address(): unknown;
}

interface NodeMediaServer {
  on(event: string, fn: (session: NmsSession) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
  rtmpServer: { tcpServer?: NetListener; tlsServer?: NetListener };
}

/** What the publisher's onMetaData said of its stream. */
export interface PublisherMetadata {
  width: number;
  height: number;
  fps: number;
  /** FLV codec id or FourCC (number or string), as the encoder sent it; undefined when not sent. */
  videoCodec?: unknown;
  audioCodec?: unknown;
  audioChannels?: number;
  /** kb/s. */
  audioDatarate?: unknown;
}

/** A publisher the live module accepted: what it may read and do. */
export interface Publisher {
  readonly sessionId: string;
  readonly streamKey: string;
  readonly ip: string;
  /** Width × height × fps from the stream's metadata, when the encoder sent it (codecs as announced, raw). */
  metadata(): PublisherMetadata | null;
  /** Cuts the publisher off (and, through its close, its pullers). */
  kick(): void;
  /** RTMP connections pulling this stream now (runners' ffprobe / ffmpeg). */
  pullers(): number;
  /** Cuts every puller of this stream (a runner's ffmpeg left behind by a takeover); the publisher stays. */
  cutPullers(): void;
  /** The keyframes seen so far. */
  keyframes(): Readonly<KeyframeClock>;
}

export interface RtmpIngestHooks {
  /** A publish on `/live/<key>`: resolves true to let it through; false destroys the connection. */
  onPublish(publisher: Publisher): Promise<boolean>;
  /** The accepted publisher is gone (closed, killed, frozen or kicked). Called once. */
  onPublisherGone(publisher: Publisher, reason: 'closed' | 'frozen'): void;
}

const APP = 'live';

/**
 * A connection that has neither published nor started playing this long after it opened is cut:
 * the library keeps a socket sending garbage (or nothing) open for ever. Encoders publish within a
 * second of connecting.
 */
const HANDSHAKE_DEADLINE_MS = 5000;

/**
 * The RTMP listener (node-media-server 4.x) with the gaps measured in live.md closed: a publish is
 * refused by destroying its socket (the library has no reject API), the end of a publish is taken
 * from the publisher socket's `close` (the library's own `donePublish` comes 30 s later), pullers
 * (runners' ffmpeg) are cut when their publisher goes so they see the end at once, and a publisher
 * whose byte count stops growing is cut off (the library never notices a frozen connection).
 */
@Injectable()
export class RtmpIngestService implements OnModuleDestroy {
  private nms: NodeMediaServer | null = null;
  private hooks: RtmpIngestHooks | null = null;
  /** Accepted publishers by NMS session id. */
  private readonly publishers = new Map<string, { session: NmsSession; publisher: Publisher; lastBytes: number; lastChange: number; gone: boolean }>();
  /** Sessions refused or not yet accepted: their postPublish and close are ignored. */
  private readonly refused = new Set<string>();
  private watchdog: NodeJS.Timeout | null = null;
  /** Sockets that published (accepted) or play: the handshake deadline spares them. */
  private readonly engaged = new WeakSet<object>();

  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  get port(): number {
    return this.config.live.rtmp.port;
  }

  /** Whether a port can be bound: node-media-server exits the whole process when it cannot. */
  private portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, this.config.live.rtmp.hostname, () => probe.close(() => resolve(true)));
    });
  }

  /** The library's RTMPS block when `live.rtmps` is on and its port free; it reads the key and certificate itself. */
  private async rtmpsBlock(): Promise<{ port: number; key: string; cert: string } | undefined> {
    const { rtmps } = this.config.live;
    if (!rtmps.enabled) return undefined;
    if (!(await this.portFree(rtmps.port))) {
      logger.error({ port: rtmps.port }, 'RTMPS port in use: RTMPS not started');
      return undefined;
    }
    return { port: rtmps.port, key: rtmps.key_file, cert: rtmps.cert_file };
  }

  /** A connection that neither publishes nor plays within the deadline is cut. */
  private armDeadline(socket: Socket): void {
    const timer = setTimeout(() => {
      if (this.engaged.has(socket) || socket.destroyed) return;
      logger.info({ ip: socket.remoteAddress }, 'RTMP connection neither published nor played in time: cut');
      socket.destroy();
    }, HANDSHAKE_DEADLINE_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  async start(hooks: RtmpIngestHooks): Promise<boolean> {
    this.hooks = hooks;
    if (!(await this.portFree(this.config.live.rtmp.port))) {
      // Another server process holds the listener (or another program): this one serves the API only.
      logger.error({ port: this.config.live.rtmp.port }, 'RTMP port in use: RTMP ingest not started in this process (enable live.rtmp on one process only)');
      return false;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const NodeMediaServerCtor = require('node-media-server') as new (config: unknown) => NodeMediaServer;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nmsLogger = require('node-media-server/src/core/logger.js') as { level: string };
    const settings = {
      bind: this.config.live.rtmp.hostname,
      rtmp: { port: this.config.live.rtmp.port, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
      record: { auto: false },
      store: { path: join(this.config.paths.tmp, 'rtmp-store') },
    };
    const rtmps = await this.rtmpsBlock();
    let nms: NodeMediaServer;
    try {
      nms = new NodeMediaServerCtor(rtmps ? { ...settings, rtmps } : settings);
    } catch (err) {
      // The library reads the TLS key and certificate when it is made: unreadable ones leave RTMPS off.
      if (!rtmps) throw err;
      logger.error({ err, key: rtmps.key, cert: rtmps.cert }, 'RTMPS key or certificate unreadable: RTMPS not started');
      nms = new NodeMediaServerCtor(settings);
    }
    nmsLogger.level = 'error';
    nms.on('prePublish', (session) => this.prePublish(session));
    nms.on('postPlay', (session) => {
      if (session.socket) this.engaged.add(session.socket);
    });
    await nms.run();
    this.nms = nms;
    // The library exits the process when its port is taken: wait until it listens.
    const tcp = nms.rtmpServer.tcpServer;
    if (tcp && !tcp.listening) await new Promise<void>((resolve) => tcp.once('listening', () => resolve()));
    tcp?.on('connection', (socket) => this.armDeadline(socket));
    const tls = nms.rtmpServer.tlsServer;
    if (tls) {
      if (!tls.listening) await new Promise<void>((resolve) => tls.once('listening', () => resolve()));
      tls.on('secureConnection', (socket) => this.armDeadline(socket));
      logger.info({ port: this.config.live.rtmps.port }, 'RTMPS ingest listening');
    }
    this.watchdog = setInterval(() => this.checkFrozen(), 250);
    this.watchdog.unref();
    logger.info({ port: this.config.live.rtmp.port }, 'RTMP ingest listening');
    return true;
  }

  private prePublish(session: NmsSession): void {
    // It speaks RTMP up to the publish: a refusal below destroys it, the deadline need not.
    if (session.socket) this.engaged.add(session.socket);
    // Our own end-of-publish handling replaces the library's 30 s grace.
    if (session.broadcast) session.broadcast.publishGraceMs = 0;
    const refuse = (why: string) => {
      this.refused.add(session.id);
      logger.info({ ip: session.ip, path: session.streamPath, why }, 'RTMP publish refused');
      session.socket?.destroy();
    };
    if (session.streamApp !== APP || !this.hooks) return refuse('unknown application');
    // One publisher per key: the library would also refuse a second one, but only after its
    // postPublish; a publisher of ours already on this key wins.
    for (const p of this.publishers.values()) {
      if (!p.gone && p.publisher.streamKey === session.streamName) return refuse('key already publishing');
    }
    this.refused.add(session.id);
    const keyframes = watchKeyframes(session.broadcast);
    const publisher: Publisher = {
      sessionId: session.id,
      streamKey: session.streamName,
      ip: session.ip,
      metadata: () =>
        session.videoHeight > 0
          ? {
              width: session.videoWidth, height: session.videoHeight, fps: session.videoFramerate || 30,
              videoCodec: session.videoCodec, audioCodec: session.audioCodec, audioChannels: session.audioChannels, audioDatarate: session.audioDatarate,
            }
          : null,
      kick: () => session.socket?.destroy(),
      pullers: () => session.broadcast?.subscribers.size ?? 0,
      cutPullers: () => {
        for (const sub of session.broadcast?.subscribers.values() ?? []) sub.socket?.destroy();
      },
      keyframes: () => keyframes,
    };
    const entry = { session, publisher, lastBytes: session.inBytes, lastChange: Date.now(), gone: false };
    session.socket?.once('close', () => {
      if (this.publishers.get(session.id) !== entry) return;
      this.gone(entry, 'closed');
    });
    this.hooks.onPublish(publisher).then(
      (ok) => {
        if (session.socket?.destroyed) {
          if (ok) this.hooks?.onPublisherGone(publisher, 'closed');
          return;
        }
        if (!ok) return refuse('refused by the live module');
        this.refused.delete(session.id);
        this.publishers.set(session.id, entry);
      },
      (err: unknown) => {
        logger.error({ err }, 'RTMP publish check failed');
        refuse('check failed');
      },
    );
  }

  private gone(entry: { session: NmsSession; publisher: Publisher; gone: boolean }, reason: 'closed' | 'frozen'): void {
    if (entry.gone) return;
    entry.gone = true;
    this.publishers.delete(entry.session.id);
    entry.session.socket?.destroy();
    // Pullers (the runner's ffmpeg) get no EOF from the library: cut them so they finish now.
    for (const sub of entry.session.broadcast?.subscribers.values() ?? []) sub.socket?.destroy();
    this.hooks?.onPublisherGone(entry.publisher, reason);
  }

  private checkFrozen(): void {
    const now = Date.now();
    const limit = this.config.live.stalled_publisher;
    for (const entry of this.publishers.values()) {
      if (entry.session.inBytes !== entry.lastBytes) {
        entry.lastBytes = entry.session.inBytes;
        entry.lastChange = now;
      } else if (now - entry.lastChange > limit) {
        logger.warn({ key: entry.publisher.streamKey.slice(0, 6) }, 'RTMP publisher sends nothing: cut off');
        this.gone(entry, 'frozen');
      }
    }
  }

  /** Cuts the publisher of this key, if one is on (live deleted, max duration reached). */
  kickKey(streamKey: string): void {
    for (const entry of this.publishers.values()) if (entry.publisher.streamKey === streamKey) entry.publisher.kick();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    for (const entry of [...this.publishers.values()]) this.gone(entry, 'closed');
    await this.nms?.stop().catch(() => undefined);
    this.nms = null;
  }
}
