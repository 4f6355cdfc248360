import { describe, expect, it } from 'vitest';
import {
  acceptRunnerJobResultSchema,
  isAbortableRunnerJobType,
  parseRunnerJobPayload,
  parseRunnerJobPrivatePayload,
  listRunnerJobsQuery,
  RUNNER_JOB_FINAL_STATES,
  RUNNER_JOB_STATE_LABELS,
  RUNNER_JOB_SUCCESS_FILES,
  RunnerJobState,
  RunnerSocketEvent,
  RUNNERS_SOCKET_NAMESPACE,
  typedRunnerJobPayloadSchema,
  updateRunnerJobBodySchema,
  registerRunnerBodySchema,
  requestRunnerJobResultSchema,
} from './index';

const uuid = '0d9f5e4e-8a7a-4c52-9b3c-6ad5e1c2f0aa';
const url = `http://localhost:9000/api/v1/runners/jobs/${uuid}/files/videos/${uuid}/max-quality`;

describe('RunnerJobState', () => {
  it("uses PeerTube's numbers", () => {
    expect(RunnerJobState).toEqual({
      PENDING: 1, PROCESSING: 2, COMPLETED: 3, ERRORED: 4, WAITING_FOR_PARENT_JOB: 5,
      CANCELLED: 6, PARENT_ERRORED: 7, PARENT_CANCELLED: 8, COMPLETING: 9,
    });
    expect(RUNNER_JOB_STATE_LABELS[RunnerJobState.WAITING_FOR_PARENT_JOB]).toBe('Waiting for parent job to finish');
  });

  it('names the final states (a completing job is not one)', () => {
    expect([...RUNNER_JOB_FINAL_STATES].sort()).toEqual([3, 4, 6, 7, 8]);
  });
});

describe('admin job list query', () => {
  it('merges both spellings of each list, as PeerTube clients send them', () => {
    const q = listRunnerJobsQuery.parse({ 'stateOneOf[]': ['1', '2'], stateOneOf: '5', typeOneOf: 'vod-hls-transcoding', search: '' });
    expect(q).toMatchObject({ start: 0, count: 15, stateOneOf: [5, 1, 2], typeOneOf: ['vod-hls-transcoding'], search: undefined });
    expect(listRunnerJobsQuery.safeParse({ stateOneOf: '10' }).success).toBe(false);
  });
});

describe('payloads', () => {
  it('reads an HLS payload from an older server without the separated-audio fields', () => {
    const p = parseRunnerJobPayload('vod-hls-transcoding', { input: { videoFileUrl: url }, output: { resolution: 720, fps: 30 } });
    expect(p.input.separatedAudioFileUrl).toEqual([]);
    expect(p.output.separatedAudio).toBe(false);
  });

  it('rejects a payload missing its input URL', () => {
    expect(() => parseRunnerJobPayload('vod-web-video-transcoding', { input: {}, output: { resolution: 480, fps: 30 } })).toThrow();
  });

  it('discriminates { type, payload } pairs by type', () => {
    const parsed = typedRunnerJobPayloadSchema.parse({
      type: 'vod-audio-merge-transcoding',
      payload: { input: { audioFileUrl: url, previewFileUrl: url }, output: { resolution: 480, fps: 25 } },
    });
    expect(parsed.type).toBe('vod-audio-merge-transcoding');
    expect(() => typedRunnerJobPayloadSchema.parse({ type: 'vod-hls-transcoding', payload: { input: { audioFileUrl: url } } })).toThrow();
  });

  it('parses private payloads per type', () => {
    const p = parseRunnerJobPrivatePayload('vod-hls-transcoding', {
      videoUUID: uuid, isNewVideo: true, deleteWebVideoFiles: false, canMoveVideoState: true,
    });
    expect(p.inputStreams).toEqual([]);
  });
});

describe('bodies', () => {
  it('accepts multipart-style update bodies (numbers as strings) and caps progress', () => {
    expect(updateRunnerJobBodySchema.parse({ runnerToken: 'ptrt-a', jobToken: 'ptrjt-b', progress: '42' }).progress).toBe(42);
    expect(updateRunnerJobBodySchema.safeParse({ runnerToken: 'a', jobToken: 'b', progress: 101 }).success).toBe(false);
    expect(updateRunnerJobBodySchema.safeParse({ runnerToken: 'a', jobToken: 'b', payload: { foo: 1 } }).success).toBe(false);
  });

  it('enforces name and token limits on register', () => {
    expect(registerRunnerBodySchema.safeParse({ registrationToken: 'ptrrt-x', name: '' }).success).toBe(false);
    expect(registerRunnerBodySchema.safeParse({ registrationToken: 'ptrrt-x', name: 'n'.repeat(101) }).success).toBe(false);
    expect(registerRunnerBodySchema.safeParse({ registrationToken: 'ptrrt-x', name: 'gpu-1' }).success).toBe(true);
  });

  it('parses an accept answer like PeerTube renders it', () => {
    const now = new Date().toISOString();
    const job = {
      uuid, type: 'vod-hls-transcoding', state: { id: 2, label: 'Processing' },
      payload: { input: { videoFileUrl: url }, output: { resolution: 360, fps: 30 } },
      failures: 0, error: null, progress: null, priority: 100, startedAt: now, createdAt: now, updatedAt: now,
      finishedAt: null, parent: null, runner: { id: 1, name: 'r', description: null }, jobToken: 'ptrjt-x',
    };
    expect(acceptRunnerJobResultSchema.parse({ job }).job.jobToken).toBe('ptrjt-x');
    expect(acceptRunnerJobResultSchema.parse({ job: { uuid, type: 'vod-hls-transcoding', payload: {}, jobToken: 't' } }).job.uuid).toBe(uuid);
    expect(acceptRunnerJobResultSchema.safeParse({ job: { uuid, type: 'vod-hls-transcoding', payload: {} } }).success).toBe(false);
    expect(requestRunnerJobResultSchema.parse({ availableJobs: [{ uuid, type: 'x', payload: {} }] }).availableJobs).toHaveLength(1);
  });

  it('lists the files each type must post on success', () => {
    expect(RUNNER_JOB_SUCCESS_FILES['vod-hls-transcoding']).toEqual(['videoFile', 'resolutionPlaylistFile']);
    expect(RUNNER_JOB_SUCCESS_FILES['live-rtmp-hls-transcoding']).toEqual([]);
  });
});

describe('socket and types', () => {
  it('names the namespace and event as PeerTube does', () => {
    expect(RUNNERS_SOCKET_NAMESPACE).toBe('/runners');
    expect(RunnerSocketEvent.AVAILABLE_JOBS).toBe('available-jobs');
  });

  it('treats live jobs as not abortable', () => {
    expect(isAbortableRunnerJobType('live-rtmp-hls-transcoding')).toBe(false);
    expect(isAbortableRunnerJobType('vod-hls-transcoding')).toBe(true);
  });
});
