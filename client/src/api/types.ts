/**
 * Wire types that @flotilla/shared does not hold yet, shaped as rest-api-core.md describes them
 * (PeerTube's field names and nesting). Others may move them into shared later.
 */
import type { Account, AccountSummary, ActorImage, Constant, VideoChannel, VideoChannelSummary } from '@flotilla/shared';


export type { Account, AccountSummary, ActorImage, Constant, VideoChannel, VideoChannelSummary };
export type { ResultList, User, TokenResponse, OAuthClientLocal, RegisterUser, UpdateMe } from '@flotilla/shared';

// Video wire types now live in @flotilla/shared; re-exported so the client has one import point.
export type { Video, VideoDetails, VideoFile, VideoStreamingPlaylist, VideoQuotaUsed } from '@flotilla/shared';
import type { VideoCreated, VideoRating } from '@flotilla/shared';

/** `{ video: { id, uuid, shortUUID } }`: the answer to every video-creating request. */
export type VideoCreateResult = VideoCreated;

/** Metadata sent with an upload (legacy form fields or resumable init JSON). */
export interface VideoUploadMetadata {
  name: string;
  channelId: number;
  privacy?: number;
  category?: number;
  licence?: number;
  language?: string;
  description?: string;
  support?: string;
  nsfw?: boolean;
  tags?: string[];
  waitTranscoding?: boolean;
  commentsPolicy?: number;
  downloadEnabled?: boolean;
  originallyPublishedAt?: string;
}

export type VideoUpdate = Partial<Omit<VideoUploadMetadata, 'channelId'>> & {
  channelId?: number;
  thumbnailfile?: Blob;
  previewfile?: Blob;
};

export type VideoRatingValue = VideoRating['rating'];
export type UserVideoRate = VideoRating;

export interface VideoListQuery {
  start?: number;
  count?: number;
  sort?: string;
  search?: string;
  categoryOneOf?: number[];
  licenceOneOf?: number[];
  languageOneOf?: string[];
  tagsOneOf?: string[];
  tagsAllOf?: string[];
  isLive?: boolean;
  isLocal?: boolean;
  nsfw?: boolean;
  privacyOneOf?: number[];
  hasHLSFiles?: boolean;
  skipCount?: boolean;
  include?: number;
}

export interface ListQuery {
  start?: number;
  count?: number;
  sort?: string;
}

/** The parts of GET /api/v1/config the client reads; the server sends more (see rest-api-core §12). */
export interface ServerConfig {
  serverVersion: string;
  serverCommit?: string;
  instance: {
    name: string;
    shortDescription: string;
    isNSFW?: boolean;
    defaultNSFWPolicy?: string;
    defaultClientRoute?: string;
    [key: string]: unknown;
  };
  client?: {
    videos?: { resumableUpload?: { maxChunkSize?: number }; [key: string]: unknown };
    [key: string]: unknown;
  };
  defaults?: {
    publish?: { downloadEnabled?: boolean; commentsPolicy?: number; privacy?: number; licence?: number | null };
    p2p?: { webapp?: { enabled?: boolean }; embed?: { enabled?: boolean } };
    [key: string]: unknown;
  };
  signup: {
    allowed: boolean;
    allowedForCurrentIP: boolean;
    requiresEmailVerification: boolean;
    requiresApproval?: boolean;
    minimumAge?: number;
  };
  transcoding?: {
    hls?: { enabled: boolean };
    web_videos?: { enabled: boolean };
    enabledResolutions?: number[];
    remoteRunners?: { enabled: boolean };
    [key: string]: unknown;
  };
  video?: {
    image?: { size?: { max: number }; extensions?: string[] };
    file?: { extensions?: string[] };
  };
  user?: { videoQuota: number; videoQuotaDaily: number };
  tracker?: { enabled: boolean };
  webrtc?: { stunServers?: string[] };
  views?: { videos?: { watchingInterval?: { anonymous?: number; users?: number }; [key: string]: unknown } };
  fieldsConstraints?: { users?: { password?: { minLength: number; maxLength: number } } };
  [key: string]: unknown;
}

export interface RunnerRegistrationToken {
  id: number;
  registrationToken: string;
  createdAt: string;
  updatedAt: string;
  registeredRunnersCount: number;
}

export interface Runner {
  id: number;
  name: string;
  description: string | null;
  ip: string;
  createdAt: string;
  updatedAt: string;
  lastContact: string;
}

export type RunnerJobType =
  | 'vod-web-video-transcoding'
  | 'vod-hls-transcoding'
  | 'vod-audio-merge-transcoding'
  | 'live-rtmp-hls-transcoding'
  | (string & {});

export interface RunnerJobAdmin {
  uuid: string;
  type: RunnerJobType;
  state: Constant<number>;
  payload: Record<string, unknown>;
  privatePayload: Record<string, unknown>;
  failures: number;
  error: string | null;
  progress: number | null;
  priority: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  parent?: { uuid: string; type: string; state: Constant<number> } | null;
  runner: { id: number; name: string; description: string | null } | null;
}

export interface RunnerJobListQuery extends ListQuery {
  search?: string;
  stateOneOf?: number[];
}
