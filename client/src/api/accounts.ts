import type { Account, ResultList, VideoChannel } from '@flotilla/shared';
import type { ApiClient } from './http';
import type { ListQuery, Video, VideoListQuery } from './types';

const base = (name: string) => `/api/v1/accounts/${encodeURIComponent(name)}`;

export function getAccount(api: ApiClient, name: string): Promise<Account> {
  return api.get<Account>(base(name));
}

export function listAccountVideos(api: ApiClient, name: string, query: VideoListQuery = {}): Promise<ResultList<Video>> {
  return api.get<ResultList<Video>>(`${base(name)}/videos`, { ...query });
}

export function listAccountChannels(api: ApiClient, name: string, query: ListQuery & { withStats?: boolean } = {}): Promise<ResultList<VideoChannel>> {
  return api.get<ResultList<VideoChannel>>(`${base(name)}/video-channels`, { ...query });
}
