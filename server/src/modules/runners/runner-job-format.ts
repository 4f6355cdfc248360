import {
  RUNNER_JOB_STATE_LABELS,
  type RunnerJob,
  type RunnerJobAdmin,
  type RunnerJobPayload,
  type RunnerJobPrivatePayload,
  type RunnerJobState,
} from '@flotilla/shared';
import type { RunnerJobModel } from './runner.model';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
const state = (id: RunnerJobState) => ({ id, label: RUNNER_JOB_STATE_LABELS[id] ?? 'Unknown' });

/** A job as runners see it (accept answer): PeerTube's RunnerJob shape, `state` as `{ id, label }`. */
export function formatRunnerJob(job: RunnerJobModel): RunnerJob {
  return {
    uuid: job.uuid,
    type: job.type,
    state: state(job.state),
    payload: job.payload as RunnerJobPayload,
    failures: job.failures,
    error: job.error,
    progress: job.progress,
    priority: job.priority,
    startedAt: iso(job.startedAt),
    createdAt: iso(job.createdAt)!,
    updatedAt: iso(job.updatedAt)!,
    finishedAt: iso(job.finishedAt),
    parent: job.Parent ? { id: job.Parent.id, uuid: job.Parent.uuid, type: job.Parent.type, state: state(job.Parent.state) } : undefined,
    runner: job.Runner ? { id: job.Runner.id, name: job.Runner.name, description: job.Runner.description } : null,
  };
}

/** The admin view adds the private payload (which holds the video's UUID). */
export function formatRunnerJobAdmin(job: RunnerJobModel): RunnerJobAdmin {
  return { ...formatRunnerJob(job), privatePayload: job.privatePayload as RunnerJobPrivatePayload };
}
