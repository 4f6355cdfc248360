import { DataTypes, Model, type Sequelize } from 'sequelize';
import type { UserModel } from '../users';

export class OAuthClientModel extends Model {
  declare id: number;
  declare clientId: string;
  declare clientSecret: string;
  declare grants: string[];

  static initModel(sequelize: Sequelize): void {
    OAuthClientModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        clientId: { type: DataTypes.STRING(64), allowNull: false },
        clientSecret: { type: DataTypes.STRING(64), allowNull: false },
        grants: { type: DataTypes.ARRAY(DataTypes.STRING(30)), allowNull: false },
        redirectUris: { type: DataTypes.ARRAY(DataTypes.STRING(2000)), allowNull: false, defaultValue: [] },
      },
      { sequelize, tableName: 'oauth_client', modelName: 'OAuthClient' },
    );
  }
}

export class OAuthTokenModel extends Model {
  declare id: number;
  declare accessTokenHash: string;
  declare accessTokenExpiresAt: Date;
  declare refreshTokenHash: string;
  declare refreshTokenExpiresAt: Date;
  declare oauthClientId: number;
  declare userId: number;
  declare User?: UserModel;

  static initModel(sequelize: Sequelize): void {
    OAuthTokenModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        accessTokenHash: { type: DataTypes.CHAR(64), allowNull: false },
        accessTokenExpiresAt: { type: DataTypes.DATE, allowNull: false },
        refreshTokenHash: { type: DataTypes.CHAR(64), allowNull: false },
        refreshTokenExpiresAt: { type: DataTypes.DATE, allowNull: false },
        oauthClientId: { type: DataTypes.INTEGER, allowNull: false },
        userId: { type: DataTypes.INTEGER, allowNull: false },
      },
      { sequelize, tableName: 'oauth_token', modelName: 'OAuthToken' },
    );
  }
}
