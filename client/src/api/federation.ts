import type { ResultList } from '@flotilla/shared';
import type { ApiClient } from './http';

/** PeerTube's Follow (instance follows admin API). */
export interface ServerFollow {
  id: number;
  follower: { id: number; url: string; name: string; host: string; followersCount: number; followingCount: number };
  following: { id: number; url: string; name: string; host: string; followersCount: number; followingCount: number };
  score: number;
  state: 'pending' | 'accepted';
  createdAt: string;
  updatedAt: string;
}

/** Delivery health of one remote host (Flotilla's admin addition). */
export interface FederationHost {
  host: string;
  pending: number;
  delivered: number;
  failed: number;
  consecutiveFailures: number;
  failingSince: string | null;
  unreachable: boolean;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
}

export const listFollowing = (api: ApiClient) => api.get<ResultList<ServerFollow>>('/api/v1/server/following', { count: 100 });
export const listFollowers = (api: ApiClient) => api.get<ResultList<ServerFollow>>('/api/v1/server/followers', { count: 100 });
export const listFederationHosts = (api: ApiClient) => api.get<ResultList<FederationHost>>('/api/v1/server/federation/hosts');

/** Hosts (`example.org`) and handles (`name@example.org`) in one list, as PeerTube's admin form takes them. */
export async function follow(api: ApiClient, entries: string[]): Promise<void> {
  const hosts = entries.filter((e) => !e.includes('@'));
  const handles = entries.filter((e) => e.includes('@'));
  await api.request('POST', '/api/v1/server/following', { json: { ...(hosts.length ? { hosts } : {}), ...(handles.length ? { handles } : {}) } });
}

export async function unfollow(api: ApiClient, hostOrHandle: string): Promise<void> {
  await api.request('DELETE', `/api/v1/server/following/${encodeURIComponent(hostOrHandle)}`);
}

export async function acceptFollower(api: ApiClient, nameWithHost: string): Promise<void> {
  await api.request('POST', `/api/v1/server/followers/${encodeURIComponent(nameWithHost)}/accept`);
}

export async function rejectFollower(api: ApiClient, nameWithHost: string): Promise<void> {
  await api.request('POST', `/api/v1/server/followers/${encodeURIComponent(nameWithHost)}/reject`);
}

export async function removeFollower(api: ApiClient, nameWithHost: string): Promise<void> {
  await api.request('DELETE', `/api/v1/server/followers/${encodeURIComponent(nameWithHost)}`);
}

/** PeerTube's ServerBlock (server block list); `fromConfig` is Flotilla's (blocked by `federation.blocked_hosts`). */
export interface ServerBlock {
  byAccount: { name: string; host: string };
  blockedServer: { host: string };
  createdAt: string;
  fromConfig?: boolean;
}

export const listServerBlocks = (api: ApiClient) => api.get<ResultList<ServerBlock>>('/api/v1/server/blocklist/servers', { count: 100, sort: 'host' });

export async function blockServer(api: ApiClient, host: string): Promise<void> {
  await api.request('POST', '/api/v1/server/blocklist/servers', { json: { host } });
}

export async function unblockServer(api: ApiClient, host: string): Promise<void> {
  await api.request('DELETE', `/api/v1/server/blocklist/servers/${encodeURIComponent(host)}`);
}
