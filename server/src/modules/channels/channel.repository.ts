import { Injectable } from '@nestjs/common';
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import { actorInclude } from '../actors';
import { AccountModel } from '../users';
import { VideoChannelModel } from './video-channel.model';

const withOwner = () => ({ model: AccountModel, required: true, include: [actorInclude()] });
const channelIncludes = () => [actorInclude(), withOwner()];

export interface NewChannelRow {
  actorId: number;
  accountId: number;
  name: string;
  description: string | null;
  support: string | null;
}

/** Every query on `video_channel` (with its actor and owner account joined for display). */
@Injectable()
export class ChannelRepository {
  countOfAccount(accountId: number, transaction?: Transaction): Promise<number> {
    return VideoChannelModel.count({ where: { accountId }, transaction });
  }

  create(row: NewChannelRow, transaction?: Transaction): Promise<VideoChannelModel> {
    return VideoChannelModel.create({ ...row }, { transaction });
  }

  /** By a handle's where-clauses on the included actor (and its server). */
  findByActor(actorWhere: WhereOptions, serverWhere: WhereOptions | null): Promise<VideoChannelModel | null> {
    return VideoChannelModel.findOne({ include: [actorInclude({ where: actorWhere, serverWhere, withPublicKey: true }), withOwner()] });
  }

  findById(id: number): Promise<VideoChannelModel | null> {
    return VideoChannelModel.findByPk(id, { include: channelIncludes() });
  }

  listOfAccount(accountId: number): Promise<VideoChannelModel[]> {
    return VideoChannelModel.findAll({ where: { accountId }, include: channelIncludes(), order: [['id', 'ASC']] });
  }

  list(o: { offset: number; limit: number; order: [string, string]; accountId?: number }): Promise<{ rows: VideoChannelModel[]; count: number }> {
    return VideoChannelModel.findAndCountAll({
      where: o.accountId ? { accountId: o.accountId } : {},
      include: channelIncludes(),
      order: [o.order],
      offset: o.offset,
      limit: o.limit,
      distinct: true,
    });
  }

  async delete(id: number, transaction: Transaction): Promise<void> {
    await VideoChannelModel.destroy({ where: { id }, transaction });
  }

  /**
   * Channels whose handle or display name holds `search` (case-insensitive), every one without it;
   * `host`: null for local channels only, a host for that host's.
   */
  search(o: { search?: string; host?: string | null; offset: number; limit: number; order: [string, string] }): Promise<{ rows: VideoChannelModel[]; count: number }> {
    const like = o.search ? `%${o.search.replace(/[\\%_]/g, '\\$&')}%` : null;
    const and: WhereOptions[] = [];
    if (like) and.push({ [Op.or]: [{ name: { [Op.iLike]: like } }, { '$Actor.preferred_username$': { [Op.iLike]: like } }] });
    if (o.host === null) and.push({ '$Actor.server_id$': null });
    if (o.host) and.push({ '$Actor.Server.host$': o.host });
    return VideoChannelModel.findAndCountAll({
      where: { [Op.and]: and },
      include: channelIncludes(),
      order: [o.order],
      offset: o.offset,
      limit: o.limit,
      distinct: true,
      subQuery: false,
    });
  }

  /** A remote Group actor's channel: created on first sight, refreshed after. */
  async upsertRemote(row: NewChannelRow): Promise<{ id: number }> {
    const existing = await VideoChannelModel.findOne({ where: { actorId: row.actorId } });
    if (existing) {
      await existing.update({ name: row.name, description: row.description, support: row.support, accountId: row.accountId });
      return { id: existing.id };
    }
    return { id: (await VideoChannelModel.create({ ...row })).id };
  }

  async updateByActor(actorId: number, values: { name: string; description: string | null; support: string | null }): Promise<boolean> {
    const [n] = await VideoChannelModel.update(values, { where: { actorId } });
    return n > 0;
  }

  async idOfActor(actorId: number): Promise<number | null> {
    return (await VideoChannelModel.findOne({ where: { actorId }, attributes: ['id'], raw: true }))?.id ?? null;
  }
}
