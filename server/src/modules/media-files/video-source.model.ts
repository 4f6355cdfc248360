import { DataTypes, Model, type Sequelize } from 'sequelize';
import type { ProbeSummary } from '@flotilla/shared';

/** What was uploaded: the client's file name and the probed facts of the original. */
export class VideoSourceModel extends Model {
  declare id: number;
  declare videoId: number;
  declare inputFilename: string;
  declare size: number;
  declare resolution: number | null;
  declare width: number | null;
  declare height: number | null;
  declare fps: number | null;
  declare duration: number | null;
  declare formatName: string | null;
  declare videoCodec: string | null;
  declare audioCodec: string | null;
  /** The rest of the ingest's probe: the transcoding planner reads it instead of probing again. */
  declare bitrate: number | null;
  declare videoProfile: string | null;
  declare videoLevel: number | null;
  declare pixelFormat: string | null;
  declare rotation: number | null;
  declare videoBitrate: number | null;
  declare audioProfile: string | null;
  declare audioChannels: number | null;
  declare audioChannelLayout: string | null;
  declare audioBitrate: number | null;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    VideoSourceModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        videoId: { type: DataTypes.INTEGER, allowNull: false },
        inputFilename: { type: DataTypes.STRING(1000), allowNull: false },
        size: {
          type: DataTypes.BIGINT,
          allowNull: false,
          get(this: VideoSourceModel) {
            return Number(this.getDataValue('size'));
          },
        },
        resolution: { type: DataTypes.INTEGER },
        width: { type: DataTypes.INTEGER },
        height: { type: DataTypes.INTEGER },
        fps: { type: DataTypes.REAL },
        duration: { type: DataTypes.REAL },
        formatName: { type: DataTypes.STRING(255) },
        videoCodec: { type: DataTypes.STRING(50) },
        audioCodec: { type: DataTypes.STRING(50) },
        bitrate: { type: DataTypes.INTEGER },
        videoProfile: { type: DataTypes.STRING(50) },
        videoLevel: { type: DataTypes.INTEGER },
        pixelFormat: { type: DataTypes.STRING(50) },
        rotation: { type: DataTypes.INTEGER },
        videoBitrate: { type: DataTypes.INTEGER },
        audioProfile: { type: DataTypes.STRING(50) },
        audioChannels: { type: DataTypes.INTEGER },
        audioChannelLayout: { type: DataTypes.STRING(100) },
        audioBitrate: { type: DataTypes.INTEGER },
      },
      { sequelize, tableName: 'video_source', modelName: 'VideoSource' },
    );
  }
}

const int = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n) : null);

/** The probe's facts `video_source` keeps beyond its first columns. */
export function probeColumns(probe: ProbeSummary) {
  return {
    bitrate: int(probe.bitrate),
    videoProfile: probe.video?.profile?.slice(0, 50) ?? null,
    videoLevel: int(probe.video?.level),
    pixelFormat: probe.video?.pixFmt?.slice(0, 50) ?? null,
    rotation: probe.video ? probe.video.rotation : null,
    videoBitrate: int(probe.video?.bitrate),
    audioProfile: probe.audio?.profile?.slice(0, 50) ?? null,
    audioChannels: int(probe.audio?.channels),
    audioChannelLayout: probe.audio?.channelLayout?.slice(0, 100) ?? null,
    audioBitrate: int(probe.audio?.bitrate),
  };
}

/** The ingest's probe, as stored: what the transcoding planner decides from. */
export function probeOfSource(s: VideoSourceModel): ProbeSummary {
  return {
    duration: s.duration ?? 0,
    bitrate: s.bitrate,
    formatName: s.formatName,
    video:
      s.videoCodec && s.width && s.height
        ? {
            codec: s.videoCodec,
            profile: s.videoProfile,
            level: s.videoLevel,
            pixFmt: s.pixelFormat,
            width: s.width,
            height: s.height,
            rotation: s.rotation ?? 0,
            fps: s.fps ?? 0,
            bitrate: s.videoBitrate,
          }
        : null,
    audio: s.audioCodec
      ? { codec: s.audioCodec, profile: s.audioProfile, channels: s.audioChannels, channelLayout: s.audioChannelLayout, bitrate: s.audioBitrate }
      : null,
  };
}
