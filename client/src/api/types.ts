/**
 * The client's one import point for wire types. They come from @flotilla/shared; only the
 * client-side shapes of a request (every field optional, upload form fields) are declared here.
 */
import type { Account, AccountSummary, ActorImage, Constant, VideoChannel, VideoChannelSummary } from '@flotilla/shared';


export type { Account, AccountSummary, ActorImage, Constant, VideoChannel, VideoChannelSummary };
export type { ResultList, User, TokenResponse, OAuthClientLocal, RegisterUser, UpdateMe } from '@flotilla/shared';

// Video wire types now live in @flotilla/shared; re-exported so the client has one import point.
export type { Video, VideoDetails, VideoFile, VideoStreamingPlaylist, VideoQuotaUsed } from '@flotilla/shared';
import type {
  ListRunnerJobsQuery,
  PaginationQuery,
  RunnerAdmin,
  RunnerRegistrationTokenAdmin,
  VideoListQuery as SharedVideoListQuery,
  VideoCreated,
  VideoRating,
} from '@flotilla/shared';

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

/** Query parameters of the video lists: shared's schema, every field optional on the sending side. */
export type VideoListQuery = Partial<SharedVideoListQuery>;

/** Pagination parameters of every other list. */
export type ListQuery = Partial<Pick<PaginationQuery, 'start' | 'count' | 'sort'>>;

export type { ServerConfig, RunnerJobType, RunnerJobAdmin } from '@flotilla/shared';
export type Runner = RunnerAdmin;
export type RunnerRegistrationToken = RunnerRegistrationTokenAdmin;
export type RunnerJobListQuery = Partial<Pick<ListRunnerJobsQuery, 'start' | 'count' | 'sort' | 'search' | 'stateOneOf'>>;
