import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'sequelize';
import {
  ErrorCode,
  RUNNER_JOB_CANCELLABLE_STATES,
  RUNNER_JOB_SUCCESS_FILES,
  RUNNER_JOB_TYPES,
  RUNNER_PROTOCOL,
  RunnerJobState,
  type AvailableRunnerJob,
  type RunnerJobType,
} from '@flotilla/shared';
import { AppError, badRequest, notFound } from '../../common/app-error';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { RunnerJobHandlers, type RunnerJobHandler, type RunnerJobPolicy, type UploadedRunnerFile } from './runner-job-handlers';
import { RunnerJobRepository } from './runner-job.repository';
import type { RunnerJobModel, RunnerModel } from './runner.model';
import { RunnersSocketService } from './runners-socket.service';

export interface CreateRunnerJobSpec {
  type: RunnerJobType;
  /** Built from the job's UUID (download URLs contain it). */
  payload: (jobUUID: string) => Record<string, unknown>;
  privatePayload: Record<string, unknown>;
  priority: number;
  dependsOnRunnerJobId?: number | null;
  /** With `resolution`: the rung this job makes. At most one unfinished job per (video, type, resolution). */
  videoUUID?: string;
  resolution?: number;
  /** Listed to and accepted by the embedded runner only (a live transcoded "on the server"). */
  embeddedRunnerOnly?: boolean;
}


const notProcessing = (msg = 'This job is not in processing state for this runner') =>
  badRequest(ErrorCode.RUNNER_JOB_NOT_IN_PROCESSING_STATE, msg);

/**
 * The runner job state machine (PeerTube's numbers). Every transition is one conditional UPDATE
 * (`WHERE state = …`, from RUNNER_JOB_TRANSITIONS, run by RunnerJobRepository), so concurrent
 * runners, retries and several server processes cannot take the same job twice or move a job out
 * of a state it already left. What differs per job type (stall window, abortable, failure limit,
 * update payloads) is the type's handler's policy, never a type name here.
 */
