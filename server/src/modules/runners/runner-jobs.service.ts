import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import {
  ErrorCode,
  RUNNER_JOB_CANCELLABLE_STATES,
  RUNNER_JOB_SUCCESS_FILES,
  RUNNER_JOB_TYPES,
  RUNNER_PROTOCOL,
  RunnerJobState,
  isAbortableRunnerJobType,
  type AvailableRunnerJob,
  type RunnerJobType,
} from '@flotilla/shared';
import { AppError, badRequest, notFound } from '../../common/app-error';
import { logger } from '../../common/logger';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { RunnerJobHandlers, type RunnerJobHandler, type UploadedRunnerFile } from './runner-job-handlers';
import { RunnerJobModel, RunnerModel } from './runner.model';
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
}

/** Longest a completion (moving files, hashing segments) may take before the job is redone. */
const COMPLETING_TIMEOUT_MS = 15 * 60_000;

/** States a job is over in (the unique rung index ignores them). */
const FINISHED = [3, 4, 6, 7, 8].join(',');

const notProcessing = (msg = 'This job is not in processing state for this runner') =>
  badRequest(ErrorCode.RUNNER_JOB_NOT_IN_PROCESSING_STATE, msg);

/**
 * The runner job state machine (PeerTube's numbers). Every transition is one conditional UPDATE
 * (`WHERE state = …`), so concurrent runners, retries and several server processes cannot take
 * the same job twice or move a job out of a state it already left.
 */
