import { DataTypes, Model, type Sequelize } from 'sequelize';

export type FollowState = 'pending' | 'accepted' | 'rejected';

/** A follow between two actors, local or remote (PeerTube's actorFollow). */
export class ActorFollowModel extends Model {
  declare id: number;
  declare actorId: number;
  declare targetActorId: number;
  declare state: FollowState;
  /** The Follow activity's id (kept as the follower sent it: Mastodon matches its Accept by it). */
  declare url: string;
  declare score: number;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    ActorFollowModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        actorId: { type: DataTypes.INTEGER, allowNull: false },
        targetActorId: { type: DataTypes.INTEGER, allowNull: false },
        state: { type: DataTypes.STRING(20), allowNull: false },
        url: { type: DataTypes.STRING(2000), allowNull: false },
        score: { type: DataTypes.DOUBLE, allowNull: false, defaultValue: 20 },
      },
      { sequelize, tableName: 'actor_follow', modelName: 'ActorFollow' },
    );
  }
}

/** Delivery health of one remote host. */
export class FederationHostModel extends Model {
  declare id: number;
  declare host: string;
  declare consecutiveFailures: number;
  declare failingSince: Date | null;
  declare unreachable: boolean;
  declare delivered: number;
  declare failed: number;
  declare lastSuccessAt: Date | null;
  declare lastFailureAt: Date | null;
  declare lastError: string | null;

  static initModel(sequelize: Sequelize): void {
    FederationHostModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        host: { type: DataTypes.STRING(255), allowNull: false },
        consecutiveFailures: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        failingSince: { type: DataTypes.DATE },
        unreachable: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        delivered: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        failed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lastSuccessAt: { type: DataTypes.DATE },
        lastFailureAt: { type: DataTypes.DATE },
        lastError: { type: DataTypes.STRING(500) },
      },
      { sequelize, tableName: 'federation_host', modelName: 'FederationHost' },
    );
  }
}

/** Federation's part of a remote video: origin URLs of its images and trackers, its `updated` date. */
export class RemoteVideoModel extends Model {
  declare id: number;
  declare videoId: number;
  declare thumbnailUrl: string | null;
  declare previewUrl: string | null;
  declare trackerUrls: string[];
  declare remoteUpdatedAt: Date;
  declare fetchedAt: Date;

  static initModel(sequelize: Sequelize): void {
    RemoteVideoModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        videoId: { type: DataTypes.INTEGER, allowNull: false },
        thumbnailUrl: { type: DataTypes.STRING(2000) },
        previewUrl: { type: DataTypes.STRING(2000) },
        trackerUrls: { type: DataTypes.ARRAY(DataTypes.STRING(2000)), allowNull: false, defaultValue: [] },
        remoteUpdatedAt: { type: DataTypes.DATE, allowNull: false },
        fetchedAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'remote_video', modelName: 'RemoteVideo' },
    );
  }
}

export function initFederationModels(sequelize: Sequelize): void {
  ActorFollowModel.initModel(sequelize);
  FederationHostModel.initModel(sequelize);
  RemoteVideoModel.initModel(sequelize);
}
