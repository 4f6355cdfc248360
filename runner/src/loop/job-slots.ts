import { RUNNER_PROTOCOL, type AvailableRunnerJob, type RunnerJobType } from '@flotilla/shared';
import type { AcceptedRunnerJob } from '../client/runner-client';

/** How many jobs of each kind may run at once. */
export interface SlotLimits {
  vod: number;
  live: number;
}
export type SlotKind = keyof SlotLimits;

function slotKindOf(type: string): SlotKind {
  return type === 'live-rtmp-hls-transcoding' ? 'live' : 'vod';
}

/** One server, as a round of job taking sees it. */
export interface OfferSource {
  /** Pending jobs of these types (a request failure throws). */
  request(jobTypes: RunnerJobType[]): Promise<AvailableRunnerJob[]>;
  /** The job now ours; null when it went to another runner meanwhile; 'stop' when this server failed. */
  accept(uuid: string): Promise<AcceptedRunnerJob | null | 'stop'>;
}

/**
 * Which jobs the daemon may take now. A live job holds its slot for the whole live, so lives get
 * slots of their own beside the VOD ones (`jobs.concurrency`): with shared slots one live on a
 * runner of concurrency 1 would stop every upload from being transcoded, and a second live would
 * wait for the first to end. A runner whose slots of one kind are all taken asks for the other
 * kind only.
 */
export class JobSlots {
  constructor(
    private readonly enabled: readonly RunnerJobType[],
    private readonly limits: () => SlotLimits,
    private readonly running: () => Iterable<{ type: string }>,
  ) {}

  free(kind: SlotKind): number {
    let used = 0;
    for (const job of this.running()) if (slotKindOf(job.type) === kind) used++;
    return this.limits()[kind] - used;
  }

  /** The enabled types whose kind has a free slot: what to ask a server for. Empty when all are taken. */
  wanted(): RunnerJobType[] {
    const free = { vod: this.free('vod') > 0, live: this.free('live') > 0 };
    return this.enabled.filter((t) => free[slotKindOf(t)]);
  }

  /**
   * One round with one server: asks for the types with a free slot and accepts offers while their
   * kind has one, lives first (viewers are watching them now; an upload can wait a little). Returns
   * true when a full page leaves more to look at.
   */
  async takeFrom(source: OfferSource, launch: (job: AcceptedRunnerJob) => void, stopped: () => boolean): Promise<boolean> {
    const wanted = this.wanted();
    if (!wanted.length) return false;
    let offers = await source.request(wanted);
    const full = offers.length >= RUNNER_PROTOCOL.MAX_AVAILABLE_JOBS;
    const liveTypes = wanted.filter((t) => slotKindOf(t) === 'live');
    // A server listing by priority alone (PeerTube, whose lives do not outrank uploads) can fill
    // the page with VOD jobs ahead of a pending live: ask for lives alone then.
    if (full && liveTypes.length > 0 && liveTypes.length < wanted.length && !offers.some((o) => slotKindOf(o.type) === 'live')) {
      offers = [...(await source.request(liveTypes)), ...offers];
    }
    const ordered = [...offers].sort((a, b) => Number(slotKindOf(a.type) === 'vod') - Number(slotKindOf(b.type) === 'vod'));
    for (const offer of ordered) {
      if (stopped() || !this.wanted().length) return false;
      // A server may ignore the filter (or list a type this runner does not run).
      if (!(this.enabled as string[]).includes(offer.type) || this.free(slotKindOf(offer.type)) <= 0) continue;
      const job = await source.accept(offer.uuid);
      if (job === 'stop') return false;
      if (job) launch(job);
    }
    return full && this.wanted().length > 0;
  }
}
