import type { Job, JobState, ResultList } from '@flotilla/shared';
import type { ApiClient } from './http';

/** PeerTube's `GET /api/v1/jobs/{state}` (admins); no state lists every state. */
export function listJobs(
  api: ApiClient,
  state: JobState | '',
  query: { jobType?: string; start?: number; count?: number; sort?: 'createdAt' | '-createdAt' } = {},
): Promise<ResultList<Job>> {
  return api.get<ResultList<Job>>(state ? `/api/v1/jobs/${state}` : '/api/v1/jobs', { ...query });
}
