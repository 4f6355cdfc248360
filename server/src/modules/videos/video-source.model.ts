import { DataTypes, Model, type Sequelize } from 'sequelize';

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
      },
      { sequelize, tableName: 'video_source', modelName: 'VideoSource' },
    );
  }
}
