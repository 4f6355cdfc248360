import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { notificationListQuery, notificationReadBody, type NotificationListQuery, type ResultList, type UserNotification } from '@flotilla/shared';
import type { z } from 'zod';
import { zod } from '../../common/zod.pipe';
import { Auth, Authenticated, type AuthContext } from '../auth';
import { NotificationsService } from './notifications.service';

/** PeerTube's `/api/v1/users/me/notifications` (the settings are under the users controller). */
@Controller('api/v1/users/me/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Authenticated()
  list(@Auth() auth: AuthContext, @Query(zod(notificationListQuery)) q: NotificationListQuery): Promise<ResultList<UserNotification>> {
    return this.notifications.list(auth.user.id, q);
  }

  @Post('read')
  @HttpCode(204)
  @Authenticated()
  async read(@Auth() auth: AuthContext, @Body(zod(notificationReadBody)) body: z.infer<typeof notificationReadBody>): Promise<void> {
    await this.notifications.markRead(auth.user.id, body.ids);
  }

  @Post('read-all')
  @HttpCode(204)
  @Authenticated()
  async readAll(@Auth() auth: AuthContext): Promise<void> {
    await this.notifications.markAllRead(auth.user.id);
  }
}
