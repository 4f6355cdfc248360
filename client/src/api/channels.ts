import type { ActorImage, CreateChannel, ResultList, UpdateChannel, VideoChannel } from '@flotilla/shared';
import type { ApiClient } from './http';
import type { ListQuery, Video, VideoListQuery } from './types';

const base = (handle: string) => `/api/v1/video-channels/${encodeURIComponent(handle)}`;

export function listChannels(api: ApiClient, query: ListQuery = {}): Promise<ResultList<VideoChannel>> {
  return api.get<ResultList<VideoChannel>>('/api/v1/video-channels', { ...query });
}

export function getChannel(api: ApiClient, handle: string): Promise<VideoChannel> {
  return api.get<VideoChannel>(base(handle));
}

export function createChannel(api: ApiClient, body: CreateChannel): Promise<{ videoChannel: { id: number } }> {
  return api.request('POST', '/api/v1/video-channels', { json: body });
}

export async function updateChannel(api: ApiClient, handle: string, body: UpdateChannel): Promise<void> {
  await api.request('PUT', base(handle), { json: body });
}

export async function deleteChannel(api: ApiClient, handle: string): Promise<void> {
  await api.request('DELETE', base(handle));
}

export function listChannelVideos(api: ApiClient, handle: string, query: VideoListQuery = {}): Promise<ResultList<Video>> {
  return api.get<ResultList<Video>>(`${base(handle)}/videos`, { ...query });
}

export function updateChannelAvatar(api: ApiClient, handle: string, file: Blob, filename = 'avatar.png'): Promise<{ avatars: ActorImage[] }> {
  const form = new FormData();
  form.append('avatarfile', file, filename);
  return api.request('POST', `${base(handle)}/avatar/pick`, { body: form });
}

export function updateChannelBanner(api: ApiClient, handle: string, file: Blob, filename = 'banner.png'): Promise<{ banners: ActorImage[] }> {
  const form = new FormData();
  form.append('bannerfile', file, filename);
  return api.request('POST', `${base(handle)}/banner/pick`, { body: form });
}

export async function deleteChannelImage(api: ApiClient, handle: string, kind: 'avatar' | 'banner'): Promise<void> {
  await api.request('DELETE', `${base(handle)}/${kind}`);
}
