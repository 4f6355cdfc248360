import { Inject, Injectable } from '@nestjs/common';
import type { Sequelize, Transaction } from 'sequelize';
import {
  ErrorCode,
  type CreateChannel,
  type ResultList,
  type UpdateChannel,
  type VideoChannel,
  type VideoChannelSummary,
} from '@flotilla/shared';
import { conflict, forbidden, notFound } from '../../common/app-error';
import { hasRight, UserRight } from '../../common/rights';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { actorInclude } from '../actors/actor-includes';
import { ActorImageType } from '../actors/actor.model';
import { ActorsService } from '../actors/actors.service';
import { AccountModel } from '../users/account.model';
import { AccountsService, handleWhere } from '../users/accounts.service';
import type { UserModel } from '../users/user.model';
import { VideoChannelModel } from './video-channel.model';

const channelIncludes = () => [
  actorInclude(),
  { model: AccountModel, required: true, include: [actorInclude()] },
];

@Injectable()
export class ChannelsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly actors: ActorsService,
    private readonly accounts: AccountsService,
  ) {}

  async create(accountId: number, data: CreateChannel, t?: Transaction): Promise<VideoChannelModel> {
    const run = async (tx: Transaction) => {
      const count = await VideoChannelModel.count({ where: { accountId }, transaction: tx });
      if (count >= this.config.video_channels.max_per_user) {
        throw forbidden(`You cannot create more than ${this.config.video_channels.max_per_user} channels`);
      }
      const actor = await this.actors.createLocal('channel', 'Group', data.name, tx);
      return VideoChannelModel.create(
        { actorId: actor.id, accountId, name: data.displayName, description: data.description ?? null, support: data.support ?? null },
        { transaction: tx },
      );
    };
    return t ? run(t) : this.sequelize.transaction(run);
  }

  async findByHandle(handle: string): Promise<VideoChannelModel> {
    const w = handleWhere(handle, this.config.webserverHost);
    const channel = await VideoChannelModel.findOne({
      include: [actorInclude({ where: w.actor, serverWhere: w.server, withPublicKey: true }), { model: AccountModel, required: true, include: [actorInclude()] }],
    });
    if (!channel) throw notFound(`Video channel ${handle} not found`, ErrorCode.CHANNEL_NOT_FOUND);
    return channel;
  }

  async findById(id: number): Promise<VideoChannelModel | null> {
    return VideoChannelModel.findByPk(id, { include: channelIncludes() });
  }

  async listForAccount(accountId: number): Promise<VideoChannelModel[]> {
    return VideoChannelModel.findAll({ where: { accountId }, include: channelIncludes(), order: [['id', 'ASC']] });
  }

  async list(start: number, count: number, sort: string | undefined, accountId?: number): Promise<ResultList<VideoChannel>> {
    const order: [string, string] =
      sort === '-createdAt' ? ['createdAt', 'DESC'] : sort === 'name' ? ['name', 'ASC'] : ['createdAt', 'ASC'];
    const { rows, count: total } = await VideoChannelModel.findAndCountAll({
      where: accountId ? { accountId } : {},
      include: channelIncludes(),
      order: [order],
      offset: start,
      limit: count,
      distinct: true,
    });
    return { total, data: rows.map((c) => this.format(c)) };
  }

  /** Owners manage their channels; admins may manage any. */
  assertCanManage(channel: VideoChannelModel, user: UserModel): void {
    if (channel.Account?.userId === user.id) return;
    if (hasRight(user.role, UserRight.MANAGE_ANY_CHANNEL)) return;
    throw forbidden('You are not the owner of this video channel', ErrorCode.NOT_CHANNEL_OWNER);
  }

  async update(channel: VideoChannelModel, data: UpdateChannel): Promise<void> {
    if (data.displayName !== undefined) channel.name = data.displayName;
    if (data.description !== undefined) channel.description = data.description;
    if (data.support !== undefined) channel.support = data.support;
    await channel.save();
  }

  async delete(channel: VideoChannelModel): Promise<void> {
    const count = await VideoChannelModel.count({ where: { accountId: channel.accountId } });
    if (count <= 1) throw conflict('Cannot remove the last channel of this user', ErrorCode.CANNOT_DELETE_LAST_CHANNEL);
    await this.sequelize.transaction(async (t) => {
      const actorId = channel.actorId;
      await channel.destroy({ transaction: t });
      await this.sequelize.query('DELETE FROM actor WHERE id = :id', { replacements: { id: actorId }, transaction: t });
    });
  }

  format(channel: VideoChannelModel): VideoChannel {
    const actor = channel.Actor!;
    return {
      id: channel.id,
      ...this.actors.formatActorFields(actor),
      createdAt: channel.createdAt.toISOString(),
      updatedAt: channel.updatedAt.toISOString(),
      displayName: channel.name,
      description: channel.description,
      support: channel.support,
      isLocal: actor.isLocal(),
      banners: this.actors.formatImages(actor, ActorImageType.BANNER),
      ownerAccount: this.accounts.format(channel.Account!),
    };
  }

  summary(channel: VideoChannelModel): VideoChannelSummary {
    const f = this.actors.formatActorFields(channel.Actor!);
    return { id: channel.id, name: f.name, displayName: channel.name, url: f.url, host: f.host, avatars: f.avatars };
  }
}
