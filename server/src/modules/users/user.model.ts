import { col, DataTypes, fn, Model, where, type Sequelize } from 'sequelize';
import type { AccountModel } from './account.model';

export class UserModel extends Model {
  declare id: number;
  declare username: string;
  declare email: string;
  declare pendingEmail: string | null;
  declare emailVerified: boolean;
  declare password: string;
  declare role: number;
  declare adminFlags: number;
  declare videoQuota: number;
  declare videoQuotaDaily: number;
  declare nsfwPolicy: string;
  declare p2pEnabled: boolean;
  declare videosHistoryEnabled: boolean;
  declare autoPlayVideo: boolean;
  declare autoPlayNextVideo: boolean;
  declare autoPlayNextVideoPlaylist: boolean;
  declare videoLanguages: string[] | null;
  declare theme: string;
  declare blocked: boolean;
  declare blockedReason: string | null;
  declare pluginAuth: string | null;
  declare noInstanceConfigWarningModal: boolean;
  declare noAccountSetupWarningModal: boolean;
  declare noWelcomeModal: boolean;
  /** Only the fields a user changed; the rest are DEFAULT_NOTIFICATION_SETTINGS. */
  declare notificationSettings: Partial<Record<string, number>>;
  declare lastLoginDate: Date | null;
  declare feedToken: string;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare Account?: AccountModel;

  static initModel(sequelize: Sequelize): void {
    // BIGINT comes back from pg as a string; quotas are < 2^53 so a number is safe.
    const bigint = (field: 'videoQuota' | 'videoQuotaDaily') => ({
      type: DataTypes.BIGINT,
      allowNull: false,
      get(this: UserModel) {
        return Number(this.getDataValue(field));
      },
    });
    UserModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        username: { type: DataTypes.STRING(50), allowNull: false },
        email: { type: DataTypes.STRING(400), allowNull: false },
        pendingEmail: { type: DataTypes.STRING(400) },
        emailVerified: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        password: { type: DataTypes.STRING, allowNull: false },
        role: { type: DataTypes.SMALLINT, allowNull: false },
        adminFlags: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 0 },
        videoQuota: bigint('videoQuota'),
        videoQuotaDaily: bigint('videoQuotaDaily'),
        nsfwPolicy: { type: DataTypes.STRING(20), allowNull: false },
        p2pEnabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        videosHistoryEnabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        autoPlayVideo: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        autoPlayNextVideo: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        autoPlayNextVideoPlaylist: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        videoLanguages: { type: DataTypes.ARRAY(DataTypes.STRING(10)) },
        theme: { type: DataTypes.STRING(50), allowNull: false, defaultValue: 'instance-default' },
        blocked: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        blockedReason: { type: DataTypes.STRING(250) },
        pluginAuth: { type: DataTypes.STRING },
        noInstanceConfigWarningModal: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        noAccountSetupWarningModal: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        noWelcomeModal: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        notificationSettings: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        lastLoginDate: { type: DataTypes.DATE },
        feedToken: { type: DataTypes.UUID, allowNull: false, defaultValue: DataTypes.UUIDV4 },
      },
      { sequelize, tableName: 'user', modelName: 'User' },
    );
  }

  /**
   * The user a login names, case-insensitive (PeerTube's rule): the form asks for "username or
   * email", and usernames never contain '@', so a name with one is an e-mail address.
   */
  static findForLogin(usernameOrEmail: string): Promise<UserModel | null> {
    const field = usernameOrEmail.includes('@') ? 'email' : 'username';
    return UserModel.findOne({ where: where(fn('lower', col(field)), usernameOrEmail.toLowerCase()) });
  }

  /** Users in all, and those who logged in within 30 and 182 days (NodeInfo's usage). */
  static async usage(): Promise<{ total: number; activeMonth: number; activeHalfyear: number }> {
    const since = (days: number) => UserModel.count({ where: where(col('last_login_date'), '>', new Date(Date.now() - days * 86400_000)) });
    const [total, activeMonth, activeHalfyear] = await Promise.all([UserModel.count(), since(30), since(182)]);
    return { total, activeMonth, activeHalfyear };
  }
}
