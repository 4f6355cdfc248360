import type { ResultList } from '@flotilla/shared';
import type { ApiClient } from './http';
import type { ListQuery, Runner, RunnerJobAdmin, RunnerJobListQuery, RunnerRegistrationToken } from './types';

export async function generateRegistrationToken(api: ApiClient): Promise<void> {
  await api.request('POST', '/api/v1/runners/registration-tokens/generate');
}

export function listRegistrationTokens(api: ApiClient, query: ListQuery = {}): Promise<ResultList<RunnerRegistrationToken>> {
  return api.get<ResultList<RunnerRegistrationToken>>('/api/v1/runners/registration-tokens', { ...query });
}

export async function deleteRegistrationToken(api: ApiClient, id: number): Promise<void> {
  await api.request('DELETE', `/api/v1/runners/registration-tokens/${id}`);
}

export function listRunners(api: ApiClient, query: ListQuery = {}): Promise<ResultList<Runner>> {
  return api.get<ResultList<Runner>>('/api/v1/runners', { ...query });
}

export async function deleteRunner(api: ApiClient, id: number): Promise<void> {
  await api.request('DELETE', `/api/v1/runners/${id}`);
}

export function listRunnerJobs(api: ApiClient, query: RunnerJobListQuery = {}): Promise<ResultList<RunnerJobAdmin>> {
  const { stateOneOf, ...rest } = query;
  // PeerTube's admin client spells the repeated key with brackets.
  return api.get<ResultList<RunnerJobAdmin>>('/api/v1/runners/jobs', { ...rest, 'stateOneOf[]': stateOneOf });
}

/** POST as PeerTube's own client does (its spec says GET; servers accept both). */
export async function cancelRunnerJob(api: ApiClient, uuid: string): Promise<void> {
  await api.request('POST', `/api/v1/runners/jobs/${encodeURIComponent(uuid)}/cancel`);
}

export async function deleteRunnerJob(api: ApiClient, uuid: string): Promise<void> {
  await api.request('DELETE', `/api/v1/runners/jobs/${encodeURIComponent(uuid)}`);
}
