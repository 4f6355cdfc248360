import { Injectable } from '@nestjs/common';
import type Queue from 'bull';
import { ErrorCode, JOB_STATES, type Job, type JobListQuery, type JobState, type ResultList } from '@flotilla/shared';
import { badRequest } from '../../common/app-error';
import { QueueRegistry } from './queue-registry.service';

/**
 * Bounds what one listing reads from Redis per queue and state: bull keeps at most 100 completed
 * and 100 failed jobs (see QueueRegistry); waiting or delayed jobs beyond this are counted, not listed.
 */
const READ_LIMIT = 1000;

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

/** Queue health for admins, in PeerTube's `GET /api/v1/jobs/{state}` shape. */
@Injectable()
export class JobsAdminService {
  constructor(private readonly registry: QueueRegistry) {}

  async list(state: JobState | undefined, q: JobListQuery): Promise<ResultList<Job>> {
    const declared = this.registry.declared();
    const wanted = q.jobType ? declared.filter((d) => d.name === q.jobType) : declared;
    if (q.jobType && wanted.length === 0) {
      throw badRequest(ErrorCode.INVALID_PARAMS, `Unknown job type ${q.jobType}; known: ${declared.map((d) => d.name).join(', ')}`);
    }
    const states = state ? [state] : [...JOB_STATES];
    const names = new Set(wanted.map((d) => d.name));
    const jobs: Job[] = [];
    for (const queueName of new Set(wanted.map((d) => d.queue))) {
      const queue = this.registry.queue(queueName);
      for (const s of states) {
        const page = await queue.getJobs([s], 0, READ_LIMIT - 1);
        for (const job of page) if (job && names.has(job.name)) jobs.push(format(job, s));
      }
    }
    const dir = q.sort === 'createdAt' ? 1 : -1;
    jobs.sort((a, b) => dir * (Date.parse(a.createdAt) - Date.parse(b.createdAt)));
    return { total: jobs.length, data: jobs.slice(q.start, q.start + q.count) };
  }
}

function format(job: Queue.Job, state: JobState): Job {
  const progress = job.progress() as unknown;
  return {
    id: String(job.id),
    state,
    type: job.name,
    data: (job.data ?? {}) as Record<string, unknown>,
    error: job.failedReason ?? null,
    progress: typeof progress === 'number' ? progress : 0,
    priority: job.opts.priority ?? null,
    createdAt: new Date(job.timestamp).toISOString(),
    processedOn: iso(job.processedOn),
    finishedOn: iso(job.finishedOn),
  };
}
