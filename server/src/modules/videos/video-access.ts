import type { WhereOptions } from 'sequelize';
import short from 'short-uuid';
import { VideoPrivacy, VideoState } from '@flotilla/shared';
import { hasRight, UserRight } from '../../common/rights';
import type { AuthUser } from '../users/users.types';
import { isUuid } from '../media-files';
import type { VideoModel } from './video.model';

const translator = short(); // flickrBase58, as PeerTube's shortUUID

export const toShortUuid = (uuid: string): string => translator.fromUUID(uuid);

/** `{id}` in a `/videos/{id}` route: numeric id, UUID or shortUUID. Null when it is none of them. */
export function videoIdentifierWhere(idOrUuid: string): WhereOptions | null {
  if (/^\d{1,10}$/.test(idOrUuid)) {
    const id = Number(idOrUuid);
    return id > 0 && id <= 2147483647 ? { id } : null;
  }
  if (isUuid(idOrUuid)) return { uuid: idOrUuid.toLowerCase() };
  if (/^[1-9A-HJ-NP-Za-km-z]{18,22}$/.test(idOrUuid)) {
    try {
      const uuid = translator.toUUID(idOrUuid);
      return isUuid(uuid) ? { uuid } : null;
    } catch {
      return null;
    }
  }
  return null;
}

export function isVideoOwner(video: VideoModel, user: AuthUser | undefined): boolean {
  return !!user && video.VideoChannel?.Account?.userId === user.id;
}

export function canManageVideo(video: VideoModel, user: AuthUser | undefined): boolean {
  return !!user && (isVideoOwner(video, user) || hasRight(user.role, UserRight.MANAGE_ANY_VIDEO));
}

/**
 * Published, or waiting for transcoding while its owner chose not to wait (PeerTube lists those),
 * or a live waiting for its stream or ended (its page is public; lists leave it out, as PeerTube).
 */
export function isWatchable(video: { state: number; waitTranscoding: boolean; isLive?: boolean }): boolean {
  if (video.isLive && (video.state === VideoState.WAITING_FOR_LIVE || video.state === VideoState.LIVE_ENDED)) return true;
  return video.state === VideoState.PUBLISHED || (video.state === VideoState.TO_TRANSCODE && !video.waitTranscoding);
}

export type VideoAccess = 'ok' | 'needs-auth' | 'forbidden';

/** Who may see a video (details and files): owners and moderators always; others by privacy and state. */
export function videoAccess(video: VideoModel, user: AuthUser | undefined): VideoAccess {
  if (user && (isVideoOwner(video, user) || hasRight(user.role, UserRight.SEE_ALL_VIDEOS))) return 'ok';
  if (video.privacy === VideoPrivacy.PRIVATE || video.privacy === VideoPrivacy.PASSWORD_PROTECTED) return user ? 'forbidden' : 'needs-auth';
  if (video.privacy === VideoPrivacy.INTERNAL && !user) return 'needs-auth';
  if (!isWatchable(video)) return user ? 'forbidden' : 'needs-auth';
  return 'ok';
}
