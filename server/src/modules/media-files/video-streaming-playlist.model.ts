import { DataTypes, Model, type Sequelize } from 'sequelize';
import type { VideoFileModel } from './video-file.model';

/**
 * The HLS playlist of a video (type 1). Files are stored under `hls/<video uuid>/` (see HlsStorageService);
 * `p2pMediaLoaderInfoHashes` are what the P2P loader announces to the tracker.
 */
export class VideoStreamingPlaylistModel extends Model {
  declare id: number;
  declare videoId: number;
  declare type: number;
  declare playlistFilename: string;
  /** Set for remote playlists; local URLs are built from the filename. */
  declare playlistUrl: string | null;
  declare segmentsSha256Filename: string;
  declare segmentsSha256Url: string | null;
  declare p2pMediaLoaderInfoHashes: string[];
  declare p2pMediaLoaderPeerVersion: number;
  declare storage: number;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare VideoFiles?: VideoFileModel[];

  static initModel(sequelize: Sequelize): void {
    VideoStreamingPlaylistModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        videoId: { type: DataTypes.INTEGER, allowNull: false },
        type: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 1 },
        playlistFilename: { type: DataTypes.STRING(255), allowNull: false },
        playlistUrl: { type: DataTypes.STRING(2000) },
        segmentsSha256Filename: { type: DataTypes.STRING(255), allowNull: false },
        segmentsSha256Url: { type: DataTypes.STRING(2000) },
        p2pMediaLoaderInfoHashes: { type: DataTypes.ARRAY(DataTypes.STRING(255)), allowNull: false, defaultValue: [] },
        p2pMediaLoaderPeerVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        storage: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 0 },
      },
      { sequelize, tableName: 'video_streaming_playlist', modelName: 'VideoStreamingPlaylist' },
    );
  }
}
