import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import {
  createUserSchema,
  listUsersQuery,
  registerUserSchema,
  updateMeSchema,
  updateUserSchema,
  type CreateUser,
  type FeedToken,
  type RegisterUser,
  type ResultList,
  type UpdateMe,
  type UpdateUser,
  type User,
  notificationSettingsSchema,
  type NotificationSettingsUpdate,
} from '@flotilla/shared';
import type { z } from 'zod';
import { idParam } from '../../common/params';
import { UserRight } from '../../common/rights';
import { ImageField } from '../../common/upload';
import { zod } from '../../common/zod.pipe';
import { ActorImagesService, IMAGE_MAX_SIZE, type UploadedImage } from '../actors/actor-images.service';
import { ActorImageType } from '../actors';
import { Auth, Authenticated } from '../auth';
import type { AuthContext } from '../auth/auth.service';
import { AccountsService } from './accounts.service';
import { UsersService } from './users.service';

@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly images: ActorImagesService,
  ) {}

  @Get('me')
  @Authenticated()
  async me(@Auth() auth: AuthContext): Promise<User> {
    return this.users.format(await this.users.findById(auth.user.id));
  }

  @Put('me')
  @HttpCode(204)
  @Authenticated()
  async updateMe(@Auth() auth: AuthContext, @Body(zod(updateMeSchema)) body: UpdateMe): Promise<void> {
    await this.users.updateMe(auth.user, body);
  }

  @Put('me/notification-settings')
  @HttpCode(204)
  @Authenticated()
  async updateNotificationSettings(@Auth() auth: AuthContext, @Body(zod(notificationSettingsSchema)) body: NotificationSettingsUpdate): Promise<void> {
    await this.users.updateNotificationSettings(auth.user.id, body);
  }

  @Get('me/feed-token')
  @Authenticated()
  async feedToken(@Auth() auth: AuthContext): Promise<FeedToken> {
    return { feedToken: await this.users.feedToken(auth.user.id) };
  }

  @Post('me/feed-token')
  @HttpCode(200)
  @Authenticated()
  async renewFeedToken(@Auth() auth: AuthContext): Promise<FeedToken> {
    return { feedToken: await this.users.renewFeedToken(auth.user.id) };
  }

  @Post('me/avatar/pick')
  @HttpCode(200)
  @Authenticated()
  @UseInterceptors(ImageField('avatarfile', IMAGE_MAX_SIZE))
  async pickAvatar(@Auth() auth: AuthContext, @UploadedFile() file: UploadedImage | undefined) {
    const account = await this.accounts.accountOfUser(auth.user.id);
    return { avatars: await this.images.replace(account.actorId, ActorImageType.AVATAR, file) };
  }

  @Delete('me/avatar')
  @HttpCode(204)
  @Authenticated()
  async deleteAvatar(@Auth() auth: AuthContext): Promise<void> {
    const account = await this.accounts.accountOfUser(auth.user.id);
    await this.images.remove(account.actorId, ActorImageType.AVATAR);
  }

  @Delete('me')
  @HttpCode(204)
  @Authenticated()
  async deleteMe(@Auth() auth: AuthContext): Promise<void> {
    await this.users.deleteMe(auth.user);
  }

  @Post('register')
  @HttpCode(204)
  async register(@Body(zod(registerUserSchema)) body: RegisterUser): Promise<void> {
    await this.users.register(body);
  }

  @Post()
  @HttpCode(200)
  @Authenticated(UserRight.MANAGE_USERS)
  async create(@Auth() auth: AuthContext, @Body(zod(createUserSchema)) body: CreateUser) {
    const user = await this.users.createByAdmin(auth.user, body);
    const account = await this.accounts.accountOfUser(user.id);
    return { user: { id: user.id, account: { id: account.id } } };
  }

  @Get()
  @Authenticated(UserRight.MANAGE_USERS)
  list(@Query(zod(listUsersQuery)) q: z.infer<typeof listUsersQuery>): Promise<ResultList<User>> {
    return this.users.list(q);
  }

  @Get(':id')
  @Authenticated(UserRight.MANAGE_USERS)
  async get(@Param(zod(idParam)) p: z.infer<typeof idParam>): Promise<User> {
    return this.users.format(await this.users.findById(p.id));
  }

  @Put(':id')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_USERS)
  async update(
    @Auth() auth: AuthContext,
    @Param(zod(idParam)) p: z.infer<typeof idParam>,
    @Body(zod(updateUserSchema)) body: UpdateUser,
  ): Promise<void> {
    await this.users.update(auth.user, p.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_USERS)
  async delete(@Auth() auth: AuthContext, @Param(zod(idParam)) p: z.infer<typeof idParam>): Promise<void> {
    await this.users.delete(auth.user, p.id);
  }
}
