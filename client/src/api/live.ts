import type { LiveVideo, LiveVideoSession, LiveVideoUpdate, ResultList } from '@flotilla/shared';
import type { ApiClient } from './http';

export interface LiveCreate {
  channelId: number;
  name: string;
  privacy: number;
  saveReplay?: boolean;
  replaySettings?: { privacy: number };
  permanentLive?: boolean;
  latencyMode?: number;
}

const liveBase = (id: number | string) => `/api/v1/videos/live/${encodeURIComponent(String(id))}`;

export function createLive(api: ApiClient, body: LiveCreate): Promise<{ video: { id: number; uuid: string; shortUUID: string } }> {
  return api.request('POST', '/api/v1/videos/live', { json: body });
}

export function getLive(api: ApiClient, id: number | string): Promise<LiveVideo> {
  return api.get<LiveVideo>(liveBase(id));
}

/** The live settings; the server takes them only while the live waits for its stream. */
export async function updateLive(api: ApiClient, id: number | string, body: LiveVideoUpdate): Promise<void> {
  await api.request('PUT', liveBase(id), { json: body });
}

export function regenerateStreamKey(api: ApiClient, id: number | string): Promise<LiveVideo> {
  return api.request<LiveVideo>('POST', `${liveBase(id)}/regenerate-stream-key`);
}

export function listLiveSessions(api: ApiClient, id: number | string): Promise<ResultList<LiveVideoSession>> {
  return api.get<ResultList<LiveVideoSession>>(`${liveBase(id)}/sessions`);
}
