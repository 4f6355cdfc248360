import { DataTypes, Model, type Sequelize } from 'sequelize';
import type { RunnerJobState, RunnerJobType } from '@flotilla/shared';

export class RunnerRegistrationTokenModel extends Model {
  declare id: number;
  declare registrationToken: string;
  declare createdAt: Date;
  declare updatedAt: Date;

  static initModel(sequelize: Sequelize): void {
    RunnerRegistrationTokenModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        registrationToken: { type: DataTypes.STRING(1000), allowNull: false, unique: true },
      },
      { sequelize, tableName: 'runner_registration_token', modelName: 'RunnerRegistrationToken' },
    );
  }
}

export class RunnerModel extends Model {
  declare id: number;
  declare runnerToken: string;
  declare name: string;
  declare description: string | null;
  declare version: string | null;
  declare ip: string;
  declare lastContact: Date;
  declare runnerRegistrationTokenId: number;
  declare createdAt: Date;
  declare updatedAt: Date;
  /** Loaded with the runner when authenticating (it tells the embedded runner apart). */
  declare RunnerRegistrationToken?: RunnerRegistrationTokenModel;

  static initModel(sequelize: Sequelize): void {
    RunnerModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        runnerToken: { type: DataTypes.STRING(1000), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(100), allowNull: false, unique: true },
        description: { type: DataTypes.STRING(1000) },
        version: { type: DataTypes.STRING(100) },
        ip: { type: DataTypes.STRING(100), allowNull: false },
        lastContact: { type: DataTypes.DATE, allowNull: false },
        runnerRegistrationTokenId: { type: DataTypes.INTEGER, allowNull: false },
      },
      { sequelize, tableName: 'runner', modelName: 'Runner' },
    );
  }
}

export class RunnerJobModel extends Model {
  declare id: number;
  declare uuid: string;
  declare type: RunnerJobType;
  declare payload: Record<string, unknown>;
  declare privatePayload: Record<string, unknown>;
  declare state: RunnerJobState;
  declare failures: number;
  declare error: string | null;
  declare priority: number;
  declare processingJobToken: string | null;
  declare progress: number | null;
  declare startedAt: Date | null;
  declare finishedAt: Date | null;
  declare dependsOnRunnerJobId: number | null;
  declare runnerId: number | null;
  declare videoUuid: string | null;
  declare resolution: number | null;
  /** Only the embedded runner may list and accept it. */
  declare embeddedOnly: boolean;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare Runner?: RunnerModel | null;
  declare Parent?: RunnerJobModel | null;

  static initModel(sequelize: Sequelize): void {
    RunnerJobModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        uuid: { type: DataTypes.UUID, allowNull: false, unique: true },
        type: { type: DataTypes.STRING(50), allowNull: false },
        payload: { type: DataTypes.JSONB, allowNull: false },
        privatePayload: { type: DataTypes.JSONB, allowNull: false },
        state: { type: DataTypes.SMALLINT, allowNull: false },
        failures: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        error: { type: DataTypes.STRING(5000) },
        priority: { type: DataTypes.INTEGER, allowNull: false },
        processingJobToken: { type: DataTypes.STRING(1000), unique: true },
        progress: { type: DataTypes.INTEGER },
        startedAt: { type: DataTypes.DATE },
        finishedAt: { type: DataTypes.DATE },
        dependsOnRunnerJobId: { type: DataTypes.INTEGER },
        runnerId: { type: DataTypes.INTEGER },
        videoUuid: { type: DataTypes.UUID },
        resolution: { type: DataTypes.INTEGER },
        embeddedOnly: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      },
      { sequelize, tableName: 'runner_job', modelName: 'RunnerJob' },
    );
  }
}

/** Sets up the runner models and their links; called once from db/models.ts. */
export function initRunnerModels(sequelize: Sequelize): void {
  for (const m of [RunnerRegistrationTokenModel, RunnerModel, RunnerJobModel]) m.initModel(sequelize);
  RunnerModel.belongsTo(RunnerRegistrationTokenModel, { foreignKey: 'runnerRegistrationTokenId' });
  RunnerRegistrationTokenModel.hasMany(RunnerModel, { foreignKey: 'runnerRegistrationTokenId' });
  RunnerJobModel.belongsTo(RunnerModel, { foreignKey: 'runnerId' });
  RunnerJobModel.belongsTo(RunnerJobModel, { foreignKey: 'dependsOnRunnerJobId', as: 'Parent' });
}
