import { UserRole } from '@flotilla/shared';

/** What a role may do. Admins may do everything; moderators a moderation subset. */
export const UserRight = {
  MANAGE_USERS: 'manage_users',
  MANAGE_REGISTRATIONS: 'manage_registrations',
  MANAGE_VIDEO_BLACKLIST: 'manage_video_blacklist',
  MANAGE_RUNNERS: 'manage_runners',
  MANAGE_SERVER: 'manage_server',
  /** The server block list (PeerTube gives it to moderators too). */
  MANAGE_SERVERS_BLOCKLIST: 'manage_servers_blocklist',
  MANAGE_ANY_VIDEO: 'manage_any_video',
  MANAGE_ANY_CHANNEL: 'manage_any_channel',
  SEE_ALL_VIDEOS: 'see_all_videos',
} as const;
export type UserRight = (typeof UserRight)[keyof typeof UserRight];

const MODERATOR_RIGHTS = new Set<UserRight>([
  UserRight.MANAGE_USERS,
  UserRight.MANAGE_REGISTRATIONS,
  UserRight.MANAGE_VIDEO_BLACKLIST,
  UserRight.MANAGE_ANY_VIDEO,
  UserRight.SEE_ALL_VIDEOS,
  UserRight.MANAGE_SERVERS_BLOCKLIST,
]);

export function hasRight(role: number, right: UserRight): boolean {
  if (role === UserRole.ADMINISTRATOR) return true;
  if (role === UserRole.MODERATOR) return MODERATOR_RIGHTS.has(right);
  return false;
}
