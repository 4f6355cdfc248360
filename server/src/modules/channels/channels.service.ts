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
import { EventBus } from '../../platform/events/event-bus.service';
import { ActorImageType } from '../actors';
import { ActorsService } from '../actors/actors.service';
import { AccountsService, handleWhere } from '../users/accounts.service';
import type { AuthUser } from '../users/users.types';
import type { VideoChannelModel } from './video-channel.model';
import { ChannelRepository } from './channel.repository';

@Injectable()
export class ChannelsService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly actors: ActorsService,
    private readonly accounts: AccountsService,
    private readonly repo: ChannelRepository,
    private readonly events: EventBus,
  ) {}

  async create(accountId: number, data: CreateChannel, t?: Transaction): Promise<VideoChannelModel> {
    const run = async (tx: Transaction) => {
      const count = await this.repo.countOfAccount(accountId, tx);
      if (count >= this.config.video_channels.max_per_user) {
        throw forbidden(`You cannot create more than ${this.config.video_channels.max_per_user} channels`);
      }
      const actor = await this.actors.createLocal('channel', 'Group', data.name, tx);
      return this.repo.create(
        { actorId: actor.id, accountId, name: data.displayName, description: data.description ?? null, support: data.support ?? null },
        tx,
      );
    };
    return t ? run(t) : this.sequelize.transaction(run);
  }

  async findByHandle(handle: string): Promise<VideoChannelModel> {
    const w = handleWhere(handle, this.config.webserverHost);
    const channel = await this.repo.findByActor(w.actor, w.server);
    if (!channel) throw notFound(`Video channel ${handle} not found`, ErrorCode.CHANNEL_NOT_FOUND);
    return channel;
  }

  async findById(id: number): Promise<VideoChannelModel | null> {
    return this.repo.findById(id);
  }

  async listForAccount(accountId: number): Promise<VideoChannelModel[]> {
    return this.repo.listOfAccount(accountId);
  }

  async list(start: number, count: number, sort: string | undefined, accountId?: number): Promise<ResultList<VideoChannel>> {
    const order: [string, string] =
      sort === '-createdAt' ? ['createdAt', 'DESC'] : sort === 'name' ? ['name', 'ASC'] : ['createdAt', 'ASC'];
    const { rows, count: total } = await this.repo.list({ offset: start, limit: count, order, accountId });
    return { total, data: rows.map((c) => this.format(c)) };
  }

  /** `GET /search/video-channels`: the channels this instance knows (local, and remote ones stored by federation), optionally of one host. */
  async search(q: { search?: string; start: number; count: number; sort?: string; host?: string }): Promise<ResultList<VideoChannel>> {
    const host = q.host ? (q.host.toLowerCase() === this.config.webserverHost.toLowerCase() ? null : q.host.toLowerCase()) : undefined;
    const order: [string, string] =
      q.sort === '-createdAt' ? ['createdAt', 'DESC'] : q.sort === 'createdAt' ? ['createdAt', 'ASC'] : ['name', 'ASC'];
    const { rows, count } = await this.repo.search({ search: q.search?.trim() || undefined, host, offset: q.start, limit: q.count, order });
    return { total: count, data: rows.map((c) => this.format(c)) };
  }

  /** Owners manage their channels; admins may manage any. */
  assertCanManage(channel: VideoChannelModel, user: AuthUser): void {
    if (channel.Account?.userId === user.id) return;
    if (hasRight(user.role, UserRight.MANAGE_ANY_CHANNEL)) return;
    throw forbidden('You are not the owner of this video channel', ErrorCode.NOT_CHANNEL_OWNER);
  }

  async update(channel: VideoChannelModel, data: UpdateChannel): Promise<void> {
    if (data.displayName !== undefined) channel.name = data.displayName;
    if (data.description !== undefined) channel.description = data.description;
    if (data.support !== undefined) channel.support = data.support;
    await channel.save();
    this.events.emit('actor.updated', { actorId: channel.actorId });
  }

  async delete(channel: VideoChannelModel): Promise<void> {
    const count = await this.repo.countOfAccount(channel.accountId);
    if (count <= 1) throw conflict('Cannot remove the last channel of this user', ErrorCode.CANNOT_DELETE_LAST_CHANNEL);
    await this.sequelize.transaction(async (t) => {
      const actorId = channel.actorId;
      await this.repo.delete(channel.id, t);
      await this.actors.delete(actorId, t);
    });
  }

  /** The channel of a remote Group actor (federation), created or refreshed. */
  upsertRemote(row: { actorId: number; accountId: number; name: string; description: string | null; support: string | null }): Promise<{ id: number }> {
    return this.repo.upsertRemote({
      ...row,
      name: row.name.slice(0, 255),
      description: row.description?.slice(0, 1000) ?? null,
      support: row.support?.slice(0, 1000) ?? null,
    });
  }

  /** A known remote channel's display fields from its actor's newer document (refresh, Update{Group}); false when unknown. */
  async updateRemoteProfile(actorId: number, row: { name: string; description: string | null; support: string | null }): Promise<boolean> {
    return this.repo.updateByActor(actorId, {
      name: row.name.slice(0, 255),
      description: row.description?.slice(0, 1000) ?? null,
      support: row.support?.slice(0, 1000) ?? null,
    });
  }

  idOfActor(actorId: number): Promise<number | null> {
    return this.repo.idOfActor(actorId);
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