@Injectable()
export class RunnerJobsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly repo: RunnerJobRepository,
    private readonly handlers: RunnerJobHandlers,
    private readonly socket: RunnersSocketService,
  ) {}

  // --- creation -------------------------------------------------------------------------------

  /**
   * Inserts a job (PENDING, or WAITING_FOR_PARENT_JOB with a parent). Returns null when an
   * unfinished job already makes that rung of that video.
   */
  async create(spec: CreateRunnerJobSpec, transaction?: Transaction): Promise<RunnerJobModel | null> {
    const uuid = randomUUID();
    const state = spec.dependsOnRunnerJobId ? RunnerJobState.WAITING_FOR_PARENT_JOB : RunnerJobState.PENDING;
    const id = await this.repo.insert(
      {
        uuid,
        type: spec.type,
        payload: spec.payload(uuid),
        privatePayload: spec.privatePayload,
        state,
        priority: spec.priority,
        dependsOnRunnerJobId: spec.dependsOnRunnerJobId ?? null,
        videoUUID: spec.videoUUID ?? null,
        resolution: spec.resolution ?? null,
        embeddedOnly: spec.embeddedRunnerOnly ?? false,
      },
      transaction,
    );
    if (id === null) return null;
    if (state === RunnerJobState.PENDING) {
      if (transaction) transaction.afterCommit(() => this.socket.notifyAvailableJobs());
      else this.socket.notifyAvailableJobs();
    }
    return this.repo.findById(id, transaction);
  }

  // --- runner side ----------------------------------------------------------------------------

  /**
   * Up to 10 pending jobs, most urgent first. Listing assigns nothing. Jobs of a type that cannot
   * wait (not abortable: a live, on air now) come before any other whatever their priority: the
   * PeerTube runner takes the first job listed, and a full page of uploads must not hide a live.
   * Only the embedded runner sees the jobs kept for it.
   */
  async listAvailable(jobTypes: string[] | undefined, runner: { embedded: boolean }): Promise<AvailableRunnerJob[]> {
    const types = jobTypes ? jobTypes.filter((t) => (RUNNER_JOB_TYPES as readonly string[]).includes(t)) : null;
    if (types && types.length === 0) return [];
    const firstTypes = RUNNER_JOB_TYPES.filter((t) => !this.policy(t).abortable);
    const rows = await this.repo.listPending({ types, limit: RUNNER_PROTOCOL.MAX_AVAILABLE_JOBS, embedded: runner.embedded, firstTypes });
    return rows.map((r) => ({ uuid: r.uuid, type: r.type, payload: r.payload }));
  }

  /**
   * PENDING → PROCESSING for this runner, in one conditional UPDATE: two runners can never both win.
   * A job kept for the embedded runner is, to any other, a job no longer pending (PeerTube's answer).
   */
  async accept(runner: RunnerModel, uuid: string, o: { embedded: boolean }): Promise<{ job: RunnerJobModel; jobToken: string }> {
    const jobToken = RUNNER_PROTOCOL.JOB_TOKEN_PREFIX + randomUUID();
    const id = await this.repo.accept(uuid, runner.id, jobToken, o.embedded);
    if (id === null) {
      await this.findByUuid(uuid);
      throw badRequest(ErrorCode.RUNNER_JOB_NOT_IN_PENDING_STATE, 'This job is not in pending state anymore');
    }
    const job = await this.repo.findForView({ id });
    return { job: job!, jobToken };
  }

  /**
   * The job this runner holds with this token. Unknown UUID → 404; a job the runner does not hold
   * (any more) → 400 `runner_job_not_in_processing_state`, so a runner whose job was taken back
   * (stalled, cancelled) stops working on it.
   */
  async findHeld(runner: RunnerModel, uuid: string, jobToken: string): Promise<RunnerJobModel> {
    const job = await this.findByUuid(uuid);
    if (job.processingJobToken !== jobToken || job.runnerId !== runner.id) throw notProcessing();
    return job;
  }

  /**
   * Progress + heartbeat, and for types with an update hook (live) the chunks it carries. After
   * success (COMPLETING/COMPLETED) it is a no-op, as in PeerTube.
   */
  async update(
    runner: RunnerModel,
    uuid: string,
    jobToken: string,
    progress: number | undefined,
    sent: { payload?: Record<string, unknown>; files: Record<string, UploadedRunnerFile> },
  ): Promise<void> {
    const job = await this.findHeld(runner, uuid, jobToken);
    if (job.state === RunnerJobState.COMPLETING || job.state === RunnerJobState.COMPLETED) return;
    if (job.state !== RunnerJobState.PROCESSING) throw notProcessing();
    const hasPayload = Object.keys(sent.payload ?? {}).length > 0 || Object.keys(sent.files).length > 0;
    const onUpdate = this.handlers.get(job.type)?.onUpdate;
    if (hasPayload && !onUpdate) throw badRequest(ErrorCode.INVALID_PARAMS, 'Only live jobs send a payload with update');
    if (!(await this.repo.heartbeat(job.id, jobToken, progress ?? job.progress))) throw notProcessing();
    if (hasPayload) await onUpdate!(job, sent.files, sent.payload);
  }

  /** The runner gives up (shutdown): back to PENDING without counting a failure, unless the type forbids it. */
  async abort(runner: RunnerModel, uuid: string, jobToken: string, reason: string): Promise<void> {
    const job = await this.findHeld(runner, uuid, jobToken);
    if (job.state !== RunnerJobState.PROCESSING) throw notProcessing();
    if (!this.policy(job.type).abortable) {
      await this.fail(job, jobToken, 'Job has been aborted but it is not supported by this job type', true);
      return;
    }
    if (!(await this.repo.abortToPending(job.id, jobToken))) throw notProcessing();
    this.socket.notifyAvailableJobs();
    logger.info({ job: job.uuid, reason }, 'runner job aborted, back to pending');
  }

  /** A failure report: retried (PENDING) while failures < the type's limit, then ERRORED for good. */
  async error(runner: RunnerModel, uuid: string, jobToken: string, message: string): Promise<void> {
    const job = await this.findHeld(runner, uuid, jobToken);
    if (job.state !== RunnerJobState.PROCESSING) throw notProcessing();
    await this.fail(job, jobToken, message, !this.policy(job.type).abortable);
  }

  private async fail(job: RunnerJobModel, jobToken: string, message: string, final: boolean): Promise<void> {
    const row = await this.repo.fail(job.id, jobToken, message, final, this.policy(job.type).maxFailures);
    if (!row) throw notProcessing();
    if (row.state === RunnerJobState.PENDING) {
      logger.info({ job: job.uuid, failures: row.failures, message }, 'runner job failed, retrying');
      this.socket.notifyAvailableJobs();
      return;
    }
    logger.warn({ job: job.uuid, failures: row.failures, message }, 'runner job errored');
    await this.afterFinalError(job, message);
  }

  /**
   * Success: PROCESSING → COMPLETING atomically, the handler applies the files, then COMPLETED
   * and children released. A completion that throws errors the job (its files were not kept).
   * Answered when the completion ends or after `runners.success_max_wait`, whichever comes first
   * (a reverse proxy must not time the runner out while a large result is being stored): the
   * returned promise is the completion, which may still run; the uploaded files must stay until it
   * settles.
   */
  async success(runner: RunnerModel, uuid: string, jobToken: string, files: Record<string, UploadedRunnerFile>): Promise<{ completion: Promise<void> }> {
    const job = await this.findHeld(runner, uuid, jobToken);
    if (job.state !== RunnerJobState.PROCESSING) throw notProcessing();
    const expected: readonly string[] = RUNNER_JOB_SUCCESS_FILES[job.type];
    const missing = expected.filter((f) => !files[f]);
    const extra = Object.keys(files).filter((f) => !expected.includes(f));
    if (missing.length || extra.length) {
      const what = [...missing.map((f) => `missing payload[${f}]`), ...extra.map((f) => `unexpected payload[${f}]`)];
      throw badRequest(ErrorCode.INVALID_PARAMS, `Payload is invalid: ${what.join(', ')}`);
    }
    const handler = this.handlers.get(job.type);
    if (!handler) throw new AppError(500, ErrorCode.INTERNAL, `No handler for job type ${job.type}`);
    if (!(await this.repo.toCompleting(job.id, jobToken))) throw notProcessing('This job is not in processing state anymore');

    const completion = this.complete(job, handler, files).catch((err: Error) => {
      // Only the bookkeeping after the handler can land here (the database went away): the
      // COMPLETING sweep redoes the job later.
      logger.error({ err, job: job.uuid }, 'runner job completion bookkeeping failed');
    });
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      completion.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.config.runners.success_max_wait))),
    ]);
    clearTimeout(timer);
    if (!answered) logger.info({ job: job.uuid }, 'runner job success answered while its completion goes on');
    return { completion };
  }

  private async complete(job: RunnerJobModel, handler: RunnerJobHandler, files: Record<string, UploadedRunnerFile>): Promise<void> {
    // The lease: while this process stores the result it touches the job, so another process's
    // sweep leaves it alone however long the storing takes, and takes it back soon after this
    // process dies (runners.completing_lease).
    const lease = setInterval(() => {
      this.repo.touchCompletion(job.id).catch((err: Error) => logger.warn({ err, job: job.uuid }, 'completion lease not renewed'));
    }, Math.max(1000, this.config.runners.completing_lease / 4));
    try {
      await handler.complete(job, files);
    } catch (err) {
      const message = (err as Error).message || 'Completion failed';
      logger.error({ err, job: job.uuid }, 'runner job completion failed');
      await this.repo.finishCompletion(job.id, { error: message });
      await this.afterFinalError(job, message);
      return;
    } finally {
      clearInterval(lease);
    }
    await this.repo.finishCompletion(job.id, null);
    if (await this.repo.releaseChildren(job.id)) this.socket.notifyAvailableJobs();
  }

  // --- admin ----------------------------------------------------------------------------------

  /** PENDING/PROCESSING/WAITING → CANCELLED; children (recursively) → PARENT_CANCELLED. */
  async cancel(uuid: string): Promise<void> {
    const job = await this.findByUuid(uuid);
    const cancelled = await this.repo.cancel(job.id);
    if (!cancelled) throw badRequest(ErrorCode.BAD_REQUEST, 'This job cannot be cancelled in its current state');
    await this.repo.markDescendants(job.id, RunnerJobState.PARENT_CANCELLED, null);
    await this.handlers.get(job.type)?.onCancel?.(cancelled).catch((err: Error) => logger.error({ err, job: uuid }, 'cancel handler failed'));
  }

  async delete(uuid: string): Promise<void> {
    const job = await this.findByUuid(uuid);
    if ((RUNNER_JOB_CANCELLABLE_STATES as readonly number[]).includes(job.state)) {
      // Moved on meanwhile (finished, or cancelled by another admin): deleting it is all that is left.
      await this.cancel(uuid).catch((err: Error) => logger.info({ err, job: uuid }, 'job not cancelled before deletion'));
    }
    await this.repo.destroy(job.id);
  }

  /** Unfinished jobs of a deleted video go away (no runner should work on it any more). */
  async deleteForVideo(videoUUID: string): Promise<void> {
    await this.repo.deleteForVideo(videoUUID);
  }

  /** How many of a video's jobs are in one of `states`, one job aside (the transcoding module's bookkeeping). */
  countForVideo(videoUUID: string, states: readonly RunnerJobState[], exceptJobId?: number, transaction?: Transaction): Promise<number> {
    return this.repo.countForVideo(videoUUID, states, exceptJobId ?? null, transaction);
  }

  // --- watchdog -------------------------------------------------------------------------------

  /**
   * Jobs whose runner went silent past their type's window: abortable ones go back to PENDING (no
   * failure counted), the others error (a live session cannot move to another runner). Any call of
   * the runner holding the job counts as a sign of life, not only its `update`. Returns how many
   * moved. `since`: silence counts from then at the earliest — when this server began sweeping:
   * while it was down (a restart) no runner could report, and a job must not be taken back for that.
   */
  async sweepStalled(since: Date): Promise<number> {
    const candidates = await this.repo.findSilent(since, this.shortestStallWindow());
    const connected = await this.socket.connectedAnywhere(candidates.map((c) => c.runnerId).filter((id): id is number => id !== null));
    const byWindow = new Map<number, number[]>();
    const toError: number[] = [];
    for (const c of candidates) {
      const policy = this.policy(c.type);
      const isConnected = c.runnerId !== null && connected.has(c.runnerId);
      const windowMs = isConnected ? Math.max(policy.stallWindowMs, policy.connectedStallWindowMs ?? 0) : policy.stallWindowMs;
      if (c.silentMs < windowMs) continue;
      if (!policy.abortable) toError.push(c.id);
      else byWindow.set(windowMs, [...(byWindow.get(windowMs) ?? []), c.id]);
    }
    const reset: string[] = [];
    for (const [windowMs, ids] of byWindow) reset.push(...(await this.repo.resetSilent(ids, since, windowMs)));
    reset.push(...(await this.repo.resetOrphanedCompletions(this.config.runners.completing_lease)));
    if (reset.length) {
      logger.warn({ jobs: reset }, 'stalled runner jobs back to pending');
      this.socket.notifyAvailableJobs();
    }
    let errored = 0;
    for (const job of await this.repo.findByIds(toError)) {
      if (!job.processingJobToken) continue;
      // Reported meanwhile (or taken by another process's sweep): nothing to do.
      await this.fail(job, job.processingJobToken, 'Stalled runner job', true).then(
        () => errored++,
        (err: Error) => logger.info({ err, job: job.uuid }, 'stalled job moved on before it was errored'),
      );
    }
    return reset.length + errored;
  }

  /**
   * A feature saw the work of a processing job stop (live: nothing pulls the stream any more).
   * When the runner holding it has also left the `/runners` socket on every server process, the
   * runner is gone: the job fails now instead of after the stall window (a live then moves to
   * another runner). A runner still connected keeps its job: it reports its own failures. Returns
   * whether the job was failed.
   */
  async failIfRunnerGone(uuid: string, message: string): Promise<boolean> {
    const job = await this.repo.findByUuid(uuid);
    if (!job || job.state !== RunnerJobState.PROCESSING || !job.processingJobToken || job.runnerId === null) return false;
    if ((await this.socket.connectedAnywhere([job.runnerId])).has(job.runnerId)) return false;
    try {
      await this.fail(job, job.processingJobToken, message, !this.policy(job.type).abortable);
      return true;
    } catch (err) {
      logger.info({ err, job: uuid }, 'job moved on before its runner was declared gone');
      return false;
    }
  }

  /** How often the sweep must look: half the shortest window any type may use. */
  shortestStallWindow(): number {
    return Math.min(...RUNNER_JOB_TYPES.map((t) => this.policy(t).stallWindowMs));
  }

  // --- helpers --------------------------------------------------------------------------------

  async findByUuid(uuid: string): Promise<RunnerJobModel> {
    const job = /^[0-9a-f-]{36}$/i.test(uuid) ? await this.repo.findByUuid(uuid) : null;
    if (!job) throw notFound('Unknown runner job', ErrorCode.RUNNER_JOB_NOT_FOUND);
    return job;
  }

  loadForView(where: { id: number } | { uuid: string }): Promise<RunnerJobModel | null> {
    return this.repo.findForView(where);
  }

  private policy(type: RunnerJobType): RunnerJobPolicy {
    return this.handlers.policy(type, this.config.runners);
  }

  private async afterFinalError(job: RunnerJobModel, message: string): Promise<void> {
    await this.repo.markDescendants(job.id, RunnerJobState.PARENT_ERRORED, 'Parent error');
    const handler = this.handlers.get(job.type);
    await handler?.onFinalError?.(job, message).catch((err: Error) => logger.error({ err, job: job.uuid }, 'final error handler failed'));
  }
}
