import { DataTypes, Model, type Sequelize } from 'sequelize';

export type AccountVideoRateType = 'like' | 'dislike';

/** A like or dislike of a video by an account (none = no row). */
export class AccountVideoRateModel extends Model {
  declare id: number;
  declare accountId: number;
  declare videoId: number;
  declare type: AccountVideoRateType;
  declare url: string | null;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    AccountVideoRateModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        accountId: { type: DataTypes.INTEGER, allowNull: false },
        videoId: { type: DataTypes.INTEGER, allowNull: false },
        type: { type: DataTypes.STRING(10), allowNull: false },
        url: { type: DataTypes.STRING(2000) },
      },
      { sequelize, tableName: 'account_video_rate', modelName: 'AccountVideoRate' },
    );
  }
}
