import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import {
  createChannelSchema,
  paginationQuery,
  updateChannelSchema,
  type CreateChannel,
  type PaginationQuery,
  type ResultList,
  type UpdateChannel,
  type VideoChannel,
} from '@flotilla/shared';
import type { z } from 'zod';
import { handleParam } from '../../common/params';
import { ImageField } from '../../common/upload';
import { zod } from '../../common/zod.pipe';
import { EventBus } from '../../platform/events/event-bus.service';
import { ActorImagesService, IMAGE_MAX_SIZE, type UploadedImage } from '../actors/actor-images.service';
import { ActorImageType } from '../actors';
import { Auth, Authenticated } from '../auth';
import type { AuthContext } from '../auth/auth.service';
import { AccountsService } from '../users/accounts.service';
import { ChannelsService } from './channels.service';

type HandleParam = z.infer<typeof handleParam>;

@Controller('api/v1/video-channels')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly accounts: AccountsService,
    private readonly images: ActorImagesService,
    private readonly events: EventBus,
  ) {}

  @Get()
  list(@Query(zod(paginationQuery)) q: PaginationQuery): Promise<ResultList<VideoChannel>> {
    return this.channels.list(q.start, q.count, q.sort);
  }

  @Post()
  @HttpCode(200)
  @Authenticated()
  async create(@Auth() auth: AuthContext, @Body(zod(createChannelSchema)) body: CreateChannel) {
    const account = await this.accounts.accountOfUser(auth.user.id);
    const channel = await this.channels.create(account.id, body);
    return { videoChannel: { id: channel.id } };
  }

  @Get(':handle')
  async get(@Param(zod(handleParam)) p: HandleParam): Promise<VideoChannel> {
    const channel = await this.channels.findByHandle(p.handle);
    // A remote channel is refreshed from its origin in the background when stale (federation listens).
    if (!channel.Actor!.isLocal()) this.events.emit('actor.remote-used', { actorId: channel.actorId });
    return this.channels.format(channel);
  }

  @Put(':handle')
  @HttpCode(204)
  @Authenticated()
  async update(@Auth() auth: AuthContext, @Param(zod(handleParam)) p: HandleParam, @Body(zod(updateChannelSchema)) body: UpdateChannel) {
    const channel = await this.channels.findByHandle(p.handle);
    this.channels.assertCanManage(channel, auth.user);
    await this.channels.update(channel, body);
  }

  @Delete(':handle')
  @HttpCode(204)
  @Authenticated()
  async delete(@Auth() auth: AuthContext, @Param(zod(handleParam)) p: HandleParam): Promise<void> {
    const channel = await this.channels.findByHandle(p.handle);
    this.channels.assertCanManage(channel, auth.user);
    await this.channels.delete(channel);
  }

  @Post(':handle/avatar/pick')
  @HttpCode(200)
  @Authenticated()
  @UseInterceptors(ImageField('avatarfile', IMAGE_MAX_SIZE))
  async pickAvatar(@Auth() auth: AuthContext, @Param(zod(handleParam)) p: HandleParam, @UploadedFile() file?: UploadedImage) {
    const channel = await this.channels.findByHandle(p.handle);
    this.channels.assertCanManage(channel, auth.user);
    return { avatars: await this.images.replace(channel.actorId, ActorImageType.AVATAR, file) };
  }

  @Post(':handle/banner/pick')
  @HttpCode(200)
  @Authenticated()
  @UseInterceptors(ImageField('bannerfile', IMAGE_MAX_SIZE))
  async pickBanner(@Auth() auth: AuthContext, @Param(zod(handleParam)) p: HandleParam, @UploadedFile() file?: UploadedImage) {
    const channel = await this.channels.findByHandle(p.handle);
    this.channels.assertCanManage(channel, auth.user);
    return { banners: await this.images.replace(channel.actorId, ActorImageType.BANNER, file) };
  }

  @Delete(':handle/avatar')
  @HttpCode(204)
  @Authenticated()
  async deleteAvatar(@Auth() auth: AuthContext, @Param(zod(handleParam)) p: HandleParam): Promise<void> {
    const channel = await this.channels.findByHandle(p.handle);
    this.channels.assertCanManage(channel, auth.user);
    await this.images.remove(channel.actorId, ActorImageType.AVATAR);
  }

  @Delete(':handle/banner')
  @HttpCode(204)
  @Authenticated()
  async deleteBanner(@Auth() auth: AuthContext, @Param(zod(handleParam)) p: HandleParam): Promise<void> {
    const channel = await this.channels.findByHandle(p.handle);
    this.channels.assertCanManage(channel, auth.user);
    await this.images.remove(channel.actorId, ActorImageType.BANNER);
  }
}
