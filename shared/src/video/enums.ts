/** Numeric values are PeerTube's: clients and remote instances read them as they are. */
export const UserRole = { ADMINISTRATOR: 0, MODERATOR: 1, USER: 2 } as const;
export type UserRole = (typeof UserRole)[keyof typeof UserRole];
export const USER_ROLE_LABELS: Record<UserRole, string> = { 0: 'Administrator', 1: 'Moderator', 2: 'User' };

export const VideoPrivacy = { PUBLIC: 1, UNLISTED: 2, PRIVATE: 3, INTERNAL: 4, PASSWORD_PROTECTED: 5 } as const;
export type VideoPrivacy = (typeof VideoPrivacy)[keyof typeof VideoPrivacy];
export const VIDEO_PRIVACY_LABELS: Record<VideoPrivacy, string> = {
  1: 'Public',
  2: 'Unlisted',
  3: 'Private',
  4: 'Internal',
  5: 'Password protected',
};

export const VideoState = {
  PUBLISHED: 1,
  TO_TRANSCODE: 2,
  TO_IMPORT: 3,
  WAITING_FOR_LIVE: 4,
  LIVE_ENDED: 5,
  TO_MOVE_TO_EXTERNAL_STORAGE: 6,
  TRANSCODING_FAILED: 7,
  TO_MOVE_TO_EXTERNAL_STORAGE_FAILED: 8,
  TO_EDIT: 9,
  TO_MOVE_TO_FILE_SYSTEM: 10,
  TO_MOVE_TO_FILE_SYSTEM_FAILED: 11,
} as const;
export type VideoState = (typeof VideoState)[keyof typeof VideoState];
export const VIDEO_STATE_LABELS: Record<VideoState, string> = {
  1: 'Published',
  2: 'To transcode',
  3: 'To import',
  4: 'Waiting for livestream',
  5: 'Livestream ended',
  6: 'To move to an external storage',
  7: 'Transcoding failed',
  8: 'External storage move failed',
  9: 'To edit',
  10: 'To move to file system',
  11: 'Move to file system failed',
};

export const VideoCommentPolicy = { ENABLED: 1, DISABLED: 2, REQUIRES_APPROVAL: 3 } as const;
export type VideoCommentPolicy = (typeof VideoCommentPolicy)[keyof typeof VideoCommentPolicy];
export const VIDEO_COMMENT_POLICY_LABELS: Record<VideoCommentPolicy, string> = {
  1: 'Enabled',
  2: 'Disabled',
  3: 'Requires approval',
};

export const VideoStreamingPlaylistType = { HLS: 1 } as const;
export const VideoStorage = { FILE_SYSTEM: 0, OBJECT_STORAGE: 1 } as const;

export const NSFW_POLICIES = ['display', 'blur', 'do_not_list'] as const;
export type NsfwPolicy = (typeof NSFW_POLICIES)[number];

/** PeerTube's categories, licences and the languages most instances list (id → label). */
export const VIDEO_CATEGORIES: Record<number, string> = {
  1: 'Music', 2: 'Films', 3: 'Vehicles', 4: 'Art', 5: 'Sports', 6: 'Travels', 7: 'Gaming',
  8: 'People', 9: 'Comedy', 10: 'Entertainment', 11: 'News & Politics', 12: 'How To',
  13: 'Education', 14: 'Activism', 15: 'Science & Technology', 16: 'Animals', 17: 'Kids', 18: 'Food',
};
export const VIDEO_LICENCES: Record<number, string> = {
  1: 'Attribution', 2: 'Attribution - Share Alike', 3: 'Attribution - No Derivatives',
  4: 'Attribution - Non Commercial', 5: 'Attribution - Non Commercial - Share Alike',
  6: 'Attribution - Non Commercial - No Derivatives', 7: 'Public Domain Dedication',
};
export const VIDEO_LANGUAGES: Record<string, string> = {
  en: 'English', fr: 'French', de: 'German', es: 'Spanish', it: 'Italian', pt: 'Portuguese',
  nl: 'Dutch', pl: 'Polish', ru: 'Russian', uk: 'Ukrainian', ja: 'Japanese', zh: 'Chinese',
  ko: 'Korean', ar: 'Arabic', hi: 'Hindi', sv: 'Swedish', fi: 'Finnish', nb: 'Norwegian Bokmål',
  da: 'Danish', cs: 'Czech', el: 'Greek', tr: 'Turkish', eo: 'Esperanto', ca: 'Catalan',
  eu: 'Basque', gl: 'Galician', oc: 'Occitan', hu: 'Hungarian', ro: 'Romanian', he: 'Hebrew',
  fa: 'Persian', id: 'Indonesian', vi: 'Vietnamese', th: 'Thai', zxx: 'No linguistic content',
};
