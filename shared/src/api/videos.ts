import { z } from 'zod';
import { isStorableDate, text } from './text';
import { looseInt, paginationQuery, queryBoolean, type Constant } from './common';
import type { Account, AccountSummary, VideoChannel, VideoChannelSummary } from './users';

/** Multipart values are strings and an empty field means "not given". */
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const optionalInt = (min: number, max: number) => z.preprocess(blankToUndefined, looseInt.pipe(z.number().int().min(min).max(max)).optional());
const optionalBool = z.preprocess(blankToUndefined, queryBoolean.optional());
const optionalString = (max: number, min = 0) => z.preprocess(blankToUndefined, text().min(min).max(max).optional());

/** A single value or an array (repeated keys, `tags[0]`…); kept as an array. */
const toArray = (v: unknown) => (v === undefined || v === '' ? undefined : Array.isArray(v) ? v : [v]);

export const videoNameSchema = text().trim().min(3).max(120);
export const videoTagsSchema = z.preprocess(toArray, z.array(text().trim().min(2).max(30)).max(5).optional());
const dateString = z.preprocess(
  blankToUndefined,
  text().refine(isStorableDate, 'must be an ISO 8601 date between years 1 and 9999').nullable().optional(),
);

/** Fields shared by the legacy upload, the resumable init and the update (PeerTube's VideoCreate). */
const videoAttributes = {
  privacy: optionalInt(1, 5),
  category: optionalInt(1, 2147483647),
  licence: optionalInt(1, 2147483647),
  language: optionalString(10, 1),
  description: optionalString(10000),
  support: optionalString(1000),
  nsfw: optionalBool,
  waitTranscoding: optionalBool,
  downloadEnabled: optionalBool,
  commentsEnabled: optionalBool,
  commentsPolicy: optionalInt(1, 3),
  generateTranscription: optionalBool,
  tags: videoTagsSchema,
  originallyPublishedAt: dateString,
};

export const videoCreateSchema = z.object({
  name: videoNameSchema,
  channelId: looseInt.pipe(z.number().int().min(1).max(2147483647)),
  ...videoAttributes,
});
export type VideoCreate = z.infer<typeof videoCreateSchema>;

/** The resumable init adds the file name (with its extension). */
export const resumableInitSchema = videoCreateSchema.extend({
  filename: text().min(1).max(1000),
});
export type ResumableInit = z.infer<typeof resumableInitSchema>;

export const videoUpdateSchema = z.object({
  name: videoNameSchema.optional(),
  channelId: z.preprocess(blankToUndefined, looseInt.pipe(z.number().int().min(1)).optional()),
  ...videoAttributes,
});
export type VideoUpdate = z.infer<typeof videoUpdateSchema>;

export const VIDEO_SORTS = [
  'name', 'duration', 'createdAt', 'publishedAt', 'originallyPublishedAt', 'views', 'likes', 'trending', 'hot', 'best', 'match',
] as const;
const sortSchema = z
  .string()
  .refine((s) => (VIDEO_SORTS as readonly string[]).includes(s.replace(/^-/, '')), `must be one of ${VIDEO_SORTS.join(', ')} (optionally prefixed by -)`);

const oneOf = <T extends z.ZodType>(item: T) => z.preprocess(toArray, z.array(item).max(50).optional());

/** GET /videos and the lists that share its filters (accounts, channels, search). */
export const videoListQuery = paginationQuery.extend({
  sort: sortSchema.optional(),
  search: text().max(1000).optional(),
  categoryOneOf: oneOf(looseInt),
  licenceOneOf: oneOf(looseInt),
  languageOneOf: oneOf(text().max(10)),
  tagsOneOf: oneOf(text().max(100)),
  tagsAllOf: oneOf(text().max(100)),
  privacyOneOf: oneOf(looseInt.pipe(z.number().int().min(1).max(5))),
  nsfw: z.enum(['true', 'false', 'both']).optional(),
  isLocal: queryBoolean.optional(),
  isLive: queryBoolean.optional(),
  hasHLSFiles: queryBoolean.optional(),
  hasWebVideoFiles: queryBoolean.optional(),
  include: looseInt.pipe(z.number().int().min(0).max(255)).optional(),
  startDate: dateString,
  endDate: dateString,
  originallyPublishedStartDate: dateString,
  originallyPublishedEndDate: dateString,
  durationMin: looseInt.pipe(z.number().int().min(0)).optional(),
  durationMax: looseInt.pipe(z.number().int().min(0)).optional(),
  uuids: oneOf(text().max(40)),
  host: text().max(255).optional(),
});
export type VideoListQuery = z.infer<typeof videoListQuery>;

