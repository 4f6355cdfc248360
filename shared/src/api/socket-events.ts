/**
 * socket.io namespaces browsers use (PeerTube's names and events). The `/runners` namespace is
 * part of the runner protocol (`runner/`).
 */
export const USER_NOTIFICATIONS_SOCKET_NAMESPACE = '/user-notifications';
export const LIVE_VIDEOS_SOCKET_NAMESPACE = '/live-videos';

/** What the server emits to one user's sockets on `/user-notifications`. */
export interface UserNotificationSocketEvents {
  /** PeerTube's event: a notification was created for this user (its REST representation). */
  'new-notification': { id: number; type: number; read: boolean; createdAt: string; updatedAt: string } & Record<string, unknown>;
}

/** What the server emits to the sockets subscribed to one live video on `/live-videos`. */
export interface LiveVideoSocketEvents {
  /** The live video's state changed (VideoState id). */
  'state-change': { state: number };
  /** How many viewers the live has now. */
  'views-change': { viewers: number };
}

/** What a client emits on `/live-videos` to follow or stop following a video's live events. */
export interface LiveVideoSubscription {
  videoId: number;
}
