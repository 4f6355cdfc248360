import type {
  BlacklistVideo,
  CreateUser,
  CustomConfig,
  CustomConfigUpdate,
  RegistrationModeration,
  RegistrationRequest,
  ResultList,
  ServerStats,
  TranscodingAvailability,
  UpdateUser,
  User,
  UserRegistration,
  VideoBlacklistEntry,
} from '@flotilla/shared';
import type { ApiClient } from './http';
import type { ListQuery, Video } from './types';

// --- Users (moderators and admins) ---

export async function createUser(api: ApiClient, body: CreateUser): Promise<{ user: { id: number } }> {
  return api.request<{ user: { id: number } }>('POST', '/api/v1/users', { json: body });
}

export async function updateUser(api: ApiClient, id: number, body: UpdateUser): Promise<void> {
  await api.request('PUT', `/api/v1/users/${id}`, { json: body });
}

export async function deleteUser(api: ApiClient, id: number): Promise<void> {
  await api.request('DELETE', `/api/v1/users/${id}`);
}

export async function blockUser(api: ApiClient, id: number, reason?: string): Promise<void> {
  await api.request('POST', `/api/v1/users/${id}/block`, { json: reason ? { reason } : {} });
}

export async function unblockUser(api: ApiClient, id: number): Promise<void> {
  await api.request('POST', `/api/v1/users/${id}/unblock`);
}

export function getUser(api: ApiClient, id: number): Promise<User> {
  return api.get<User>(`/api/v1/users/${id}`);
}

// --- Registration requests ---

export function requestRegistration(api: ApiClient, body: RegistrationRequest): Promise<UserRegistration> {
  return api.request<UserRegistration>('POST', '/api/v1/users/registrations/request', { json: body, headers: { Authorization: '' } });
}

export function listRegistrations(api: ApiClient, query: ListQuery & { search?: string } = {}): Promise<ResultList<UserRegistration>> {
  return api.get<ResultList<UserRegistration>>('/api/v1/users/registrations', { ...query });
}

export async function acceptRegistration(api: ApiClient, id: number, body: RegistrationModeration): Promise<void> {
  await api.request('POST', `/api/v1/users/registrations/${id}/accept`, { json: body });
}

export async function rejectRegistration(api: ApiClient, id: number, body: RegistrationModeration): Promise<void> {
  await api.request('POST', `/api/v1/users/registrations/${id}/reject`, { json: body });
}

export async function deleteRegistration(api: ApiClient, id: number): Promise<void> {
  await api.request('DELETE', `/api/v1/users/registrations/${id}`);
}

// --- Videos (moderators) ---

/** Every local video, any state or privacy, hidden ones included (PeerTube's admin list query). */
export function listLocalVideos(api: ApiClient, query: ListQuery & { search?: string } = {}): Promise<ResultList<Video>> {
  return api.get<ResultList<Video>>('/api/v1/videos', { ...query, isLocal: true, include: 1 | 2, privacyOneOf: [1, 2, 3, 4], nsfw: 'both' });
}

export function listBlacklist(api: ApiClient, query: ListQuery = {}): Promise<ResultList<VideoBlacklistEntry>> {
  return api.get<ResultList<VideoBlacklistEntry>>('/api/v1/videos/blacklist', { ...query });
}

export async function hideVideo(api: ApiClient, id: number | string, body: BlacklistVideo): Promise<void> {
  await api.request('POST', `/api/v1/videos/${id}/blacklist`, { json: body });
}

export async function unhideVideo(api: ApiClient, id: number | string): Promise<void> {
  await api.request('DELETE', `/api/v1/videos/${id}/blacklist`);
}

export async function deleteAnyVideo(api: ApiClient, id: number | string): Promise<void> {
  await api.request('DELETE', `/api/v1/videos/${id}`);
}

// --- Instance settings, about, figures ---

export function getCustomConfig(api: ApiClient): Promise<CustomConfig> {
  return api.get<CustomConfig>('/api/v1/config/custom');
}

export function updateCustomConfig(api: ApiClient, body: CustomConfigUpdate): Promise<CustomConfig> {
  return api.request<CustomConfig>('PUT', '/api/v1/config/custom', { json: body });
}

export async function resetCustomConfig(api: ApiClient): Promise<void> {
  await api.request('DELETE', '/api/v1/config/custom');
}

export interface About {
  instance: {
    name: string;
    shortDescription: string;
    description: string;
    terms: string;
    codeOfConduct: string;
    hardwareInformation: string;
    creationReason: string;
    moderationInformation: string;
    administrator: string;
    maintenanceLifetime: string;
    businessModel: string;
    languages: string[];
    categories: number[];
  };
}

export function getAbout(api: ApiClient): Promise<About> {
  return api.get<About>('/api/v1/config/about');
}

export function getServerStats(api: ApiClient): Promise<ServerStats> {
  return api.get<ServerStats>('/api/v1/server/stats');
}

export function getTranscodingAvailability(api: ApiClient, videoUUID?: string): Promise<TranscodingAvailability> {
  return api.get<TranscodingAvailability>('/api/v1/runners/availability', { videoUUID });
}
