import { DataTypes, Model, type Sequelize } from 'sequelize';

/**
 * One media file: a web video of a video (`videoId` set) or an HLS rendition of a streaming
 * playlist (`videoStreamingPlaylistId` set). Resolution 0 is audio only.
 */
export class VideoFileModel extends Model {
  declare id: number;
  declare videoId: number | null;
  declare videoStreamingPlaylistId: number | null;
  declare resolution: number;
  declare size: number;
  declare fps: number;
  declare width: number | null;
  declare height: number | null;
  declare extname: string;
  declare filename: string;
  /** Set for remote files only; local URLs are built from the filename. */
  declare fileUrl: string | null;
  declare infoHash: string | null;
  declare torrentFilename: string | null;
  declare storage: number;
  declare hasAudio: boolean;
  declare hasVideo: boolean;
  /** HLS renditions: the master playlist's CODECS value, the media duration and the per-segment hashes. */
  declare codecs: string | null;
  declare duration: number | null;
  declare segmentsSha256: Record<string, string> | null;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    VideoFileModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        videoId: { type: DataTypes.INTEGER },
        videoStreamingPlaylistId: { type: DataTypes.INTEGER },
        resolution: { type: DataTypes.INTEGER, allowNull: false },
        size: {
          type: DataTypes.BIGINT,
          allowNull: false,
          // pg returns BIGINT as a string; files are far below 2^53 bytes.
          get(this: VideoFileModel) {
            return Number(this.getDataValue('size'));
          },
        },
        fps: { type: DataTypes.REAL, allowNull: false, defaultValue: -1 },
        width: { type: DataTypes.INTEGER },
        height: { type: DataTypes.INTEGER },
        extname: { type: DataTypes.STRING(10), allowNull: false },
        filename: { type: DataTypes.STRING(255), allowNull: false },
        fileUrl: { type: DataTypes.STRING(2000) },
        infoHash: { type: DataTypes.STRING(40) },
        torrentFilename: { type: DataTypes.STRING(255) },
        storage: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 0 },
        hasAudio: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        hasVideo: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        codecs: { type: DataTypes.STRING(100) },
        duration: { type: DataTypes.REAL },
        segmentsSha256: { type: DataTypes.JSONB, field: 'segments_sha256' },
      },
      { sequelize, tableName: 'video_file', modelName: 'VideoFile' },
    );
  }
}
