import type { Includeable } from 'sequelize';
import { actorInclude } from '../actors/actor-includes';
import { VideoChannelModel } from '../channels/video-channel.model';
import { AccountModel } from '../users/account.model';
import { ThumbnailModel } from './thumbnail.model';
import { VideoFileModel } from './video-file.model';
import { VideoStreamingPlaylistModel } from './video-streaming-playlist.model';

/** The channel, its account and both actors: what the formatter needs for summaries and full objects. */
export const channelInclude = (): Includeable => ({
  model: VideoChannelModel,
  required: true,
  include: [actorInclude(), { model: AccountModel, required: true, include: [actorInclude()] }],
});

/** hasMany includes are loaded in separate queries so LIMIT/OFFSET apply to videos, not joined rows. */
export const listIncludes = (withFiles = false): Includeable[] => [
  channelInclude(),
  { model: ThumbnailModel, separate: true },
  ...(withFiles ? fileIncludes() : []),
];

/** The per-segment hashes only serve the HLS index rewrite: API reads leave them in the database. */
const fileAttributes = { exclude: ['segmentsSha256'] };

export const fileIncludes = (): Includeable[] => [
  { model: VideoFileModel, separate: true, attributes: fileAttributes },
  { model: VideoStreamingPlaylistModel, separate: true, include: [{ model: VideoFileModel, separate: true, attributes: fileAttributes }] },
];

export const detailIncludes = (): Includeable[] => [channelInclude(), { model: ThumbnailModel, separate: true }, ...fileIncludes()];
