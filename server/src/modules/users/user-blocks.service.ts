import { Injectable } from '@nestjs/common';
import { ErrorCode, UserRole } from '@flotilla/shared';
import { AppError, forbidden, notFound } from '../../common/app-error';
import { Mailer } from '../../platform/mail/mailer.service';
import { AuthService } from '../auth/auth.service';
import { UserModel } from './user.model';
import type { AuthUser } from './users.types';

/**
 * Blocking a user (PeerTube's POST /users/{id}/block): the flag is set and every token of the user
 * is deleted in the same breath, so requests already in the user's browser fail with 401 at once
 * (the auth guard also refuses a blocked user's token, should one be issued meanwhile).
 */
@Injectable()
export class UserBlocksService {
  constructor(
    private readonly auth: AuthService,
    private readonly mailer: Mailer,
  ) {}

  private async target(actor: AuthUser, id: number): Promise<UserModel> {
    const user = await UserModel.findByPk(id);
    if (!user) throw notFound(`User ${id} not found`, ErrorCode.USER_NOT_FOUND);
    if (user.username === 'root') throw new AppError(400, ErrorCode.CANNOT_BLOCK_ROOT, 'Cannot block the root user');
    if (user.id === actor.id) throw new AppError(400, ErrorCode.CANNOT_BLOCK_ROOT, 'Cannot block yourself');
    // Moderators manage plain users only (PeerTube's rule).
    if (actor.role !== UserRole.ADMINISTRATOR && user.role !== UserRole.USER) {
      throw forbidden('A moderator can only manage users', ErrorCode.INSUFFICIENT_ROLE);
    }
    return user;
  }

  async block(actor: AuthUser, id: number, reason: string | undefined): Promise<void> {
    const user = await this.target(actor, id);
    user.blocked = true;
    user.blockedReason = reason ?? null;
    await user.save();
    await this.auth.revokeAllFor(user.id);
    await this.mailer.queue({
      to: user.email,
      subject: 'Your account has been blocked',
      text: `Your account ${user.username} has been blocked by a moderator.${reason ? `\n\nReason: ${reason}` : ''}\n`,
    });
  }

  async unblock(actor: AuthUser, id: number): Promise<void> {
    const user = await this.target(actor, id);
    user.blocked = false;
    user.blockedReason = null;
    await user.save();
  }
}
