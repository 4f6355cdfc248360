import { DataTypes, Model, type Sequelize } from 'sequelize';

/** A live video's stream key and settings (PeerTube's `videoLive`). */
export class VideoLiveModel extends Model {
  declare id: number;
  declare videoId: number;
  declare streamKey: string;
  declare saveReplay: boolean;
  declare permanentLive: boolean;
  declare latencyMode: number;
  declare replayPrivacy: number | null;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    VideoLiveModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        videoId: { type: DataTypes.INTEGER, allowNull: false },
        streamKey: { type: DataTypes.STRING(100), allowNull: false },
        saveReplay: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        permanentLive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        latencyMode: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 1 },
        replayPrivacy: { type: DataTypes.SMALLINT },
      },
      { sequelize, tableName: 'video_live', modelName: 'VideoLive' },
    );
  }
}

/** One broadcast of a live (PeerTube's `videoLiveSession`). */
export class VideoLiveSessionModel extends Model {
  declare id: number;
  declare liveVideoId: number | null;
  declare replayVideoId: number | null;
  declare startDate: Date;
  declare endDate: Date | null;
  declare error: number | null;
  declare saveReplay: boolean;
  declare endingProcessed: boolean;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    VideoLiveSessionModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        liveVideoId: { type: DataTypes.INTEGER },
        replayVideoId: { type: DataTypes.INTEGER },
        startDate: { type: DataTypes.DATE, allowNull: false },
        endDate: { type: DataTypes.DATE },
        error: { type: DataTypes.SMALLINT },
        saveReplay: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        endingProcessed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      },
      { sequelize, tableName: 'video_live_session', modelName: 'VideoLiveSession' },
    );
  }
}

/** Called once from db/models.ts. */
export function initLiveModels(sequelize: Sequelize): void {
  VideoLiveModel.initModel(sequelize);
  VideoLiveSessionModel.initModel(sequelize);
}
