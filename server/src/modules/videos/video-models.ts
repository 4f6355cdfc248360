import type { Sequelize } from 'sequelize';
import { VideoChannelModel } from '../channels';
import { AccountVideoRateModel } from './account-video-rate.model';
import { ThumbnailModel, VideoFileModel, VideoSourceModel, VideoStreamingPlaylistModel } from '../media-files';
import { UploadSessionModel } from './upload-session.model';
import { VideoModel } from './video.model';

/** Sets up the videos module's models and their associations with media files (called from initModels, after initMediaFileModels). */
export function initVideoModels(sequelize: Sequelize): void {
  for (const m of [VideoModel, AccountVideoRateModel, UploadSessionModel]) {
    m.initModel(sequelize);
  }
  VideoModel.belongsTo(VideoChannelModel, { foreignKey: 'channelId' });
  VideoModel.hasMany(VideoFileModel, { foreignKey: 'videoId' });
  VideoFileModel.belongsTo(VideoModel, { foreignKey: 'videoId' });
  VideoModel.hasMany(VideoStreamingPlaylistModel, { foreignKey: 'videoId' });
  VideoStreamingPlaylistModel.belongsTo(VideoModel, { foreignKey: 'videoId' });
  VideoModel.hasMany(ThumbnailModel, { foreignKey: 'videoId' });
  VideoModel.hasOne(VideoSourceModel, { foreignKey: 'videoId' });
  AccountVideoRateModel.belongsTo(VideoModel, { foreignKey: 'videoId' });
}
