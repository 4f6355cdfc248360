import { Inject, Injectable } from '@nestjs/common';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { OutgoingRequestError } from '../../platform/http/outgoing-http';
import { OnJob, type JobPayload } from '../../platform/queues/job-definition';
import { QueueRegistry } from '../../platform/queues/queue-registry.service';
import { ActorsService } from '../actors/actors.service';
import { ApClientService } from './ap-client.service';
import { FederationRepository } from './federation.repository';
import { FEDERATION_JOBS } from './federation.jobs';
import { signLd } from './ld-signature';
import { hostOf } from './remote-actors.service';

/** At most this many POSTs in flight to one host from one process. */
export const PER_HOST_CONCURRENCY = 4;
/** Tries of a POST answered 401/403 before the refusal is taken as final. */
export const REFUSAL_TRIES = 3;

interface InboxTarget {
  inboxUrl: string;
  sharedInboxUrl: string | null;
}

/** Shared inbox de-duplication: one POST per host when the host has a shared inbox, else one per distinct inbox. */
export function inboxesFor(targets: InboxTarget[], exceptHosts: string[] = []): string[] {
  const byHost = new Map<string, { shared: string | null; personal: Set<string> }>();
  for (const t of targets) {
    const host = hostOf(t.inboxUrl);
    if (exceptHosts.includes(host)) continue;
    const entry = byHost.get(host) ?? { shared: null, personal: new Set<string>() };
    if (t.sharedInboxUrl) entry.shared = t.sharedInboxUrl;
    else entry.personal.add(t.inboxUrl);
    byHost.set(host, entry);
  }
  return [...byHost.values()].flatMap((e) => (e.shared ? [e.shared] : [...e.personal]));
}

/** Wait before a job whose host is at its limit is tried again (plus up to as much at random). */
const HOST_BUSY_RETRY_MS = 250;

/** POSTs in flight to one host. A job over the limit goes back to the queue: it never holds a worker slot while it waits. */
class HostGate {
  private active = 0;
  tryEnter(): boolean {
    if (this.active >= PER_HOST_CONCURRENCY) return false;
    this.active++;
    return true;
  }
  leave(): void {
    this.active--;
  }
  get idle(): boolean {
    return this.active === 0;
  }
}

class PermanentDeliveryError extends Error {}

