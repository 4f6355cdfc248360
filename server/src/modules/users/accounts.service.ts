import { Inject, Injectable } from '@nestjs/common';
import { col, fn, Op, where, type Transaction, type WhereOptions } from 'sequelize';
import { ErrorCode, type Account, type AccountSummary, type ResultList } from '@flotilla/shared';
import { notFound } from '../../common/app-error';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { parseHandle } from '../actors';
import { ActorsService } from '../actors/actors.service';
import type { AccountModel } from './account.model';
import { AccountRepository, type AccountRef } from './account.repository';

/** Where-clause on the included actor for a handle `name` or `name@host`. */
export function handleWhere(handle: string, localHost: string): { actor: WhereOptions; server: WhereOptions | null } {
  const { name, host } = parseHandle(handle, localHost);
  const nameMatch = where(fn('lower', col('Actor.preferred_username')), name.toLowerCase());
  return host === null
    ? { actor: { [Op.and]: [nameMatch, { serverId: null }] }, server: null }
    : { actor: nameMatch, server: { host } };
}

@Injectable()
export class AccountsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly actors: ActorsService,
    private readonly repo: AccountRepository,
  ) {}

  /** The account of a local user (every local user has one). */
  async accountOfUser(userId: number, transaction?: Transaction): Promise<AccountRef> {
    const ref = await this.repo.refOfUser(userId, transaction);
    if (!ref) throw notFound('This user has no account', ErrorCode.ACCOUNT_NOT_FOUND);
    return ref;
  }

  async findByHandle(handle: string): Promise<AccountModel> {
    const w = handleWhere(handle, this.config.webserverHost);
    const account = await this.repo.findByActor(w.actor, w.server);
    if (!account) throw notFound(`Account ${handle} not found`, ErrorCode.ACCOUNT_NOT_FOUND);
    return account;
  }

  async findById(id: number): Promise<AccountModel | null> {
    return this.repo.findById(id);
  }

  /** Several accounts in PeerTube's Account shape, by id (one query: comment pages name many authors). */
  async formatMany(ids: number[]): Promise<Map<number, Account>> {
    const rows = await this.repo.findManyByIds([...new Set(ids)]);
    return new Map(rows.map((a) => [a.id, this.format(a)]));
  }

  /** The local account named `name` (mentions); null when there is none. */
  async findLocalByName(name: string): Promise<AccountRef | null> {
    try {
      const a = await this.findByHandle(name);
      return a.Actor?.serverId === null ? { id: a.id, actorId: a.actorId } : null;
    } catch {
      return null;
    }
  }

  async list(start: number, count: number, sort: string | undefined): Promise<ResultList<Account>> {
    const order: [string, string] = sort === '-createdAt' ? ['createdAt', 'DESC'] : ['createdAt', 'ASC'];
    const { rows, count: total } = await this.repo.list(start, count, order);
    return { total, data: rows.map((a) => this.format(a)) };
  }

  /** The account of a remote Person/Application actor (federation), created or refreshed. */
  upsertRemote(actorId: number, name: string, description: string | null): Promise<AccountRef> {
    return this.repo.upsertRemote(actorId, name.slice(0, 255), description?.slice(0, 1000) ?? null);
  }

  refOfActor(actorId: number): Promise<AccountRef | null> {
    return this.repo.refOfActor(actorId);
  }

  format(account: AccountModel): Account {
    const actor = account.Actor!;
    return {
      id: account.id,
      ...this.actors.formatActorFields(actor),
      createdAt: account.createdAt.toISOString(),
      updatedAt: account.updatedAt.toISOString(),
      userId: account.userId,
      displayName: account.name,
      description: account.description,
    };
  }

  summary(account: AccountModel): AccountSummary {
    const f = this.actors.formatActorFields(account.Actor!);
    return { id: account.id, name: f.name, displayName: account.name, url: f.url, host: f.host, avatars: f.avatars };
  }
}
