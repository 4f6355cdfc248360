import { Injectable } from '@nestjs/common';
import type { Transaction, WhereOptions } from 'sequelize';
import { actorInclude } from '../actors';
import { AccountModel } from './account.model';

/** The ids a caller needs to act for a user's account (no model instance crosses modules). */
export interface AccountRef {
  id: number;
  actorId: number;
}

/** Every query on `account`. */
@Injectable()
export class AccountRepository {
  async refOfUser(userId: number, transaction?: Transaction): Promise<AccountRef | null> {
    const row = await AccountModel.findOne({ where: { userId }, attributes: ['id', 'actorId'], raw: true, transaction });
    return row ? { id: row.id, actorId: row.actorId } : null;
  }

  /** By a handle's where-clauses on the included actor (and its server). */
  findByActor(actorWhere: WhereOptions, serverWhere: WhereOptions | null): Promise<AccountModel | null> {
    return AccountModel.findOne({ include: [actorInclude({ where: actorWhere, serverWhere, withPublicKey: true })] });
  }

  findById(id: number): Promise<AccountModel | null> {
    return AccountModel.findByPk(id, { include: [actorInclude()] });
  }

  findManyByIds(ids: number[]): Promise<AccountModel[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return AccountModel.findAll({ where: { id: ids }, include: [actorInclude()] });
  }

  list(offset: number, limit: number, order: [string, string]): Promise<{ rows: AccountModel[]; count: number }> {
    return AccountModel.findAndCountAll({ include: [actorInclude()], order: [order], offset, limit, distinct: true });
  }

  /** A remote actor's account: created on first sight, its display name and description refreshed after. */
  async upsertRemote(actorId: number, name: string, description: string | null): Promise<AccountRef> {
    const existing = await AccountModel.findOne({ where: { actorId } });
    if (existing) {
      await existing.update({ name, description });
      return { id: existing.id, actorId };
    }
    const created = await AccountModel.create({ actorId, userId: null, name, description });
    return { id: created.id, actorId };
  }

  async refOfActor(actorId: number): Promise<AccountRef | null> {
    const row = await AccountModel.findOne({ where: { actorId }, attributes: ['id', 'actorId'], raw: true });
    return row ? { id: row.id, actorId: row.actorId } : null;
  }
}