/** Outgoing activities: queued per inbox, signed when sent, retried with back-off. */
@Injectable()
export class DeliveryService {
  private readonly gates = new Map<string, HostGate>();

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueRegistry,
    private readonly client: ApClientService,
    private readonly repo: FederationRepository,
    private readonly actors: ActorsService,
  ) {}

  /** Queues the activity for these inboxes (already de-duplicated by the caller or by `toActors`). */
  async toInboxes(inboxes: string[], activity: object, signerActorId: number): Promise<void> {
    const unique = [...new Set(inboxes)];
    if (unique.length === 0) return;
    const body = JSON.stringify(await this.withLdSignature(activity as Record<string, unknown>, signerActorId));
    for (const inbox of unique) {
      await this.queues.add(FEDERATION_JOBS.deliver, { inbox, body, signerActorId });
    }
  }

  /**
   * Every activity leaves with its actor's RsaSignature2017 (as PeerTube's do), so that the
   * receivers can forward it. An activity that cannot be signed offline leaves without.
   */
  private async withLdSignature(activity: Record<string, unknown>, signerActorId: number): Promise<Record<string, unknown>> {
    try {
      const key = await this.client.signingKeyOf(signerActorId);
      return await signLd(activity, key.keyId.replace(/#main-key$/, ''), key.privateKeyPem);
    } catch (err) {
      logger.warn({ err: (err as Error).message, type: activity.type }, 'activity sent without a linked-data signature');
      return activity;
    }
  }

  /** Queues the activity for the remote actors with these ids (one POST per host through shared inboxes). */
  async toActors(actorIds: number[], activity: object, signerActorId: number, exceptHosts: string[] = []): Promise<void> {
    const targets: InboxTarget[] = [];
    for (const actor of await this.actors.findManyByIds([...new Set(actorIds)])) {
      if (actor.serverId === null || actor.Server?.blocked) continue;
      targets.push({ inboxUrl: actor.inboxUrl, sharedInboxUrl: actor.sharedInboxUrl });
    }
    await this.toInboxes(inboxesFor(targets, exceptHosts), activity, signerActorId);
  }

  /**
   * Forwards a third party's activity unchanged (§6.4): the body keeps its author's RsaSignature2017,
   * which receivers check; the POST itself is signed by `signerActorId` (the instance actor).
   */
  async forward(actorIds: number[], activity: object, signerActorId: number, exceptHosts: string[] = []): Promise<void> {
    const targets: InboxTarget[] = [];
    for (const actor of await this.actors.findManyByIds([...new Set(actorIds)])) {
      if (actor.serverId === null || actor.Server?.blocked) continue;
      targets.push({ inboxUrl: actor.inboxUrl, sharedInboxUrl: actor.sharedInboxUrl });
    }
    const body = JSON.stringify(activity);
    for (const inbox of new Set(inboxesFor(targets, exceptHosts))) {
      await this.queues.add(FEDERATION_JOBS.deliver, { inbox, body, signerActorId });
    }
  }

  /** Per host: deliveries done and failed, failures in a row, unreachable flag, and the jobs waiting for it. */
  async hostsStatus() {
    const pending = new Map<string, number>();
    const queue = this.queues.queue(FEDERATION_JOBS.deliver.queue);
    for (const job of await queue.getJobs(['waiting', 'delayed', 'active'], 0, 5000)) {
      const inbox = (job?.data as { inbox?: string } | undefined)?.inbox;
      if (inbox) pending.set(hostOf(inbox), (pending.get(hostOf(inbox)) ?? 0) + 1);
    }
    const rows = await this.repo.hosts();
    const data = rows.map((r) => ({
      host: r.host,
      pending: pending.get(r.host) ?? 0,
      delivered: r.delivered,
      failed: r.failed,
      consecutiveFailures: r.consecutiveFailures,
      failingSince: r.failingSince?.toISOString() ?? null,
      unreachable: r.unreachable,
      lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
      lastFailureAt: r.lastFailureAt?.toISOString() ?? null,
      lastError: r.lastError,
    }));
    return { total: data.length, data };
  }

  /** Wait before the next try: first_retry_after × 2^tries, capped at max_retry_interval. */
  retryDelay(tries: number): number {
    const d = this.config.federation.delivery;
    return Math.min(d.first_retry_after * 2 ** Math.min(tries, 40), d.max_retry_interval);
  }

  @OnJob(FEDERATION_JOBS.deliver)
  async deliver(job: JobPayload<typeof FEDERATION_JOBS.deliver>): Promise<void> {
    const host = hostOf(job.inbox);
    const firstTryAt = job.firstTryAt ?? Date.now();
    let gate = this.gates.get(host);
    if (!gate) this.gates.set(host, (gate = new HostGate()));
    if (!gate.tryEnter()) {
      // A slow host must not take every worker: this job waits in the queue (not counted as a try).
      await this.queues.add(FEDERATION_JOBS.deliver, job, { delay: HOST_BUSY_RETRY_MS + Math.floor(Math.random() * HOST_BUSY_RETRY_MS) });
      return;
    }
    try {
      await this.postOnce(job, host);
    } catch (err) {
      if (err instanceof PermanentDeliveryError) {
        logger.warn({ inbox: job.inbox, err: err.message }, 'activity refused by the remote inbox (not retried)');
        return;
      }
      const tries = (job.tries ?? 0) + 1;
      const delay = this.retryDelay(tries - 1);
      if (Date.now() + delay - firstTryAt > this.config.federation.delivery.give_up_after) {
        logger.warn({ inbox: job.inbox, tries }, 'delivery given up');
        throw err;
      }
      await this.queues.add(FEDERATION_JOBS.deliver, { ...job, tries, firstTryAt }, { delay });
    } finally {
      gate.leave();
      if (gate.idle) this.gates.delete(host);
    }
  }

  private async postOnce(job: JobPayload<typeof FEDERATION_JOBS.deliver>, host: string): Promise<void> {
    const key = await this.client.signingKeyOf(job.signerActorId);
    let status: number;
    try {
      status = (await this.client.post(job.inbox, job.body, key)).status;
    } catch (err) {
      const message = err instanceof OutgoingRequestError ? `${err.reason}: ${err.message}` : (err as Error).message;
      await this.repo.recordDelivery(host, false, message);
      if (err instanceof OutgoingRequestError && (err.reason === 'blocked' || err.reason === 'bad_url')) throw new PermanentDeliveryError(message);
      throw err;
    }
    if (status >= 200 && status < 300) {
      await this.repo.recordDelivery(host, true);
      return;
    }
    // The host answered. A refusal (4xx other than 408/429) is final, except 401/403 for the first
    // tries: a PeerTube inbox answers 403 when it could not fetch the signer at that moment (its
    // "signature could not be checked" covers a failed fetch), which a later try may pass.
    const refused = status >= 400 && status < 500 && status !== 408 && status !== 429;
    await this.repo.recordDelivery(host, refused, `HTTP ${status}`);
    const transientRefusal = (status === 401 || status === 403) && (job.tries ?? 0) + 1 < REFUSAL_TRIES;
    if (refused && !transientRefusal) throw new PermanentDeliveryError(`HTTP ${status}`);
    throw new Error(`${job.inbox} answered ${status}`);
  }
}
