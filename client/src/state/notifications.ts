/**
 * The unread notification count of the header's bell, kept live: read once from the API, then
 * raised by PeerTube's `new-notification` event on `/user-notifications` (socket authenticated with
 * the access token, reconnected when the token is renewed). socket.io-client loads only once logged in.
 */
import { reactive, watch } from 'vue';
import type { UserNotification } from '@flotilla/shared';
import { listNotifications } from '../api/notifications';
import { api } from './api';
import { session } from './session';

export const notificationState = reactive({ unread: 0, latest: null as UserNotification | null });

type Closable = { disconnect(): void };
let socket: Closable | null = null;
let generation = 0;

export async function refreshUnreadCount(): Promise<void> {
  if (!session.tokens) return;
  try {
    notificationState.unread = (await listNotifications(api, { start: 0, count: 0, unread: true })).total;
  } catch {
    /* the bell keeps its last count */
  }
}

async function connect(accessToken: string | null): Promise<void> {
  const mine = ++generation;
  socket?.disconnect();
  socket = null;
  if (!accessToken) {
    notificationState.unread = 0;
    return;
  }
  void refreshUnreadCount();
  const { io } = await import('socket.io-client');
  if (mine !== generation) return;
  const s = io(`${location.origin}/user-notifications`, { transports: ['websocket'], auth: { accessToken } });
  s.on('new-notification', (n: UserNotification) => {
    notificationState.unread++;
    notificationState.latest = n;
  });
  socket = s;
}

/** Called once at start: follows the session's access token. */
export function startNotifications(): void {
  watch(() => session.tokens?.accessToken ?? null, (token) => void connect(token), { immediate: true });
}
