import { z } from 'zod';
import { paginationQuery, queryBoolean } from './common';

/** PeerTube's UserNotificationType numbers (the ones Flotilla emits are used by the server). */
export const UserNotificationType = {
  NEW_VIDEO_FROM_SUBSCRIPTION: 1,
  NEW_COMMENT_ON_MY_VIDEO: 2,
  NEW_ABUSE_FOR_MODERATORS: 3,
  BLACKLIST_ON_MY_VIDEO: 4,
  UNBLACKLIST_ON_MY_VIDEO: 5,
  MY_VIDEO_PUBLISHED: 6,
  MY_VIDEO_IMPORT_SUCCESS: 7,
  MY_VIDEO_IMPORT_ERROR: 8,
  NEW_USER_REGISTRATION: 9,
  NEW_FOLLOW: 10,
  COMMENT_MENTION: 11,
  VIDEO_AUTO_BLACKLIST_FOR_MODERATORS: 12,
  NEW_INSTANCE_FOLLOWER: 13,
  AUTO_INSTANCE_FOLLOWING: 14,
  ABUSE_STATE_CHANGE: 15,
  ABUSE_NEW_MESSAGE: 16,
  NEW_PLUGIN_VERSION: 17,
  NEW_PEERTUBE_VERSION: 18,
  MY_VIDEO_STUDIO_EDITION_FINISHED: 19,
  NEW_USER_REGISTRATION_REQUEST: 20,
  NEW_LIVE_FROM_SUBSCRIPTION: 21,
  /**
   * Flotilla's own (PeerTube has no such type): the owner's video could not be transcoded. Far from
   * PeerTube's numbers so that a type PeerTube adds later cannot mean something else; a PeerTube
   * client shows it as an unknown notification. Follows the `myVideoPublished` setting.
   */
  MY_VIDEO_TRANSCODING_FAILED: 101,
} as const;
export type UserNotificationTypeValue = (typeof UserNotificationType)[keyof typeof UserNotificationType];

/** A bit set: 1 in the page (and socket), 2 by e-mail. */
export const UserNotificationSettingValue = { NONE: 0, WEB: 1, EMAIL: 2 } as const;

/** PeerTube's per-type settings, with PeerTube's defaults for a new user. */
export const DEFAULT_NOTIFICATION_SETTINGS = {
  newVideoFromSubscription: 1,
  newCommentOnMyVideo: 1,
  abuseAsModerator: 3,
  videoAutoBlacklistAsModerator: 3,
  blacklistOnMyVideo: 3,
  myVideoPublished: 1,
  myVideoImportFinished: 1,
  newUserRegistration: 1,
  newFollow: 1,
  commentMention: 1,
  newInstanceFollower: 1,
  autoInstanceFollowing: 1,
  abuseStateChange: 3,
  abuseNewMessage: 3,
  newPeerTubeVersion: 3,
  newPluginVersion: 1,
  myVideoStudioEditionFinished: 1,
  myVideoTranscriptionGenerated: 1,
} as const;
export type UserNotificationSetting = Record<keyof typeof DEFAULT_NOTIFICATION_SETTINGS, number>;
export type UserNotificationSettingName = keyof UserNotificationSetting;

const settingValue = z.number().int().min(0).max(3);
/**
 * The settings PeerTube's PUT /users/me/notification-settings requires in every body (its validator
 * checks each of these); the newer ones are optional there, and unknown fields are ignored.
 */
export const REQUIRED_NOTIFICATION_SETTINGS = [
  'newVideoFromSubscription',
  'newCommentOnMyVideo',
  'abuseAsModerator',
  'videoAutoBlacklistAsModerator',
  'blacklistOnMyVideo',
  'myVideoImportFinished',
  'myVideoPublished',
  'commentMention',
  'newFollow',
  'newUserRegistration',
  'newInstanceFollower',
  'autoInstanceFollowing',
] as const satisfies readonly UserNotificationSettingName[];
const required = new Set<string>(REQUIRED_NOTIFICATION_SETTINGS);
export const notificationSettingsSchema = z.object(
  Object.fromEntries(Object.keys(DEFAULT_NOTIFICATION_SETTINGS).map((k) => [k, required.has(k) ? settingValue : settingValue.optional()])) as {
    [K in UserNotificationSettingName]: K extends (typeof REQUIRED_NOTIFICATION_SETTINGS)[number] ? typeof settingValue : z.ZodOptional<typeof settingValue>;
  },
);
export type NotificationSettingsUpdate = z.infer<typeof notificationSettingsSchema>;

export const notificationListQuery = paginationQuery.extend({
  sort: z.enum(['createdAt', '-createdAt']).optional(),
  unread: queryBoolean.optional(),
});
export type NotificationListQuery = z.infer<typeof notificationListQuery>;

export const notificationReadBody = z.object({ ids: z.array(z.number().int().min(1).max(2 ** 31 - 1)).min(1).max(100) });

/** PeerTube's ActorInfo, as nested in notifications. */
export interface NotificationActorInfo {
  id: number;
  name: string;
  displayName: string;
  host: string;
  avatars: { path: string; width: number }[];
}

export interface NotificationVideoInfo {
  id: number;
  uuid: string;
  shortUUID: string;
  name: string;
}

/** One notification, in PeerTube's shape: the objects that do not apply are absent or null. */
export interface UserNotification {
  id: number;
  type: number;
  read: boolean;
  video?: (NotificationVideoInfo & { channel: NotificationActorInfo }) | null;
  /** The hiding of the owner's video (BLACKLIST_ON_MY_VIDEO), as PeerTube's: the blacklist entry's id and its video. */
  videoBlacklist?: { id: number; video: NotificationVideoInfo & { channel: NotificationActorInfo } } | null;
  comment?: { id: number; threadId: number; video: NotificationVideoInfo; account: NotificationActorInfo; heldForReview: boolean } | null;
  account?: NotificationActorInfo | null;
  actorFollow?: {
    id: number;
    follower: NotificationActorInfo;
    state: 'pending' | 'accepted';
    following: { type: 'account' | 'channel' | 'instance'; name: string; displayName: string; host: string };
  } | null;
  /** A sign-up request waiting for a moderator (NEW_USER_REGISTRATION_REQUEST), as PeerTube's. */
  registration?: { id: number; username: string } | null;
  createdAt: string;
  updatedAt: string;
}
