import type { ResultList, VideoChannel, VideosOverview } from '@flotilla/shared';
import type { ApiClient } from './http';
import type { Video, VideoCreateResult, VideoDetails, VideoListQuery, VideoUpdate, VideoUploadMetadata } from './types';

const base = (id: number | string) => `/api/v1/videos/${encodeURIComponent(String(id))}`;

export function listVideos(api: ApiClient, query: VideoListQuery = {}): Promise<ResultList<Video>> {
  return api.get<ResultList<Video>>('/api/v1/videos', { ...query });
}

/** id, uuid or shortUUID. `password` is sent as x-peertube-video-password for protected videos. */
export function getVideo(api: ApiClient, id: number | string, password?: string): Promise<VideoDetails> {
  const headers = password ? { 'x-peertube-video-password': password } : undefined;
  return api.request<VideoDetails>('GET', base(id), { headers });
}

export async function getVideoDescription(api: ApiClient, id: number | string): Promise<string> {
  const res = await api.get<{ description: string | null }>(`${base(id)}/description`);
  return res.description ?? '';
}

export async function deleteVideo(api: ApiClient, id: number | string): Promise<void> {
  await api.request('DELETE', base(id));
}

/** PUT /videos/:id is multipart (it may carry a thumbnail). */
export async function updateVideo(api: ApiClient, id: number | string, update: VideoUpdate): Promise<void> {
  await api.request('PUT', base(id), { body: toVideoForm(update) });
}

export async function rateVideo(api: ApiClient, id: number | string, rating: 'like' | 'dislike' | 'none'): Promise<void> {
  await api.request('PUT', `${base(id)}/rate`, { json: { rating } });
}

export interface ViewEvent {
  currentTime: number;
  viewEvent?: 'seek';
  sessionId?: string;
}

export async function addView(api: ApiClient, id: number | string, event: ViewEvent): Promise<void> {
  await api.request('POST', `${base(id)}/views`, { json: { ...event, currentTime: Math.floor(event.currentTime) } });
}

export function searchVideos(api: ApiClient, search: string, query: VideoListQuery & { searchTarget?: 'local' | 'search-index' } = {}): Promise<ResultList<Video>> {
  return api.get<ResultList<Video>>('/api/v1/search/videos', { ...query, search });
}

export function searchChannels(api: ApiClient, search: string, query: { start?: number; count?: number; sort?: string } = {}): Promise<ResultList<VideoChannel>> {
  return api.get<ResultList<VideoChannel>>('/api/v1/search/video-channels', { ...query, search });
}

/** id → label maps. */
export const getCategories = (api: ApiClient) => api.get<Record<string, string>>('/api/v1/videos/categories');
export const getLicences = (api: ApiClient) => api.get<Record<string, string>>('/api/v1/videos/licences');
export const getLanguages = (api: ApiClient) => api.get<Record<string, string>>('/api/v1/videos/languages');
export const getPrivacies = (api: ApiClient) => api.get<Record<string, string>>('/api/v1/videos/privacies');

/** Single-request multipart upload (what command-line clients use). */
export function uploadVideoLegacy(
  api: ApiClient,
  file: Blob,
  filename: string,
  metadata: VideoUploadMetadata,
  extra: { thumbnailfile?: Blob } = {},
): Promise<VideoCreateResult> {
  const form = toVideoForm({ ...metadata, ...extra });
  form.append('videofile', file, filename);
  return api.request<VideoCreateResult>('POST', '/api/v1/videos/upload', { body: form });
}

/** Multipart encoding PeerTube expects: every value a string, arrays as indexed keys (tags[0], tags[1]…). */
export function toVideoForm(fields: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (value instanceof Blob) form.append(key, value, key === 'thumbnailfile' ? 'thumbnail.jpg' : key);
    else if (Array.isArray(value)) value.forEach((item, i) => form.append(`${key}[${i}]`, String(item)));
    else form.append(key, String(value));
  }
  return form;
}

export type SegmentsSha256 = Record<string, string | Record<string, string>>;

/**
 * The playlist's segment hashes (streamingPlaylists[].segmentsSha256Url). `withAuth` sends the
 * session token; only do that for this instance's own files. Revalidated on every load: a live's
 * file grows per segment, and the server lets caches keep it 2 s.
 */
export function getSegmentsSha256(api: ApiClient, url: string, withAuth: boolean): Promise<SegmentsSha256> {
  return api.request<SegmentsSha256>('GET', url, { cache: 'no-cache', ...(withAuth ? {} : { headers: { Authorization: '' } }) });
}

/** PeerTube's Discover groups: one category, channel and tag per page (empty past the last page). */
export function getVideosOverview(api: ApiClient, page = 1): Promise<VideosOverview> {
  return api.get<VideosOverview>('/api/v1/overviews/videos', { page });
}
