import { Inject, Injectable } from '@nestjs/common';
import { logger } from '../../common/logger';
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
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import type { RunnerModel, RunnerRegistrationTokenModel } from './runner.model';
import { RunnerRepository } from './runner.repository';

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

/**
 * The embedded runner's registration token starts with this (generated tokens are the prefix and a
 * UUID, so no other token can): it is marked in the list and cannot be deleted, since deleting it
 * would delete the embedded runner with it and stop all transcoding.
 */
export const EMBEDDED_TOKEN_PREFIX = `${RUNNER_PROTOCOL.REGISTRATION_TOKEN_PREFIX}embedded-`;
const isEmbeddedToken = (token: string) => token.startsWith(EMBEDDED_TOKEN_PREFIX);

/** Registration tokens and registered runners (PeerTube's `/api/v1/runners` admin + register). */
@Injectable()
export class RunnersService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly repo: RunnerRepository,
  ) {}

  async generateRegistrationToken(): Promise<RunnerRegistrationTokenModel> {
    return this.repo.createRegistrationToken(RUNNER_PROTOCOL.REGISTRATION_TOKEN_PREFIX + randomUUID());
  }

  /**
   * The server's own runner `name` (the embedded runner): the one registered with a token of its
   * own (`<prefix><name>-…`), or a new one. It is found by that token, never by name alone: a remote
   * runner registered under the same name must not become it (it would share its runner token and
   * pass for it). Such a name clash gives the new runner a suffixed name.
   */
  async ensureRunner(name: string, description: string, ip: string): Promise<RunnerModel> {
    const prefix = `${RUNNER_PROTOCOL.REGISTRATION_TOKEN_PREFIX}${name}-`;
    const existing = await this.repo.findByRegistrationTokenPrefix(prefix);
    if (existing) return existing;
    const taken = await this.repo.findByName(name);
    const own = taken ? `${name}-${randomUUID().slice(0, 8)}` : name;
    if (taken) logger.warn({ name, runner: own }, 'a remote runner holds the embedded runner\'s name: the embedded runner is registered under another');
    const token = await this.repo.createRegistrationToken(`${prefix}${Date.now()}`);
    const created = await this.createRunner({ name: own, description, registrationTokenId: token.id, ip });
    return (await this.repo.findByToken(created.runnerToken))!;
  }

  async listRegistrationTokens(q: ListQuery): Promise<ResultList<RunnerRegistrationTokenAdmin>> {
    const { rows, count } = await this.repo.listRegistrationTokens({ offset: q.start, limit: q.count, order: sortOrder(q.sort, ['createdAt', 'id']) });
    const counts = await this.repo.countRunnersByToken(rows.map((r) => r.id));
    return {
      total: count,
      data: rows.map((t) => ({
        id: t.id,
        registrationToken: t.registrationToken,
        createdAt: iso(t.createdAt)!,
        updatedAt: iso(t.updatedAt)!,
        registeredRunnersCount: counts.get(t.id) ?? 0,
        embedded: isEmbeddedToken(t.registrationToken),
      })),
    };
  }

  /** Removes the token and, by cascade, the runners registered with it. */
  async deleteRegistrationToken(id: number): Promise<void> {
    const token = await this.repo.findRegistrationTokenById(id);
    if (token && isEmbeddedToken(token.registrationToken)) {
      throw new AppError(409, ErrorCode.RUNNER_REGISTRATION_TOKEN_EMBEDDED, "This is the embedded runner's token: deleting it would stop transcoding on this server (turn runners.embedded off instead)");
    }
    if (!(await this.repo.deleteRegistrationToken(id))) throw notFound('Registration token not found', ErrorCode.RUNNER_REGISTRATION_TOKEN_INVALID);
  }

  async register(body: RegisterRunnerBody, ip: string): Promise<RegisterRunnerResult> {
    const token = await this.repo.findRegistrationToken(body.registrationToken);
    if (!token) throw notFound('Registration token is invalid', ErrorCode.RUNNER_REGISTRATION_TOKEN_INVALID);
    // A runner registered with it would be taken for the embedded runner (given the lives kept for
    // it, and never deletable): the embedded runner gets its row without registering.
    if (isEmbeddedToken(token.registrationToken)) {
      throw notFound("This is the embedded runner's registration token: generate another one for a remote runner", ErrorCode.RUNNER_REGISTRATION_TOKEN_INVALID);
    }
    return this.createRunner({ ...body, registrationTokenId: token.id, ip });
  }

  /** Also used by the embedded runner, which registers itself without going through HTTP. */
  async createRunner(o: { name: string; description?: string; version?: string; registrationTokenId: number; ip: string }) {
    try {
      const runner = await this.repo.create({
        runnerToken: RUNNER_PROTOCOL.RUNNER_TOKEN_PREFIX + randomUUID(),
        name: o.name,
        description: o.description ?? null,
        version: o.version ?? null,
        ip: o.ip,
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
    await this.repo.delete(runner.id);
  }

  /**
   * The runner behind a token, or 404 `unknown_runner_token` (the official runner then forgets
   * this instance). Refreshes lastContact/ip/version (one UPDATE, no read-back) at most every 30 s,
   * or a quarter of the VOD stall window when shorter: lastContact is a sign of life for the jobs
   * the runner holds, and must stay well inside the window.
   */
  async authenticate(runnerToken: string, ip: string, version?: string): Promise<RunnerModel> {
    const runner = await this.repo.findByToken(runnerToken);
    if (!runner) throw notFound('Unknown runner token', ErrorCode.UNKNOWN_RUNNER_TOKEN);
    const every = Math.min(RUNNER_PROTOCOL.LAST_CONTACT_UPDATE_INTERVAL_MS, this.config.runners.stalled_jobs.vod / 4);
    const stale = Date.now() - runner.lastContact.getTime() > every;
    const newVersion = version !== undefined && version !== runner.version;
    if (stale || runner.ip !== ip || newVersion) await this.repo.touch(runner.id, ip, newVersion ? version : undefined);
    return runner;
  }

  /** Whether this runner (as `authenticate` loads it) is the embedded runner: registered with its token. */
  isEmbedded(runner: RunnerModel): boolean {
    const token = runner.RunnerRegistrationToken;
    if (!token) throw new Error(`runner ${runner.id} loaded without its registration token`);
    return isEmbeddedToken(token.registrationToken);
  }

  /** The runner behind a token without touching lastContact (the socket's handshake), or null. */
  async findByToken(runnerToken: string): Promise<{ id: number; name: string } | null> {
    const runner = await this.repo.findByToken(runnerToken);
    return runner ? { id: runner.id, name: runner.name } : null;
  }

  async listRunners(q: ListQuery): Promise<ResultList<RunnerAdmin>> {
    const { rows, count } = await this.repo.list({ offset: q.start, limit: q.count, order: sortOrder(q.sort, ['createdAt', 'id', 'name', 'lastContact']) });
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
    const runner = await this.repo.findById(id);
    const token = runner ? await this.repo.findRegistrationTokenById(runner.runnerRegistrationTokenId) : null;
    if (token && isEmbeddedToken(token.registrationToken)) {
      throw new AppError(409, ErrorCode.RUNNER_REGISTRATION_TOKEN_EMBEDDED, 'This is the embedded runner: deleting it would stop transcoding on this server (turn runners.embedded off instead)');
    }
    if (!(await this.repo.delete(id))) throw notFound('Runner not found', ErrorCode.RUNNER_NOT_FOUND);
  }
}
