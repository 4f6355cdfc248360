import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { USER_NOTIFICATIONS_SOCKET_NAMESPACE, type UserNotificationSocketEvents } from '@flotilla/shared';
import { SocketServer } from './socket-server.service';

/**
 * Resolves an OAuth access token to its user, as the REST API does. The auth feature provides it
 * (wired in the app module), so that the platform depends on no feature.
 */
export abstract class AccessTokenAuthenticator {
  abstract authenticate(accessToken: string): Promise<{ user: { id: number } }>;
}

const userRoom = (userId: number) => `user:${userId}`;

/**
 * `/user-notifications`, PeerTube's namespace: a browser connects with its OAuth access token
 * (`query: { accessToken }` as PeerTube's client sends it, or `auth: { accessToken }`), and its
 * socket joins its user's room. Features emit into that room on any server process.
 */
@Injectable()
export class UserNotificationsNamespace implements OnModuleInit {
  private namespace: Namespace | null = null;

  constructor(
    private readonly sockets: SocketServer,
    private readonly tokens: AccessTokenAuthenticator,
  ) {}

  onModuleInit(): void {
    this.sockets.register(USER_NOTIFICATIONS_SOCKET_NAMESPACE, (namespace) => {
      this.namespace = namespace;
      namespace.use((socket, next) => {
        const fromAuth = (socket.handshake.auth as { accessToken?: unknown } | undefined)?.accessToken;
        const token = fromAuth ?? socket.handshake.query.accessToken;
        if (typeof token !== 'string' || token.length === 0 || token.length > 1000) {
          return next(new Error('No access token provided'));
        }
        this.tokens.authenticate(token).then(
          ({ user }) => {
            socket.data.userId = user.id;
            next();
          },
          () => next(new Error('Invalid access token')),
        );
      });
      namespace.on('connection', (socket) => void socket.join(userRoom(socket.data.userId as number)));
    });
  }

  /** Sends an event to every socket of this user, on every server process. */
  emitToUser<E extends keyof UserNotificationSocketEvents>(userId: number, event: E, payload: UserNotificationSocketEvents[E]): void {
    this.namespace?.to(userRoom(userId)).emit(event, payload);
  }
}
