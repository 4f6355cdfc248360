import { DataTypes, Model, type Sequelize } from 'sequelize';
import type { ActorModel } from '../actors';
import type { UserModel } from './user.model';

export class AccountModel extends Model {
  declare id: number;
  declare actorId: number;
  declare userId: number | null;
  /** Display name. */
  declare name: string;
  declare description: string | null;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare Actor?: ActorModel;
  declare User?: UserModel | null;

  static initModel(sequelize: Sequelize): void {
    AccountModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        actorId: { type: DataTypes.INTEGER, allowNull: false },
        userId: { type: DataTypes.INTEGER },
        name: { type: DataTypes.STRING, allowNull: false },
        description: { type: DataTypes.STRING(1000) },
      },
      { sequelize, tableName: 'account', modelName: 'Account' },
    );
  }
}
