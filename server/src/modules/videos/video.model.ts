import { DataTypes, Model, type Sequelize } from 'sequelize';
import type { VideoChannelModel } from '../channels';
import type { ThumbnailModel, VideoFileModel, VideoSourceModel, VideoStreamingPlaylistModel } from '../media-files';

/** A video, local or remote. `state` and `privacy` hold PeerTube's numeric values. */
export class VideoModel extends Model {
  declare id: number;
  declare uuid: string;
  declare name: string;
  declare description: string | null;
  declare support: string | null;
  declare duration: number;
  declare aspectRatio: number | null;
  declare state: number;
  declare transcodingError: string | null;
  declare privacy: number;
  declare category: number | null;
  declare licence: number | null;
  declare language: string | null;
  declare tags: string[];
  declare nsfw: boolean;
  declare commentsPolicy: number;
  declare downloadEnabled: boolean;
  declare waitTranscoding: boolean;
  declare publishedAt: Date | null;
  declare originallyPublishedAt: Date | null;
  declare inputFileUpdatedAt: Date | null;
  declare views: number;
  declare likes: number;
  declare dislikes: number;
  declare isLive: boolean;
  declare remote: boolean;
  declare url: string;
  declare channelId: number;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare VideoChannel?: VideoChannelModel;
  declare VideoFiles?: VideoFileModel[];
  declare VideoStreamingPlaylists?: VideoStreamingPlaylistModel[];
  declare Thumbnails?: ThumbnailModel[];
  declare VideoSource?: VideoSourceModel | null;

  static initModel(sequelize: Sequelize): void {
    VideoModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        uuid: { type: DataTypes.UUID, allowNull: false },
        name: { type: DataTypes.STRING(120), allowNull: false },
        description: { type: DataTypes.TEXT },
        support: { type: DataTypes.STRING(1000) },
        duration: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        aspectRatio: { type: DataTypes.REAL },
        state: { type: DataTypes.SMALLINT, allowNull: false },
        transcodingError: { type: DataTypes.STRING(2000) },
        privacy: { type: DataTypes.SMALLINT, allowNull: false },
        category: { type: DataTypes.INTEGER },
        licence: { type: DataTypes.INTEGER },
        language: { type: DataTypes.STRING(10) },
        tags: { type: DataTypes.ARRAY(DataTypes.STRING(30)), allowNull: false, defaultValue: [] },
        nsfw: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        commentsPolicy: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 1 },
        downloadEnabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        waitTranscoding: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        publishedAt: { type: DataTypes.DATE },
        originallyPublishedAt: { type: DataTypes.DATE },
        inputFileUpdatedAt: { type: DataTypes.DATE },
        views: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        likes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        dislikes: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        isLive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        remote: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        url: { type: DataTypes.STRING(2000), allowNull: false },
        channelId: { type: DataTypes.INTEGER, allowNull: false },
      },
      { sequelize, tableName: 'video', modelName: 'Video' },
    );
  }

  /** Local videos: those whose channel's actor has no server (NodeInfo's localPosts). */
  static async countLocal(): Promise<number> {
    const [{ n }] = (await VideoModel.sequelize!.query(
      `SELECT count(*)::int AS n FROM video v
         JOIN video_channel vc ON vc.id = v.channel_id JOIN actor a ON a.id = vc.actor_id
        WHERE a.server_id IS NULL`,
      { type: 'SELECT' },
    )) as Array<{ n: number }>;
    return n;
  }
}
