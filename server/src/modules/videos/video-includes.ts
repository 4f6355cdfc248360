import type { Includeable } from 'sequelize';
import { actorInclude } from '../actors';
import { VideoChannelModel } from '../channels';
import { AccountModel } from '../users';
import { ThumbnailModel, VideoFileModel, VideoStreamingPlaylistModel } from '../media-files';

/** The channel, its account and both actors: what the formatter needs for summaries and full objects. */
export const channelInclude = (opts: { withImages?: boolean } = {}): Includeable => ({
  model: VideoChannelModel,
  required: true,
  include: [actorInclude(opts), { model: AccountModel, required: true, include: [actorInclude(opts)] }],
});

/**
 * The one-to-one part of a video list page, for plain rows (`raw` + `nest`): building model
 * instances was about 40 % of a list request's CPU. VideoListParts loads the rest.
 */
export const listIncludes = (): Includeable[] => [channelInclude({ withImages: false })];

/** The per-segment hashes only serve the HLS index rewrite: API reads leave them in the database. */
const fileAttributes = { exclude: ['segmentsSha256'] };

export const fileIncludes = (): Includeable[] => [
  { model: VideoFileModel, separate: true, attributes: fileAttributes },
  { model: VideoStreamingPlaylistModel, separate: true, include: [{ model: VideoFileModel, separate: true, attributes: fileAttributes }] },
];

export const detailIncludes = (): Includeable[] => [channelInclude(), { model: ThumbnailModel, separate: true }, ...fileIncludes()];
