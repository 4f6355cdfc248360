import type { UserModel } from './user.model';
import type { AuthUser } from './users.types';

/** The plain values of a user row that a request carries (`AuthContext.user`). */
export function toAuthUser(u: UserModel): AuthUser {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    role: u.role,
    blocked: u.blocked,
    videoQuota: u.videoQuota,
    videoQuotaDaily: u.videoQuotaDaily,
    nsfwPolicy: u.nsfwPolicy,
  };
}
