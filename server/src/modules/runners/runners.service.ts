import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { UniqueConstraintError, type Order } from 'sequelize';
import {
  ErrorCode,
  RUNNER_PROTOCOL,
  type RegisterRunnerBody,
  type RegisterRunnerResult,
  type ResultList,
  type RunnerAdmin,
  type RunnerRegistrationTokenAdmin,
} from '@flotilla/shared';
import { AppError, notFound } from '../../common/app-error';
import { RunnerModel, RunnerRegistrationTokenModel } from './runner.model';

export interface ListQuery {
  start: number;
  count: number;
  sort?: string;
}

/** `createdAt` / `-createdAt` → sequelize order, restricted to the given columns. */
export function sortOrder(sort: string | undefined, allowed: readonly string[], fallback = '-createdAt'): Order {
  const s = sort && allowed.includes(sort.replace(/^-/, '')) ? sort : fallback;
  const desc = s.startsWith('-');
  return [[s.replace(/^-/, ''), desc ? 'DESC' : 'ASC'], ['id', desc ? 'DESC' : 'ASC']];
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** Registration tokens and registered runners (PeerTube's `/api/v1/runners` admin + register). */
@Injectable()
export class RunnersService {
  async generateRegistrationToken(): Promise<RunnerRegistrationTokenModel> {
    return RunnerRegistrationTokenModel.create({ registrationToken: RUNNER_PROTOCOL.REGISTRATION_TOKEN_PREFIX + randomUUID() });
  }

  async listRegistrationTokens(q: ListQuery): Promise<ResultList<RunnerRegistrationTokenAdmin>> {
    const { rows, count } = await RunnerRegistrationTokenModel.findAndCountAll({
      offset: q.start,
      limit: q.count,
      order: sortOrder(q.sort, ['createdAt', 'id']),
    });
    const counts = new Map<number, number>();
    if (rows.length) {
      const grouped = (await RunnerModel.count({
        where: { runnerRegistrationTokenId: rows.map((r) => r.id) },
        group: ['runnerRegistrationTokenId'],
      })) as unknown as { runnerRegistrationTokenId: number; count: number }[];
      for (const g of grouped) counts.set(g.runnerRegistrationTokenId, Number(g.count));
    }
    return {
      total: count,
      data: rows.map((t) => ({
        id: t.id,
        registrationToken: t.registrationToken,
        createdAt: iso(t.createdAt)!,
        updatedAt: iso(t.updatedAt)!,
        registeredRunnersCount: counts.get(t.id) ?? 0,
      })),
    };
  }

  /** Removes the token and, by cascade, the runners registered with it. */
  async deleteRegistrationToken(id: number): Promise<void> {
    const n = await RunnerRegistrationTokenModel.destroy({ where: { id } });
    if (!n) throw notFound('Registration token not found', ErrorCode.RUNNER_REGISTRATION_TOKEN_INVALID);
  }

  async register(body: RegisterRunnerBody, ip: string): Promise<RegisterRunnerResult> {
    const token = await RunnerRegistrationTokenModel.findOne({ where: { registrationToken: body.registrationToken } });
    if (!token) throw notFound('Registration token is invalid', ErrorCode.RUNNER_REGISTRATION_TOKEN_INVALID);
    return this.createRunner({ ...body, registrationTokenId: token.id, ip });
  }

  /** Also used by the embedded runner, which registers itself without going through HTTP. */
  async createRunner(o: { name: string; description?: string; version?: string; registrationTokenId: number; ip: string }) {
    try {
      const runner = await RunnerModel.create({
        runnerToken: RUNNER_PROTOCOL.RUNNER_TOKEN_PREFIX + randomUUID(),
        name: o.name,
        description: o.description ?? null,
        version: o.version ?? null,
        ip: o.ip,
        lastContact: new Date(),
        runnerRegistrationTokenId: o.registrationTokenId,
      });
      return { id: runner.id, runnerToken: runner.runnerToken };
    } catch (err) {
      if (err instanceof UniqueConstraintError) {
        throw new AppError(400, ErrorCode.RUNNER_NAME_TAKEN, 'This runner name already exists on this instance');
      }
      throw err;
    }
  }

  async unregister(runner: RunnerModel): Promise<void> {
    await runner.destroy();
  }

  /**
   * The runner behind a token, or 404 `unknown_runner_token` (the official runner then forgets
   * this instance). Refreshes lastContact/ip/version at most every 30 s (one UPDATE, no read-back).
   */
  async authenticate(runnerToken: string, ip: string, version?: string): Promise<RunnerModel> {
    const runner = await RunnerModel.findOne({ where: { runnerToken } });
    if (!runner) throw notFound('Unknown runner token', ErrorCode.UNKNOWN_RUNNER_TOKEN);
    const stale = Date.now() - runner.lastContact.getTime() > RUNNER_PROTOCOL.LAST_CONTACT_UPDATE_INTERVAL_MS;
    const newVersion = version !== undefined && version !== runner.version;
    if (stale || runner.ip !== ip || newVersion) {
      await RunnerModel.update(
        { lastContact: new Date(), ip, ...(newVersion ? { version } : {}) },
        { where: { id: runner.id } },
      );
    }
    return runner;
  }

  async listRunners(q: ListQuery): Promise<ResultList<RunnerAdmin>> {
    const { rows, count } = await RunnerModel.findAndCountAll({
      offset: q.start,
      limit: q.count,
      order: sortOrder(q.sort, ['createdAt', 'id', 'name', 'lastContact']),
    });
    return {
      total: count,
      data: rows.map((r) => ({
        id: r.id,
        name: r.name,
        description: r.description,
        ip: r.ip,
        lastContact: iso(r.lastContact)!,
        version: r.version,
        createdAt: iso(r.createdAt)!,
        updatedAt: iso(r.updatedAt)!,
      })),
    };
  }

  async deleteRunner(id: number): Promise<void> {
    const n = await RunnerModel.destroy({ where: { id } });
    if (!n) throw notFound('Runner not found', ErrorCode.RUNNER_NOT_FOUND);
  }
}
