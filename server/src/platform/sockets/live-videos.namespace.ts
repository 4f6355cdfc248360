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

  constructor(private readonly sockets: SocketServer) {}

  onModuleInit(): void {
    this.sockets.register(LIVE_VIDEOS_SOCKET_NAMESPACE, (namespace) => {
      this.namespace = namespace;
      namespace.on('connection', (socket) => {
        socket.on('subscribe', (body: unknown) => {
          const parsed = subscription.safeParse(body);
          if (parsed.success) void socket.join(videoRoom(parsed.data.videoId));
        });
        socket.on('unsubscribe', (body: unknown) => {
          const parsed = subscription.safeParse(body);
          if (parsed.success) void socket.leave(videoRoom(parsed.data.videoId));
        });
      });
    });
  }

  /** Sends an event to every socket following this live video, on every server process. */
  emitToLiveVideo<E extends keyof LiveVideoSocketEvents>(videoId: number, event: E, payload: LiveVideoSocketEvents[E]): void {
    this.namespace?.to(videoRoom(videoId)).emit(event, payload);
  }
}
