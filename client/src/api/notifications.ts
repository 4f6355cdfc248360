import type { NotificationSettingsUpdate, ResultList, UserNotification } from '@flotilla/shared';
import type { ApiClient } from './http';
import type { Video, VideoChannel } from './types';

export function listNotifications(api: ApiClient, query: { start?: number; count?: number; unread?: boolean } = {}): Promise<ResultList<UserNotification>> {
  return api.get<ResultList<UserNotification>>('/api/v1/users/me/notifications', { ...query });
}

export async function markNotificationsRead(api: ApiClient, ids: number[]): Promise<void> {
  await api.request('POST', '/api/v1/users/me/notifications/read', { json: { ids } });
}

export async function markAllNotificationsRead(api: ApiClient): Promise<void> {
  await api.request('POST', '/api/v1/users/me/notifications/read-all');
}

export async function updateNotificationSettings(api: ApiClient, body: NotificationSettingsUpdate): Promise<void> {
  await api.request('PUT', '/api/v1/users/me/notification-settings', { json: body });
}

/** `name` (local) or `name@host`. */
export async function subscribe(api: ApiClient, uri: string): Promise<void> {
  await api.request('POST', '/api/v1/users/me/subscriptions', { json: { uri } });
}

export async function unsubscribe(api: ApiClient, uri: string): Promise<void> {
  await api.request('DELETE', `/api/v1/users/me/subscriptions/${encodeURIComponent(uri)}`);
}

export function subscriptionsExist(api: ApiClient, uris: string[]): Promise<Record<string, boolean>> {
  return api.get<Record<string, boolean>>('/api/v1/users/me/subscriptions/exist', { uris });
}

export function listSubscriptions(api: ApiClient, query: { start?: number; count?: number } = {}): Promise<ResultList<VideoChannel>> {
  return api.get<ResultList<VideoChannel>>('/api/v1/users/me/subscriptions', { ...query });
}

export function listSubscriptionVideos(api: ApiClient, query: { start?: number; count?: number } = {}): Promise<ResultList<Video>> {
  return api.get<ResultList<Video>>('/api/v1/users/me/subscriptions/videos', { sort: '-publishedAt', ...query });
}
