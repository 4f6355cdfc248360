import type { Sequelize } from 'sequelize';
import { ThumbnailModel } from './thumbnail.model';
import { VideoFileModel } from './video-file.model';
import { VideoSourceModel } from './video-source.model';
import { VideoStreamingPlaylistModel } from './video-streaming-playlist.model';

/** Sets up the media-files module's models (called from initModels, before the videos module's). */
export function initMediaFileModels(sequelize: Sequelize): void {
  for (const m of [VideoFileModel, VideoStreamingPlaylistModel, ThumbnailModel, VideoSourceModel]) m.initModel(sequelize);
  VideoStreamingPlaylistModel.hasMany(VideoFileModel, { foreignKey: 'videoStreamingPlaylistId' });
  VideoFileModel.belongsTo(VideoStreamingPlaylistModel, { foreignKey: 'videoStreamingPlaylistId' });
}
