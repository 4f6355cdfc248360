import type { Sequelize } from 'sequelize';
import { VideoChannelModel } from '../channels/video-channel.model';
import { AccountVideoRateModel } from './account-video-rate.model';
import { ThumbnailModel } from '../media-files/thumbnail.model';
import { UploadSessionModel } from './upload-session.model';
import { VideoFileModel } from '../media-files/video-file.model';
import { VideoSourceModel } from '../media-files/video-source.model';
import { VideoStreamingPlaylistModel } from '../media-files/video-streaming-playlist.model';
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