@Injectable()
export class RunnerJobsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
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
    // ON CONFLICT without a target also covers the partial unique index on the rung.
    const rows = await this.sequelize.query<{ id: number }>(
      `INSERT INTO runner_job (uuid, type, payload, private_payload, state, priority, depends_on_runner_job_id, video_uuid, resolution)
       VALUES (:uuid, :type, :payload, :privatePayload, :state, :priority, :parent, :videoUUID, :resolution)
       ON CONFLICT DO NOTHING RETURNING id`,
      {
        type: QueryTypes.SELECT,
        transaction,
        replacements: {
          uuid,
          type: spec.type,
          payload: JSON.stringify(spec.payload(uuid)),
          privatePayload: JSON.stringify(spec.privatePayload),
          state,
          priority: spec.priority,
          parent: spec.dependsOnRunnerJobId ?? null,
          videoUUID: spec.videoUUID ?? null,
          resolution: spec.resolution ?? null,
        },
      },
    );
    if (rows.length === 0) return null;
    if (state === RunnerJobState.PENDING) {
      if (transaction) transaction.afterCommit(() => this.socket.notifyAvailableJobs());
      else this.socket.notifyAvailableJobs();
    }
    return RunnerJobModel.findByPk(rows[0].id, { transaction });
  }

  // --- runner side ----------------------------------------------------------------------------

  /** Up to 10 pending jobs, most urgent first. Listing assigns nothing. */
  async listAvailable(jobTypes?: string[]): Promise<AvailableRunnerJob[]> {
    const types = jobTypes ? jobTypes.filter((t) => (RUNNER_JOB_TYPES as readonly string[]).includes(t)) : null;
    if (types && types.length === 0) return [];
    const rows = await this.sequelize.query<{ uuid: string; type: string; payload: unknown }>(
      `SELECT uuid, type, payload FROM runner_job WHERE state = :pending ${types ? 'AND type IN (:types)' : ''}
       ORDER BY priority ASC, id ASC LIMIT :limit`,
      {
        type: QueryTypes.SELECT,
        replacements: { pending: RunnerJobState.PENDING, types, limit: RUNNER_PROTOCOL.MAX_AVAILABLE_JOBS },
      },
    );
    return rows.map((r) => ({ uuid: r.uuid, type: r.type, payload: r.payload }));
  }

  /** PENDING → PROCESSING for this runner, in one conditional UPDATE: two runners can never both win. */
  async accept(runner: RunnerModel, uuid: string): Promise<{ job: RunnerJobModel; jobToken: string }> {
    const jobToken = RUNNER_PROTOCOL.JOB_TOKEN_PREFIX + randomUUID();
    const rows = await this.sequelize.query<{ id: number }>(
      `UPDATE runner_job SET state = :processing, processing_job_token = :jobToken, runner_id = :runnerId,
         started_at = now(), progress = NULL, updated_at = now()
       WHERE uuid = :uuid AND state = :pending RETURNING id`,
      {
        type: QueryTypes.SELECT,
        replacements: { processing: RunnerJobState.PROCESSING, pending: RunnerJobState.PENDING, jobToken, runnerId: runner.id, uuid },
      },
    );
    if (rows.length === 0) {
      await this.findByUuid(uuid);
      throw badRequest(ErrorCode.RUNNER_JOB_NOT_IN_PENDING_STATE, 'This job is not in pending state anymore');
    }
    const job = await this.loadForView({ id: rows[0].id });
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

  /** Progress + heartbeat. After success (COMPLETING/COMPLETED) it is a no-op, as in PeerTube. */
  async update(runner: RunnerModel, uuid: string, jobToken: string, progress: number | undefined, hasPayload: boolean): Promise<void> {
    const job = await this.findHeld(runner, uuid, jobToken);
    if (job.state === RunnerJobState.COMPLETING || job.state === RunnerJobState.COMPLETED) return;
    if (job.state !== RunnerJobState.PROCESSING) throw notProcessing();
    if (hasPayload && job.type !== 'live-rtmp-hls-transcoding') {
      throw badRequest(ErrorCode.INVALID_PARAMS, 'Only live jobs send a payload with update');
    }
    const [n] = await RunnerJobModel.update(
      // updatedAt is the heartbeat the stall watchdog reads; bump it even without progress.
      { progress: progress ?? job.progress, updatedAt: new Date() },
      { where: { id: job.id, state: RunnerJobState.PROCESSING, processingJobToken: jobToken }, silent: false },
    );
    if (!n) throw notProcessing();
  }

  /** The runner gives up (shutdown): back to PENDING without counting a failure; live jobs error. */
  async abort(runner: RunnerModel, uuid: string, jobToken: string, reason: string): Promise<void> {
    const job = await this.findHeld(runner, uuid, jobToken);
    if (job.state !== RunnerJobState.PROCESSING) throw notProcessing();
    if (!isAbortableRunnerJobType(job.type)) {
      await this.fail(job, jobToken, 'Job has been aborted but it is not supported by this job type', true);
      return;
    }
    if (await this.resetToPending(job.id, jobToken)) {
      logger.info({ job: job.uuid, reason }, 'runner job aborted, back to pending');
    } else {
      throw notProcessing();
    }
  }

  /** A failure report: retried (PENDING) while failures < max_failures, then ERRORED for good. */
  async error(runner: RunnerModel, uuid: string, jobToken: string, message: string): Promise<void> {
    const job = await this.findHeld(runner, uuid, jobToken);
    if (job.state !== RunnerJobState.PROCESSING) throw notProcessing();
    await this.fail(job, jobToken, message, !isAbortableRunnerJobType(job.type));
  }

  private async fail(job: RunnerJobModel, jobToken: string, message: string, final: boolean): Promise<void> {
    const rows = await this.sequelize.query<{ state: RunnerJobState; failures: number }>(
      `UPDATE runner_job SET failures = failures + 1, error = :message, progress = NULL, updated_at = now(),
         state = CASE WHEN :final OR failures + 1 >= :max THEN ${RunnerJobState.ERRORED} ELSE ${RunnerJobState.PENDING} END,
         finished_at = CASE WHEN :final OR failures + 1 >= :max THEN now() ELSE NULL END,
         started_at = CASE WHEN :final OR failures + 1 >= :max THEN started_at ELSE NULL END,
         runner_id = CASE WHEN :final OR failures + 1 >= :max THEN runner_id ELSE NULL END,
         processing_job_token = NULL
       WHERE id = :id AND state = ${RunnerJobState.PROCESSING} AND processing_job_token = :jobToken
       RETURNING state, failures`,
      {
        type: QueryTypes.SELECT,
        replacements: { message: message.slice(0, 5000), final, max: this.config.runners.max_failures, id: job.id, jobToken },
      },
    );
    if (rows.length === 0) throw notProcessing();
    if (rows[0].state === RunnerJobState.PENDING) {
      logger.info({ job: job.uuid, failures: rows[0].failures, message }, 'runner job failed, retrying');
      this.socket.notifyAvailableJobs();
      return;
    }
    logger.warn({ job: job.uuid, failures: rows[0].failures, message }, 'runner job errored');
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

    const [n] = await RunnerJobModel.update(
      { state: RunnerJobState.COMPLETING },
      { where: { id: job.id, state: RunnerJobState.PROCESSING, processingJobToken: jobToken } },
    );
    if (!n) throw notProcessing('This job is not in processing state anymore');

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
    try {
      await handler.complete(job, files);
    } catch (err) {
      const message = (err as Error).message || 'Completion failed';
      logger.error({ err, job: job.uuid }, 'runner job completion failed');
      await RunnerJobModel.update(
        { state: RunnerJobState.ERRORED, error: message.slice(0, 5000), progress: null, finishedAt: new Date() },
        { where: { id: job.id } },
      );
      await this.afterFinalError(job, message);
      return;
    }
    await RunnerJobModel.update(
      { state: RunnerJobState.COMPLETED, progress: null, finishedAt: new Date() },
      { where: { id: job.id } },
    );
    const [released] = await RunnerJobModel.update(
      { state: RunnerJobState.PENDING },
      { where: { dependsOnRunnerJobId: job.id, state: RunnerJobState.WAITING_FOR_PARENT_JOB } },
    );
    if (released) this.socket.notifyAvailableJobs();
  }

  // --- admin ----------------------------------------------------------------------------------

  /** PENDING/PROCESSING/WAITING → CANCELLED; children (recursively) → PARENT_CANCELLED. */
  async cancel(uuid: string): Promise<void> {
    const job = await this.findByUuid(uuid);
    const [, rows] = await RunnerJobModel.update(
      { state: RunnerJobState.CANCELLED, processingJobToken: null, progress: null, finishedAt: new Date() },
      { where: { id: job.id, state: [...RUNNER_JOB_CANCELLABLE_STATES] }, returning: true },
    );
    if (!rows.length) throw badRequest(ErrorCode.BAD_REQUEST, 'This job cannot be cancelled in its current state');
    await this.markDescendants(job.id, RunnerJobState.PARENT_CANCELLED, null);
    await this.handlers.get(job.type)?.onCancel?.(rows[0]).catch((err: Error) => logger.error({ err, job: uuid }, 'cancel handler failed'));
  }

  async delete(uuid: string): Promise<void> {
    const job = await this.findByUuid(uuid);
    if ((RUNNER_JOB_CANCELLABLE_STATES as readonly number[]).includes(job.state)) {
      await this.cancel(uuid).catch(() => undefined);
    }
    await RunnerJobModel.destroy({ where: { id: job.id } });
  }

  /** Unfinished jobs of a deleted video go away (no runner should work on it any more). */
  async deleteForVideo(videoUUID: string): Promise<void> {
    await this.sequelize.query(`DELETE FROM runner_job WHERE video_uuid = :videoUUID`, { replacements: { videoUUID } });
  }

  // --- watchdog -------------------------------------------------------------------------------

  /**
   * Jobs whose runner stopped reporting: VOD ones go back to PENDING (no failure counted), live
   * ones error (a live session cannot move to another runner). Returns how many moved.
   * `since`: silence counts from then at the earliest — when this server began sweeping: while it
   * was down (a restart) no runner could report, and a job must not be taken back for that.
   */
  async sweepStalled(since: Date): Promise<number> {
    const { vod, live } = this.config.runners.stalled_jobs;
    const heardSince = `GREATEST(updated_at, :since)`;
    const candidates = await this.sequelize.query<{ id: number; uuid: string; runner_id: number | null; silent_ms: number }>(
      `SELECT id, uuid, runner_id, EXTRACT(EPOCH FROM (now() - ${heardSince})) * 1000 AS silent_ms FROM runner_job
       WHERE state = ${RunnerJobState.PROCESSING} AND type <> 'live-rtmp-hls-transcoding'
         AND ${heardSince} < now() - make_interval(secs => :secs)`,
      { type: QueryTypes.SELECT, replacements: { secs: vod / 1000, since } },
    );
    // A runner still connected to the socket is alive: it gets PeerTube's window (its official
    // runner reports once a minute), not the short one meant to catch dead runners quickly.
    const connected = await this.socket.connectedAnywhere(candidates.map((c) => c.runner_id).filter((id): id is number => id !== null));
    const connectedWindow = Math.max(vod, RUNNER_PROTOCOL.STALLED_VOD_JOB_MS);
    const stalled = candidates.filter((c) => !(c.runner_id !== null && connected.has(c.runner_id) && Number(c.silent_ms) < connectedWindow));
    const reset = stalled.length
      ? await this.sequelize.query<{ uuid: string }>(
          `UPDATE runner_job SET state = ${RunnerJobState.PENDING}, processing_job_token = NULL, progress = NULL,
             started_at = NULL, runner_id = NULL, updated_at = now()
           WHERE id IN (:ids) AND state = ${RunnerJobState.PROCESSING} AND ${heardSince} < now() - make_interval(secs => :secs)
           RETURNING uuid`,
          { type: QueryTypes.SELECT, replacements: { ids: stalled.map((c) => c.id), secs: vod / 1000, since } },
        )
      : [];
    // A success whose completion never ended (the server died mid-way): the upload is gone, redo it.
    const orphans = await this.sequelize.query<{ uuid: string }>(
      `UPDATE runner_job SET state = ${RunnerJobState.PENDING}, processing_job_token = NULL, progress = NULL,
         started_at = NULL, runner_id = NULL, updated_at = now()
       WHERE state = ${RunnerJobState.COMPLETING} AND updated_at < now() - make_interval(secs => :secs)
       RETURNING uuid`,
      { type: QueryTypes.SELECT, replacements: { secs: COMPLETING_TIMEOUT_MS / 1000 } },
    );
    reset.push(...orphans);
    if (reset.length) {
      logger.warn({ jobs: reset.map((r) => r.uuid) }, 'stalled runner jobs back to pending');
      this.socket.notifyAvailableJobs();
    }
    const liveIds = await this.sequelize.query<{ id: number }>(
      `SELECT id FROM runner_job WHERE state = ${RunnerJobState.PROCESSING} AND type = 'live-rtmp-hls-transcoding'
         AND ${heardSince} < now() - make_interval(secs => :secs)`,
      { type: QueryTypes.SELECT, replacements: { secs: live / 1000, since } },
    );
    const errored = liveIds.length ? await RunnerJobModel.findAll({ where: { id: liveIds.map((r) => r.id) } }) : [];
    for (const job of errored) {
      if (job.processingJobToken) await this.fail(job, job.processingJobToken, 'Stalled runner job', true).catch(() => undefined);
    }
    return reset.length + errored.length;
  }

  // --- helpers --------------------------------------------------------------------------------

  async findByUuid(uuid: string): Promise<RunnerJobModel> {
    const job = /^[0-9a-f-]{36}$/i.test(uuid) ? await RunnerJobModel.findOne({ where: { uuid } }) : null;
    if (!job) throw notFound('Unknown runner job', ErrorCode.RUNNER_JOB_NOT_FOUND);
    return job;
  }

  loadForView(where: { id: number } | { uuid: string }): Promise<RunnerJobModel | null> {
    return RunnerJobModel.findOne({
      where,
      include: [
        { model: RunnerModel, required: false },
        { model: RunnerJobModel, as: 'Parent', required: false },
      ],
    });
  }

  private async resetToPending(id: number, jobToken: string): Promise<boolean> {
    const [n] = await RunnerJobModel.update(
      { state: RunnerJobState.PENDING, processingJobToken: null, progress: null, startedAt: null, runnerId: null },
      { where: { id, state: RunnerJobState.PROCESSING, processingJobToken: jobToken } },
    );
    if (n) this.socket.notifyAvailableJobs();
    return n > 0;
  }

  private async afterFinalError(job: RunnerJobModel, message: string): Promise<void> {
    await this.markDescendants(job.id, RunnerJobState.PARENT_ERRORED, 'Parent error');
    const handler = this.handlers.get(job.type);
    await handler?.onFinalError?.(job, message).catch((err: Error) => logger.error({ err, job: job.uuid }, 'final error handler failed'));
  }

  /** Every unfinished descendant of a job (children, their children…) to `state`. */
  private async markDescendants(id: number, state: RunnerJobState, error: string | null): Promise<void> {
    await this.sequelize.query(
      `WITH RECURSIVE d AS (
         SELECT id FROM runner_job WHERE depends_on_runner_job_id = :id
         UNION SELECT j.id FROM runner_job j JOIN d ON j.depends_on_runner_job_id = d.id
       )
       UPDATE runner_job SET state = :state, error = COALESCE(:error, error), processing_job_token = NULL,
         finished_at = now(), updated_at = now()
       WHERE id IN (SELECT id FROM d) AND state NOT IN (${FINISHED})`,
      { replacements: { id, state, error } },
    );
  }

  /** How many of a video's jobs are in one of `states`, `exceptId` aside (the transcoding module's bookkeeping). */
  async countForVideo(videoUUID: string, states: readonly RunnerJobState[], exceptId?: number, transaction?: Transaction): Promise<number> {
    const [row] = await this.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM runner_job WHERE video_uuid = :videoUUID AND state IN (:states) AND id <> :exceptId`,
      { type: QueryTypes.SELECT, transaction, replacements: { videoUUID, states: [...states], exceptId: exceptId ?? 0 } },
    );
    return Number(row?.n ?? 0);
  }
}
