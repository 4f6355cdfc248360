import type { FeedToken, RegisterUser, ResultList, UpdateMe, User } from '@flotilla/shared';
import type { ApiClient } from './http';
import type { ActorImage, ListQuery, UserVideoRate, Video, VideoQuotaUsed } from './types';

export function getMe(api: ApiClient): Promise<User> {
  return api.get<User>('/api/v1/users/me');
}

export async function updateMe(api: ApiClient, body: UpdateMe): Promise<void> {
  await api.request('PUT', '/api/v1/users/me', { json: body });
}

export function getMyVideoQuotaUsed(api: ApiClient): Promise<VideoQuotaUsed> {
  return api.get<VideoQuotaUsed>('/api/v1/users/me/video-quota-used');
}

export function listMyVideos(api: ApiClient, query: ListQuery & { search?: string; isLive?: boolean } = {}): Promise<ResultList<Video>> {
  return api.get<ResultList<Video>>('/api/v1/users/me/videos', { ...query });
}

export function getMyVideoRating(api: ApiClient, videoId: number | string): Promise<UserVideoRate> {
  return api.get<UserVideoRate>(`/api/v1/users/me/videos/${encodeURIComponent(String(videoId))}/rating`);
}

/** Open sign-up. 204 on success; 403 when closed, 409 when a name or email is taken. */
export async function registerUser(api: ApiClient, body: RegisterUser): Promise<void> {
  await api.request('POST', '/api/v1/users/register', { json: body, headers: { Authorization: '' } });
}

export function listUsers(api: ApiClient, query: ListQuery & { search?: string; blocked?: boolean } = {}): Promise<ResultList<User>> {
  return api.get<ResultList<User>>('/api/v1/users', { ...query });
}

/** PeerTube's "delete my account": the account, its channels and videos. Root cannot (400). */
export async function deleteMe(api: ApiClient): Promise<void> {
  await api.request('DELETE', '/api/v1/users/me');
}

export function updateMyAvatar(api: ApiClient, file: Blob, filename = 'avatar.png'): Promise<{ avatars: ActorImage[] }> {
  const form = new FormData();
  form.append('avatarfile', file, filename);
  return api.request('POST', '/api/v1/users/me/avatar/pick', { body: form });
}

export async function deleteMyAvatar(api: ApiClient): Promise<void> {
  await api.request('DELETE', '/api/v1/users/me/avatar');
}

/** "Forgot password": answered 204 whether or not the address has an account. */
export async function askResetPassword(api: ApiClient, email: string): Promise<void> {
  await api.request('POST', '/api/v1/users/ask-reset-password', { json: { email }, headers: { Authorization: '' } });
}

export async function resetPassword(api: ApiClient, userId: number, verificationString: string, password: string): Promise<void> {
  await api.request('POST', `/api/v1/users/${userId}/reset-password`, { json: { verificationString, password }, headers: { Authorization: '' } });
}

export async function askSendVerifyEmail(api: ApiClient, email: string): Promise<void> {
  await api.request('POST', '/api/v1/users/ask-send-verify-email', { json: { email }, headers: { Authorization: '' } });
}

export async function verifyEmail(api: ApiClient, userId: number, verificationString: string, isPendingEmail = false): Promise<void> {
  await api.request('POST', `/api/v1/users/${userId}/verify-email`, { json: { verificationString, isPendingEmail }, headers: { Authorization: '' } });
}

/** A registration request's address (PeerTube 5.1: signup with approval and e-mail verification). */
export async function verifyRegistrationEmail(api: ApiClient, registrationId: number, verificationString: string): Promise<void> {
  await api.request('POST', `/api/v1/users/registrations/${registrationId}/verify-email`, { json: { verificationString }, headers: { Authorization: '' } });
}

export async function askSendRegistrationVerifyEmail(api: ApiClient, email: string): Promise<void> {
  await api.request('POST', '/api/v1/users/registrations/ask-send-verify-email', { json: { email }, headers: { Authorization: '' } });
}

/** The secret of my subscription feed's URL (PeerTube's feed token). */
export async function getFeedToken(api: ApiClient): Promise<string> {
  return (await api.get<FeedToken>('/api/v1/users/me/feed-token')).feedToken;
}

/** A new feed token: subscription feed URLs given out before stop working. */
export async function renewFeedToken(api: ApiClient): Promise<string> {
  return (await api.request<FeedToken>('POST', '/api/v1/users/me/feed-token')).feedToken;
}
