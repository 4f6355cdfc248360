import 'reflect-metadata';
import { describe, expect, it, vi } from 'vitest';
import { RunnerJobState, type RunnerJobType } from '@flotilla/shared';
import type { AppConfig } from '../../config/config';
import { RunnerJobHandlers, type RunnerJobHandler } from './runner-job-handlers';
import type { RunnerJobRepository, SilentRunnerJob } from './runner-job.repository';
import { RunnerJobsService } from './runner-jobs.service';
import type { RunnerJobModel, RunnerModel } from './runner.model';
import type { RunnersSocketService } from './runners-socket.service';

const config = { runners: { stalled_jobs: { vod: 120_000, live: 30_000 }, max_failures: 5, success_max_wait: 1000, completing_lease: 60_000 } } as AppConfig;
const runner = { id: 7 } as RunnerModel;
const UUID = '0d7e3b7e-5c1a-4b8e-9f6e-0a1b2c3d4e5f';

/** The service on a repository fake: only the calls a case looks at do something. */
function build(o: { silent?: SilentRunnerJob[]; connected?: number[]; job?: Partial<RunnerJobModel>; handler?: Partial<RunnerJobHandler> } = {}) {
  const repo = {
    findSilent: vi.fn(async () => o.silent ?? []),
    resetSilent: vi.fn(async (ids: number[]) => ids.map((id) => `job-${id}`)),
    resetOrphanedCompletions: vi.fn(async () => []),
    findByIds: vi.fn(async (ids: number[]) => ids.map((id) => ({ id, uuid: `job-${id}`, type: 'live-rtmp-hls-transcoding', processingJobToken: 't' }))),
    fail: vi.fn(async () => ({ state: RunnerJobState.ERRORED, failures: 1 })),
    markDescendants: vi.fn(async () => undefined),
    findByUuid: vi.fn(async () => ({ id: 1, uuid: 'u', type: 'vod-hls-transcoding', state: RunnerJobState.PROCESSING, runnerId: 7, processingJobToken: 't', progress: null, ...o.job })),
    heartbeat: vi.fn(async () => true),
    toCompleting: vi.fn(async () => true),
    touchCompletion: vi.fn(async () => true),
    finishCompletion: vi.fn(async () => undefined),
    releaseChildren: vi.fn(async () => 0),
  };
  const socket = { connectedAnywhere: vi.fn(async () => new Set(o.connected ?? [])), notifyAvailableJobs: vi.fn() };
  const handlers = new RunnerJobHandlers();
  if (o.handler) {
    const policy = { stallWindowMs: 120_000, connectedStallWindowMs: 120_000, abortable: true, maxFailures: 5 };
    handlers.register('vod-hls-transcoding', { policy, complete: async () => undefined, ...o.handler });
  }
  const service = new RunnerJobsService(config, repo as unknown as RunnerJobRepository, handlers, socket as unknown as RunnersSocketService);
  return { service, repo, socket };
}

const silent = (id: number, type: RunnerJobType, silentMs: number, runnerId = 7): SilentRunnerJob => ({ id, uuid: `job-${id}`, type, runnerId, silentMs });

describe('RunnerJobsService stall sweep', () => {
  it('keeps a VOD job whose runner reported within its window (PeerTube runner: every 60 s)', async () => {
    const { service, repo } = build({ silent: [silent(1, 'vod-hls-transcoding', 70_000)] });
    expect(await service.sweepStalled(new Date())).toBe(0);
    expect(repo.resetSilent).not.toHaveBeenCalled();
  });

  it('takes back a VOD job silent past its window, without counting a failure', async () => {
    const { service, repo, socket } = build({ silent: [silent(1, 'vod-hls-transcoding', 130_000)] });
    expect(await service.sweepStalled(new Date())).toBe(1);
    expect(repo.resetSilent).toHaveBeenCalledWith([1], expect.any(Date), 120_000);
    expect(repo.fail).not.toHaveBeenCalled();
    expect(socket.notifyAvailableJobs).toHaveBeenCalled();
  });

  it('uses the window of the registered handler', async () => {
    const { service, repo } = build({
      silent: [silent(1, 'vod-hls-transcoding', 130_000)],
      handler: { policy: { stallWindowMs: 300_000, abortable: true, maxFailures: 5 } },
    });
    await service.sweepStalled(new Date());
    expect(repo.resetSilent).not.toHaveBeenCalled();
    expect(service.shortestStallWindow()).toBe(30_000);
  });

  it('errors a silent job that may not move to another runner (live), for good', async () => {
    const { service, repo } = build({ silent: [silent(2, 'live-rtmp-hls-transcoding', 31_000)] });
    expect(await service.sweepStalled(new Date())).toBe(1);
    expect(repo.fail).toHaveBeenCalledWith(2, 't', 'Stalled runner job', true, 5);
    expect(repo.markDescendants).toHaveBeenCalledWith(2, RunnerJobState.PARENT_ERRORED, 'Parent error');
  });
});

describe('RunnerJobsService update', () => {
  it('refuses a payload for a type without an update hook', async () => {
    const { service, repo } = build({ handler: {} });
    await expect(service.update(runner, UUID, 't', 5, { payload: { type: 'add-chunk' }, files: {} })).rejects.toMatchObject({ code: 'invalid_params' });
    expect(repo.heartbeat).not.toHaveBeenCalled();
  });

  it('beats the heart, then hands files to the type\'s update hook', async () => {
    const onUpdate = vi.fn(async () => undefined);
    const { service, repo } = build({ handler: { onUpdate } });
    const file = { field: 'videoChunkFile', path: '/tmp/x', originalName: 'a.ts', size: 1 };
    await service.update(runner, UUID, 't', 5, { files: { videoChunkFile: file } });
    expect(repo.heartbeat).toHaveBeenCalledWith(1, 't', 5);
    expect(onUpdate).toHaveBeenCalledWith(expect.objectContaining({ id: 1 }), { videoChunkFile: file }, undefined);
  });
});

describe('RunnerJobsService completion lease', () => {
  it('touches the job every quarter of the lease while the result is stored, and stops after', async () => {
    vi.useFakeTimers();
    try {
      let finish!: () => void;
      const stored = new Promise<void>((resolve) => (finish = resolve));
      const { service, repo } = build({ handler: { complete: () => stored } });
      const file = { field: 'x', path: '/tmp/x', originalName: 'a.mp4', size: 1 };
      const answer = service.success(runner, UUID, 't', { videoFile: file, resolutionPlaylistFile: file });
      // A storing that outlasts the lease: the job stays this process's (touched 4 times a lease).
      await vi.advanceTimersByTimeAsync(150_000);
      const { completion } = await answer;
      expect(repo.toCompleting).toHaveBeenCalledWith(1, 't');
      expect(repo.touchCompletion).toHaveBeenCalledTimes(10);
      expect(repo.touchCompletion).toHaveBeenCalledWith(1);
      finish();
      await completion;
      expect(repo.finishCompletion).toHaveBeenCalledWith(1, null);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(repo.touchCompletion).toHaveBeenCalledTimes(10);
    } finally {
      vi.useRealTimers();
    }
  });
});
