import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { blockUserSchema, type BlockUser } from '@flotilla/shared';
import type { z } from 'zod';
import { idParam } from '../../common/params';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Auth, Authenticated } from '../auth';
import type { AuthContext } from '../auth';
import { UserBlocksService } from './user-blocks.service';

/** PeerTube's POST /api/v1/users/{id}/block and /unblock (MANAGE_USERS). */
@Controller('api/v1/users')
export class UserBlocksController {
  constructor(private readonly blocks: UserBlocksService) {}

  @Post(':id/block')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_USERS)
  async block(@Auth() auth: AuthContext, @Param(zod(idParam)) p: z.infer<typeof idParam>, @Body(zod(blockUserSchema)) body: BlockUser): Promise<void> {
    await this.blocks.block(auth.user, p.id, body.reason);
  }

  @Post(':id/unblock')
  @HttpCode(204)
  @Authenticated(UserRight.MANAGE_USERS)
  async unblock(@Auth() auth: AuthContext, @Param(zod(idParam)) p: z.infer<typeof idParam>): Promise<void> {
    await this.blocks.unblock(auth.user, p.id);
  }
}
