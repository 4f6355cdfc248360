import { Inject, Injectable } from '@nestjs/common';
import { Op, QueryTypes, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { RunnerJobState, type ListRunnerJobsQuery } from '@flotilla/shared';
import { SEQUELIZE } from '../../common/tokens';
import { RUNNER_JOB_FINISHED, RUNNER_JOB_TRANSITIONS as T } from './runner-job-transitions';
import { RunnerJobModel, RunnerModel } from './runner.model';
import { sortOrder } from './runners.service';

export interface NewRunnerJobRow {
  uuid: string;
  type: string;
  payload: unknown;
  privatePayload: unknown;
  state: RunnerJobState;
  priority: number;
  dependsOnRunnerJobId: number | null;
  videoUUID: string | null;
  resolution: number | null;
  embeddedOnly: boolean;
}

/** Who lists pending jobs: the embedded runner or another; and the types offered before any other. */
export interface PendingQuery {
  types: string[] | null;
  limit: number;
  embedded: boolean;
  firstTypes: string[];
}

export interface SilentRunnerJob {
  id: number;
  uuid: string;
  type: RunnerJobModel['type'];
  runnerId: number | null;
  silentMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The last sign of life of a processing job: its own `update` (updated_at), or any call of the
 * runner holding it (runner.last_contact), and never before `:since` (a server restart).
 */
const HEARD = `GREATEST(runner_job.updated_at, COALESCE((SELECT r.last_contact FROM runner r WHERE r.id = runner_job.runner_id), runner_job.updated_at), :since)`;

/** Back to PENDING as if never taken. */
const RESET = `state = ${RunnerJobState.PENDING}, processing_job_token = NULL, progress = NULL, started_at = NULL, runner_id = NULL, updated_at = now()`;

/**
 * Every query on `runner_job`. Each state change is one conditional UPDATE whose `WHERE state …`
 * comes from the transition table; a `false`/`null` answer means another runner, process or admin
 * moved the job first.
 */
@Injectable()
export class RunnerJobRepository {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  /** ON CONFLICT without a target also covers the partial unique index on the rung: null then. */
  async insert(row: NewRunnerJobRow, transaction?: Transaction): Promise<number | null> {
    const rows = await this.sequelize.query<{ id: number }>(
      `INSERT INTO runner_job (uuid, type, payload, private_payload, state, priority, depends_on_runner_job_id, video_uuid, resolution, embedded_only)
       VALUES (:uuid, :type, :payload, :privatePayload, :state, :priority, :parent, :videoUUID, :resolution, :embeddedOnly)
       ON CONFLICT DO NOTHING RETURNING id`,
      {
        type: QueryTypes.SELECT,
        transaction,
        replacements: {
          ...row,
          payload: JSON.stringify(row.payload),
          privatePayload: JSON.stringify(row.privatePayload),
          parent: row.dependsOnRunnerJobId,
        },
      },
    );
    return rows[0]?.id ?? null;
  }

  findById(id: number, transaction?: Transaction): Promise<RunnerJobModel | null> {
    return RunnerJobModel.findByPk(id, { transaction });
  }

  findByUuid(uuid: string): Promise<RunnerJobModel | null> {
    return RunnerJobModel.findOne({ where: { uuid } });
  }

  findByIds(ids: number[]): Promise<RunnerJobModel[]> {
    return ids.length ? RunnerJobModel.findAll({ where: { id: ids } }) : Promise.resolve([]);
  }

  /** With its runner and parent, as the accept answer and admin list show them. */
  findForView(where: { id: number } | { uuid: string }): Promise<RunnerJobModel | null> {
    return RunnerJobModel.findOne({ where, include: this.viewIncludes() });
  }

  /** `firstTypes` come before any other type, then priority, then age. */
  listPending(q: PendingQuery): Promise<{ uuid: string; type: string; payload: unknown }[]> {
    return this.sequelize.query(
      `SELECT uuid, type, payload FROM runner_job
       WHERE state IN (:from) ${q.types ? 'AND type IN (:types)' : ''} ${q.embedded ? '' : 'AND NOT embedded_only'}
       ORDER BY ${q.firstTypes.length ? 'type IN (:firstTypes) DESC,' : ''} priority ASC, id ASC LIMIT :limit`,
      { type: QueryTypes.SELECT, replacements: { from: T.accept.from, ...q } },
    );
  }

  /** Null when the job is not pending, or is the embedded runner's only and `embedded` is false. */
  async accept(uuid: string, runnerId: number, jobToken: string, embedded: boolean): Promise<number | null> {
    const rows = await this.sequelize.query<{ id: number }>(
      `UPDATE runner_job SET state = :to, processing_job_token = :jobToken, runner_id = :runnerId,
         started_at = now(), progress = NULL, updated_at = now()
       WHERE uuid = :uuid AND state IN (:from) ${embedded ? '' : 'AND NOT embedded_only'} RETURNING id`,
      { type: QueryTypes.SELECT, replacements: { to: T.accept.to, from: T.accept.from, jobToken, runnerId, uuid } },
    );
    return rows[0]?.id ?? null;
  }

  /** updated_at is the heartbeat the stall sweep reads: bumped even without progress. */
  async heartbeat(id: number, jobToken: string, progress: number | null): Promise<boolean> {
    const [n] = await RunnerJobModel.update(
      { progress, updatedAt: new Date() },
      { where: { id, state: [...T.heartbeat.from], processingJobToken: jobToken }, silent: false },
    );
    return n > 0;
  }

  async abortToPending(id: number, jobToken: string): Promise<boolean> {
    const [n] = await RunnerJobModel.update(
      { state: T.abort.to, processingJobToken: null, progress: null, startedAt: null, runnerId: null },
      { where: { id, state: [...T.abort.from], processingJobToken: jobToken } },
    );
    return n > 0;
  }

  /** One more failure: PENDING again, or ERRORED when `final` or the failure limit is reached. */
  async fail(id: number, jobToken: string, message: string, final: boolean, maxFailures: number): Promise<{ state: RunnerJobState; failures: number } | null> {
    const over = `(:final OR failures + 1 >= :max)`;
    const rows = await this.sequelize.query<{ state: RunnerJobState; failures: number }>(
      `UPDATE runner_job SET failures = failures + 1, error = :message, progress = NULL, updated_at = now(),
         state = CASE WHEN ${over} THEN ${RunnerJobState.ERRORED} ELSE ${RunnerJobState.PENDING} END,
         finished_at = CASE WHEN ${over} THEN now() ELSE NULL END,
         started_at = CASE WHEN ${over} THEN started_at ELSE NULL END,
         runner_id = CASE WHEN ${over} THEN runner_id ELSE NULL END,
         processing_job_token = NULL
       WHERE id = :id AND state IN (:from) AND processing_job_token = :jobToken
       RETURNING state, failures`,
      { type: QueryTypes.SELECT, replacements: { message: message.slice(0, 5000), final, max: maxFailures, id, jobToken, from: T.fail.from } },
    );
    return rows[0] ?? null;
  }

  async toCompleting(id: number, jobToken: string): Promise<boolean> {
    const [n] = await RunnerJobModel.update({ state: T.success.to }, { where: { id, state: [...T.success.from], processingJobToken: jobToken } });
    return n > 0;
  }

  /** The completing process's lease: bumped while it stores the result (resetOrphanedCompletions reads it). */
  async touchCompletion(id: number): Promise<boolean> {
    const [n] = await RunnerJobModel.update({ updatedAt: new Date() }, { where: { id, state: [...T.orphanedCompletion.from] }, silent: false });
    return n > 0;
  }

  async finishCompletion(id: number, outcome: { error: string } | null): Promise<void> {
    const values = outcome
      ? { state: RunnerJobState.ERRORED, error: outcome.error.slice(0, 5000), progress: null, finishedAt: new Date() }
      : { state: RunnerJobState.COMPLETED, progress: null, finishedAt: new Date() };
    await RunnerJobModel.update(values, { where: { id, state: [...T.complete.from] } });
  }

  /** Children waiting for this parent become PENDING; how many did. */
  async releaseChildren(parentId: number): Promise<number> {
    const [n] = await RunnerJobModel.update({ state: T.release.to }, { where: { dependsOnRunnerJobId: parentId, state: [...T.release.from] } });
    return n;
  }

  async cancel(id: number): Promise<RunnerJobModel | null> {
    const [, rows] = await RunnerJobModel.update(
      { state: T.cancel.to, processingJobToken: null, progress: null, finishedAt: new Date() },
      { where: { id, state: [...T.cancel.from] }, returning: true },
    );
    return rows[0] ?? null;
  }

  async destroy(id: number): Promise<void> {
    await RunnerJobModel.destroy({ where: { id } });
  }

  async deleteForVideo(videoUUID: string): Promise<void> {
    await this.sequelize.query(`DELETE FROM runner_job WHERE video_uuid = :videoUUID`, { replacements: { videoUUID } });
  }

  /** Every unfinished descendant of a job (children, their children…) to `state`. */
  async markDescendants(id: number, state: RunnerJobState, error: string | null): Promise<void> {
    await this.sequelize.query(
      `WITH RECURSIVE d AS (
         SELECT id FROM runner_job WHERE depends_on_runner_job_id = :id
         UNION SELECT j.id FROM runner_job j JOIN d ON j.depends_on_runner_job_id = d.id
       )
       UPDATE runner_job SET state = :state, error = COALESCE(:error, error), processing_job_token = NULL,
         finished_at = now(), updated_at = now()
       WHERE id IN (SELECT id FROM d) AND state NOT IN (:finished)`,
      { replacements: { id, state, error, finished: RUNNER_JOB_FINISHED } },
    );
  }

  /** Processing jobs not heard of (job update or any runner call) for at least `minMs`. */
  async findSilent(since: Date, minMs: number): Promise<SilentRunnerJob[]> {
    const rows = await this.sequelize.query<{ id: number; uuid: string; type: SilentRunnerJob['type']; runner_id: number | null; silent_ms: number }>(
      `SELECT id, uuid, type, runner_id, EXTRACT(EPOCH FROM (now() - ${HEARD})) * 1000 AS silent_ms FROM runner_job
       WHERE state IN (:from) AND ${HEARD} < now() - make_interval(secs => :secs)`,
      { type: QueryTypes.SELECT, replacements: { from: T.stalled.from, since, secs: minMs / 1000 } },
    );
    return rows.map((r) => ({ id: r.id, uuid: r.uuid, type: r.type, runnerId: r.runner_id, silentMs: Number(r.silent_ms) }));
  }

  /** Those of `ids` still silent for `windowMs` go back to PENDING (checked again in the UPDATE). */
  async resetSilent(ids: number[], since: Date, windowMs: number): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.sequelize.query<{ uuid: string }>(
      `UPDATE runner_job SET ${RESET}
       WHERE id IN (:ids) AND state IN (:from) AND ${HEARD} < now() - make_interval(secs => :secs) RETURNING uuid`,
      { type: QueryTypes.SELECT, replacements: { ids, from: T.stalled.from, since, secs: windowMs / 1000 } },
    );
    return rows.map((r) => r.uuid);
  }

  /** A success whose completion never ended (the server died mid-way): the upload is gone, redo it. */
  async resetOrphanedCompletions(olderThanMs: number): Promise<string[]> {
    const rows = await this.sequelize.query<{ uuid: string }>(
      `UPDATE runner_job SET ${RESET}
       WHERE state IN (:from) AND updated_at < now() - make_interval(secs => :secs) RETURNING uuid`,
      { type: QueryTypes.SELECT, replacements: { from: T.orphanedCompletion.from, secs: olderThanMs / 1000 } },
    );
    return rows.map((r) => r.uuid);
  }

  /** Jobs no runner has taken yet, all videos (or one video). */
  async countPending(videoUUID?: string): Promise<number> {
    const [row] = await this.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM runner_job WHERE state = :pending ${videoUUID ? 'AND video_uuid = :videoUUID' : ''}`,
      { type: QueryTypes.SELECT, replacements: { pending: RunnerJobState.PENDING, videoUUID: videoUUID ?? null } },
    );
    return Number(row?.n ?? 0);
  }

  /** How many of a video's jobs are in one of `states`, `exceptId` aside. */
  async countForVideo(videoUUID: string, states: readonly RunnerJobState[], exceptId: number | null, transaction?: Transaction): Promise<number> {
    const [row] = await this.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM runner_job WHERE video_uuid = :videoUUID AND state IN (:states) AND id <> :exceptId`,
      { type: QueryTypes.SELECT, transaction, replacements: { videoUUID, states: [...states], exceptId: exceptId ?? -1 } },
    );
    return Number(row?.n ?? 0);
  }

  /** The admin list: filters by state, type, UUID (job or video) or text (type, runner name). */
  list(q: ListRunnerJobsQuery): Promise<{ rows: RunnerJobModel[]; count: number }> {
    const and: WhereOptions[] = [];
    if (q.stateOneOf?.length) and.push({ state: q.stateOneOf });
    if (q.typeOneOf?.length) and.push({ type: q.typeOneOf });
    if (q.search) {
      const like = `%${q.search.replace(/[\\%_]/g, '\\$&')}%`;
      and.push(
        UUID.test(q.search)
          ? { [Op.or]: [{ uuid: q.search }, { videoUuid: q.search }] }
          : { [Op.or]: [{ type: { [Op.iLike]: like } }, { '$Runner.name$': { [Op.iLike]: like } }] },
      );
    }
    return RunnerJobModel.findAndCountAll({
      where: and.length ? { [Op.and]: and } : {},
      include: this.viewIncludes(),
      offset: q.start,
      limit: q.count,
      order: sortOrder(q.sort, ['updatedAt', 'createdAt', 'priority', 'state', 'progress'], '-updatedAt'),
      subQuery: false,
      distinct: true,
    });
  }

  private viewIncludes() {
    return [
      { model: RunnerModel, required: false },
      { model: RunnerJobModel, as: 'Parent', required: false },
    ];
  }
}
