import { col, DataTypes, fn, Model, Op, where, type Sequelize, type Transaction } from 'sequelize';

export type ActorType = 'Person' | 'Group' | 'Application' | 'Service' | 'Organization';

export class ServerModel extends Model {
  declare id: number;
  declare host: string;
  declare redundancyAllowed: boolean;
  declare blocked: boolean;

  static initModel(sequelize: Sequelize): void {
    ServerModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        host: { type: DataTypes.STRING, allowNull: false },
        redundancyAllowed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        blocked: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      },
      { sequelize, tableName: 'server', modelName: 'Server' },
    );
  }
}

const localNameWhere = (name: string) => ({
  [Op.and]: [{ serverId: null }, where(fn('lower', col('preferred_username')), name.toLowerCase())],
});

export class ActorModel extends Model {
  declare id: number;
  declare type: ActorType;
  declare preferredUsername: string;
  declare url: string;
  declare publicKey: string | null;
  declare privateKey: string | null;
  declare followersCount: number;
  declare followingCount: number;
  declare inboxUrl: string;
  declare outboxUrl: string | null;
  declare sharedInboxUrl: string | null;
  declare followersUrl: string | null;
  declare followingUrl: string | null;
  declare serverId: number | null;
  declare remoteCreatedAt: Date | null;
  /** The `updated` date of the newest profile stored for a remote actor (null when none said one). */
  declare remoteUpdatedAt: Date | null;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare Server?: ServerModel | null;
  declare Images?: ActorImageModel[];

  isLocal(): boolean {
    return this.serverId === null;
  }

  /** The local actor with this name (accounts and channels share the namespace, case-insensitive). */
  static findLocalByName(name: string, transaction?: Transaction): Promise<ActorModel | null> {
    return ActorModel.findOne({ where: localNameWhere(name), transaction });
  }

  static async isLocalNameTaken(name: string, transaction?: Transaction): Promise<boolean> {
    return (await ActorModel.count({ where: localNameWhere(name), transaction })) > 0;
  }

  static initModel(sequelize: Sequelize): void {
    ActorModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        type: { type: DataTypes.STRING(20), allowNull: false },
        preferredUsername: { type: DataTypes.STRING, allowNull: false },
        url: { type: DataTypes.STRING(2000), allowNull: false },
        publicKey: { type: DataTypes.TEXT },
        privateKey: { type: DataTypes.TEXT },
        followersCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        followingCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        inboxUrl: { type: DataTypes.STRING(2000), allowNull: false },
        outboxUrl: { type: DataTypes.STRING(2000) },
        sharedInboxUrl: { type: DataTypes.STRING(2000) },
        followersUrl: { type: DataTypes.STRING(2000) },
        followingUrl: { type: DataTypes.STRING(2000) },
        serverId: { type: DataTypes.INTEGER },
        remoteCreatedAt: { type: DataTypes.DATE },
        remoteUpdatedAt: { type: DataTypes.DATE },
      },
      { sequelize, tableName: 'actor', modelName: 'Actor' },
    );
  }
}

export { ActorImageType } from './actor-image-type';

export class ActorImageModel extends Model {
  declare id: number;
  declare actorId: number;
  declare type: number;
  declare filename: string;
  declare fileUrl: string | null;
  declare width: number;
  declare height: number;
  declare onDisk: boolean;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    ActorImageModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        actorId: { type: DataTypes.INTEGER, allowNull: false },
        type: { type: DataTypes.SMALLINT, allowNull: false },
        filename: { type: DataTypes.STRING, allowNull: false },
        fileUrl: { type: DataTypes.STRING(2000) },
        width: { type: DataTypes.INTEGER, allowNull: false },
        height: { type: DataTypes.INTEGER, allowNull: false },
        onDisk: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      },
      { sequelize, tableName: 'actor_image', modelName: 'ActorImage' },
    );
  }
}
