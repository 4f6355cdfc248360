import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { z } from 'zod';
import { LIVE_VIDEOS_SOCKET_NAMESPACE, type LiveVideoSocketEvents } from '@flotilla/shared';
import { SocketServer } from './socket-server.service';

const subscription = z.object({ videoId: z.number().int().min(1).max(2 ** 31 - 1) });
const videoRoom = (videoId: number) => `video:${videoId}`;

/**
 * `/live-videos`, PeerTube's namespace: anyone may follow a live video's state and viewer count.
 * The client emits `subscribe` / `unsubscribe` with `{ videoId }` and its socket joins or leaves
 * that video's room; a malformed payload is ignored (as PeerTube does), never an error.
 */
@Injectable()
export class LiveVideosNamespace implements OnModuleInit {
  private namespace: Namespace | null = null;
  private readonly roomListeners: Array<(videoId: number) => void> = [];

  constructor(private readonly sockets: SocketServer) {}

  onModuleInit(): void {
    this.sockets.register(LIVE_VIDEOS_SOCKET_NAMESPACE, (namespace) => {
      this.namespace = namespace;
      namespace.on('connection', (socket) => {
        socket.on('subscribe', (body: unknown) => {
          const parsed = subscription.safeParse(body);
          if (!parsed.success) return;
          void Promise.resolve(socket.join(videoRoom(parsed.data.videoId))).then(() => this.roomChanged(parsed.data.videoId));
        });
        socket.on('unsubscribe', (body: unknown) => {
          const parsed = subscription.safeParse(body);
          if (!parsed.success) return;
          void Promise.resolve(socket.leave(videoRoom(parsed.data.videoId))).then(() => this.roomChanged(parsed.data.videoId));
        });
        socket.on('disconnecting', () => {
          const videos = [...socket.rooms].filter((r) => r.startsWith('video:')).map((r) => Number(r.slice('video:'.length)));
          // The socket leaves its rooms right after this event.
          setImmediate(() => videos.forEach((v) => this.roomChanged(v)));
        });
      });
    });
  }

  private roomChanged(videoId: number): void {
    for (const fn of this.roomListeners) fn(videoId);
  }

  /** Called when a socket of this process starts or stops following a video (viewer counts). */
  onFollowersChange(fn: (videoId: number) => void): void {
    this.roomListeners.push(fn);
  }

  /** Sockets following this video, on every server process. */
  async followers(videoId: number): Promise<number> {
    if (!this.namespace) return 0;
    return (await this.namespace.in(videoRoom(videoId)).fetchSockets()).length;
  }

  /** Sends an event to every socket following this live video, on every server process. */
  emitToLiveVideo<E extends keyof LiveVideoSocketEvents>(videoId: number, event: E, payload: LiveVideoSocketEvents[E]): void {
    this.namespace?.to(videoRoom(videoId)).emit(event, payload);
  }
}
