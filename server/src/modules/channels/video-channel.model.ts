import { DataTypes, Model, type Sequelize } from 'sequelize';
import type { ActorModel } from '../actors';
import type { AccountModel } from '../users';

export class VideoChannelModel extends Model {
  declare id: number;
  declare actorId: number;
  declare accountId: number;
  /** Display name. */
  declare name: string;
  declare description: string | null;
  declare support: string | null;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare Actor?: ActorModel;
  declare Account?: AccountModel;

  static initModel(sequelize: Sequelize): void {
    VideoChannelModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        actorId: { type: DataTypes.INTEGER, allowNull: false },
        accountId: { type: DataTypes.INTEGER, allowNull: false },
        name: { type: DataTypes.STRING, allowNull: false },
        description: { type: DataTypes.STRING(1000) },
        support: { type: DataTypes.STRING(1000) },
      },
      { sequelize, tableName: 'video_channel', modelName: 'VideoChannel' },
    );
  }
}
