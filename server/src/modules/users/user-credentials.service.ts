import { Injectable } from '@nestjs/common';
import { toAuthUser } from './auth-user';
import { UserModel } from './user.model';
import type { AuthUser } from './users.types';

/** What a password grant needs to know of a user; the password check itself is auth's. */
export interface LoginCandidate {
  user: AuthUser;
  passwordHash: string;
  blockedReason: string | null;
  emailVerified: boolean;
}

/**
 * The `user` table's side of logging in, for the auth module: it depends on nothing, so auth can
 * inject it although UsersService injects AuthService.
 */
@Injectable()
export class UserCredentials {
  /** The user a login names (username, or e-mail when it holds an @; case-insensitive), or null. */
  async findForLogin(usernameOrEmail: string): Promise<LoginCandidate | null> {
    const u = await UserModel.findForLogin(usernameOrEmail);
    return u ? { user: toAuthUser(u), passwordHash: u.password, blockedReason: u.blockedReason, emailVerified: u.emailVerified } : null;
  }

  async recordLogin(userId: number): Promise<void> {
    await UserModel.update({ lastLoginDate: new Date() }, { where: { id: userId } });
  }
}