export const searchVideosQuery = videoListQuery.extend({ search: text().min(1).max(1000) });

export const rateVideoSchema = z.object({ rating: z.enum(['like', 'dislike', 'none']) });
export type RateVideo = z.infer<typeof rateVideoSchema>;

export const addViewSchema = z.object({
  currentTime: looseInt.pipe(z.number().int().min(0)).optional(),
  viewEvent: text().max(20).optional(),
  sessionId: text().max(100).optional(),
});
export type AddView = z.infer<typeof addViewSchema>;

/** File extensions accepted for uploads (advertised in /api/v1/config `video.file.extensions`). */
export const VIDEO_FILE_EXTENSIONS = [
  '.mp4', '.ogv', '.webm', '.mkv', '.mov', '.qt', '.mqv', '.m4v', '.flv', '.f4v', '.wmv', '.avi', '.3gp', '.3gpp', '.3g2', '.3gpp2',
  '.nut', '.mts', '.m2ts', '.mpv', '.m2v', '.m1v', '.mpg', '.mpe', '.mpeg', '.vob', '.mxf',
  '.mp3', '.wma', '.wav', '.flac', '.aac', '.m4a', '.ac3', '.ogg', '.oga', '.opus',
];

/** `VideoInclude` bitmask values (moderators only). */
export const VideoInclude = { NONE: 0, NOT_PUBLISHED_STATE: 1, BLACKLISTED: 2, BLOCKED_OWNER: 4, FILES: 8 } as const;

export interface VideoCreated {
  video: { id: number; uuid: string; shortUUID: string };
}

export interface VideoFile {
  id: number;
  resolution: Constant<number>;
  size: number;
  fps: number;
  width: number | null;
  height: number | null;
  fileUrl: string;
  fileDownloadUrl: string;
  torrentUrl: string | null;
  torrentDownloadUrl: string | null;
  magnetUri: string | null;
  metadataUrl: string | null;
  hasAudio: boolean;
  hasVideo: boolean;
  storage: number;
}

export interface VideoStreamingPlaylist {
  id: number;
  type: number;
  playlistUrl: string;
  segmentsSha256Url: string;
  files: VideoFile[];
  redundancies: { baseUrl: string }[];
}

export interface Video {
  id: number;
  uuid: string;
  shortUUID: string;
  url: string;
  name: string;
  isLive: boolean;
  isLocal: boolean;
  createdAt: string;
  publishedAt: string | null;
  updatedAt: string;
  originallyPublishedAt: string | null;
  category: Constant<number | null>;
  licence: Constant<number | null>;
  language: Constant<string | null>;
  privacy: Constant<number>;
  state: Constant<number>;
  truncatedDescription: string | null;
  description: string | null;
  duration: number;
  aspectRatio: number | null;
  thumbnailPath: string | null;
  previewPath: string | null;
  embedPath: string;
  views: number;
  viewers: number;
  likes: number;
  dislikes: number;
  nsfw: boolean;
  waitTranscoding: boolean | null;
  scheduledUpdate: null;
  blacklisted: boolean | null;
  blacklistedReason: string | null;
  account: AccountSummary;
  channel: VideoChannelSummary;
  userHistory: null;
  /** Only with `include=8` (FILES) in lists. */
  files?: VideoFile[];
  streamingPlaylists?: VideoStreamingPlaylist[];
}

export interface VideoDetails extends Omit<Video, 'account' | 'channel'> {
  support: string | null;
  account: Account;
  channel: VideoChannel;
  tags: string[];
  commentsEnabled: boolean;
  commentsPolicy: Constant<number>;
  downloadEnabled: boolean;
  inputFileUpdatedAt: string | null;
  trackerUrls: string[];
  files: VideoFile[];
  streamingPlaylists: VideoStreamingPlaylist[];
  /** Flotilla: why transcoding failed (state 7); only for the owner and moderators, else absent. */
  transcodingError?: string | null;
}

export interface VideoQuotaUsed {
  videoQuotaUsed: number;
  videoQuotaUsedDaily: number;
}

export interface VideoRating {
  id: number;
  rating: 'like' | 'dislike' | 'none';
}

export interface VideoFileToken {
  files: { token: string; expires: string };
}

/** GET /api/v1/overviews/videos: one page of PeerTube's "Discover" groups. */
export const videosOverviewQuery = z.object({ page: looseInt.pipe(z.number().int().min(1).max(20)).optional() });

export interface VideosOverview {
  categories: { category: Constant<number | null>; videos: Video[] }[];
  channels: { channel: VideoChannelSummary; videos: Video[] }[];
  tags: { tag: string; videos: Video[] }[];
}
