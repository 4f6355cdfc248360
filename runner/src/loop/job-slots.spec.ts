import { describe, expect, it } from 'vitest';
import { RUNNER_JOB_TYPES, type AvailableRunnerJob, type RunnerJobType } from '@flotilla/shared';
import type { AcceptedRunnerJob } from '../client/runner-client';
import { JobSlots, type OfferSource, type SlotLimits } from './job-slots';

const LIVE = 'live-rtmp-hls-transcoding';
const HLS = 'vod-hls-transcoding';

/** A server with a list of pending jobs that answers `request` by type filter and page size, as Flotilla and PeerTube do. */
function fakeServer(pending: AvailableRunnerJob[], page = 10) {
  const requests: string[][] = [];
  const accepted: string[] = [];
  const source: OfferSource = {
    request: async (jobTypes) => {
      requests.push([...jobTypes]);
      return pending.filter((j) => jobTypes.includes(j.type as RunnerJobType) && !accepted.includes(j.uuid)).slice(0, page);
    },
    accept: async (uuid) => {
      accepted.push(uuid);
      const job = pending.find((j) => j.uuid === uuid)!;
      return { uuid, type: job.type } as AcceptedRunnerJob;
    },
  };
  return { source, requests, accepted };
}

const jobs = (type: string, n: number, prefix = type === LIVE ? 'live' : 'vod') => Array.from({ length: n }, (_, i) => ({ uuid: `${prefix}-${i}`, type, payload: {} }));

function daemon(limits: SlotLimits, running: { type: string; uuid?: string }[] = [], enabled: readonly RunnerJobType[] = RUNNER_JOB_TYPES) {
  const slots = new JobSlots(enabled, () => limits, () => running);
  const take = (source: OfferSource) => slots.takeFrom(source, (job) => running.push(job), () => false);
  return { slots, running, take };
}

describe('JobSlots', () => {
  it('counts live and VOD slots apart', () => {
    const { slots } = daemon({ vod: 1, live: 2 }, [{ type: LIVE }, { type: HLS }]);
    expect([slots.free('vod'), slots.free('live')]).toEqual([0, 1]);
    expect(slots.wanted()).toEqual([LIVE]);
  });

  it('with its VOD slot held by an upload, asks for and takes lives only', async () => {
    const { take, running } = daemon({ vod: 1, live: 2 }, [{ type: HLS }]);
    const server = fakeServer([...jobs(HLS, 3), ...jobs(LIVE, 3)]);
    await take(server.source);
    expect(server.requests).toEqual([[LIVE]]);
    expect(server.accepted).toEqual(['live-0', 'live-1']);
    expect(running.map((j) => j.type)).toEqual([HLS, LIVE, LIVE]);
  });

  it('with its live slots held, still takes VOD jobs (asking for no live)', async () => {
    const { take } = daemon({ vod: 2, live: 1 }, [{ type: LIVE }]);
    const server = fakeServer([...jobs(LIVE, 1, 'other-live'), ...jobs(HLS, 3)]);
    await take(server.source);
    expect(server.requests).toEqual([RUNNER_JOB_TYPES.filter((t) => t !== LIVE)]);
    expect(server.accepted).toEqual(['vod-0', 'vod-1']);
  });

  it('takes a live before VOD jobs listed ahead of it, then VOD jobs in the server’s order', async () => {
    const { take } = daemon({ vod: 1, live: 1 });
    const server = fakeServer([...jobs(HLS, 2), ...jobs(LIVE, 1)]);
    await take(server.source);
    expect(server.accepted).toEqual(['live-0', 'vod-0']);
  });

  it('asks for lives alone when a full page of VOD jobs may hide one (a server ordering by priority only)', async () => {
    const { take } = daemon({ vod: 1, live: 1 });
    const server = fakeServer([...jobs(HLS, 12), ...jobs(LIVE, 1)]);
    const more = await take(server.source);
    expect(server.requests).toEqual([RUNNER_JOB_TYPES, [LIVE]]);
    expect(server.accepted).toEqual(['live-0', 'vod-0']);
    // Every slot taken: nothing more to look at even though the page was full.
    expect(more).toBe(false);
  });

  it('asks nothing when every slot is taken, and takes no live with liveConcurrency 0', async () => {
    const full = daemon({ vod: 1, live: 1 }, [{ type: HLS }, { type: LIVE }]);
    const server = fakeServer(jobs(LIVE, 1));
    expect(await full.take(server.source)).toBe(false);
    expect(server.requests).toEqual([]);

    const noLive = daemon({ vod: 1, live: 0 });
    const other = fakeServer([...jobs(LIVE, 1), ...jobs(HLS, 1)]);
    await noLive.take(other.source);
    expect(other.requests).toEqual([RUNNER_JOB_TYPES.filter((t) => t !== LIVE)]);
    expect(other.accepted).toEqual(['vod-0']);
  });

  it('skips an offer of a type it does not run, and one another runner took first', async () => {
    const { take, running } = daemon({ vod: 2, live: 1 }, [], [HLS]);
    const server = fakeServer([...jobs(LIVE, 1), ...jobs(HLS, 2)]);
    // A server ignoring the filter lists everything.
    server.source.request = async () => [...jobs(LIVE, 1), ...jobs(HLS, 2)];
    const accept = server.source.accept;
    server.source.accept = async (uuid) => (uuid === 'vod-0' ? null : accept(uuid));
    await take(server.source);
    expect(running.map((j) => j.uuid)).toEqual(['vod-1']);
  });
});
