import { EventBus } from '../../platform/events/event-bus.service';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { col, fn, Op, where, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import {
  ErrorCode,
  USER_ROLE_LABELS,
  UserRole,
  type CreateUser,
  type RegisterUser,
  type ResultList,
  type UpdateMe,
  type UpdateUser,
  type User,
  DEFAULT_NOTIFICATION_SETTINGS,
  type NotificationSettingsUpdate,
} from '@flotilla/shared';
import { AppError, conflict, forbidden, notFound } from '../../common/app-error';
import { randomToken } from '../../common/crypto';
import { logger } from '../../common/logger';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { actorInclude } from '../actors';
import { ActorsService } from '../actors/actors.service';
import { AuthService, checkPassword, hashPassword } from '../auth/auth.service';
import { ChannelsService } from '../channels/channels.service';
import { AccountModel } from './account.model';
import { AccountsService } from './accounts.service';
import { toAuthUser } from './auth-user';
import { UserEmailsService } from './user-emails.service';
import { UserModel } from './user.model';
import type { AuthUser } from './users.types';

export interface NewUser {
  username: string;
  password: string;
  /** Already hashed (an accepted registration request keeps only the hash): used instead of `password`. */
  passwordHash?: string;
  email: string;
  role: number;
  videoQuota?: number;
  videoQuotaDaily?: number;
  adminFlags?: number;
  displayName?: string;
  channel?: { name: string; displayName: string };
  emailVerified?: boolean;
}

const SORTS: Record<string, [string, 'ASC' | 'DESC']> = {
  id: ['id', 'ASC'],
  '-id': ['id', 'DESC'],
  username: ['username', 'ASC'],
  '-username': ['username', 'DESC'],
  createdAt: ['createdAt', 'ASC'],
  '-createdAt': ['createdAt', 'DESC'],
};

@Injectable()
export class UsersService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly actors: ActorsService,
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
    private readonly auth: AuthService,
    private readonly events: EventBus,
    private readonly emails: UserEmailsService,
  ) {}

  private async assertFree(username: string, email: string, t?: Transaction): Promise<void> {
    const taken = await UserModel.findOne({
      where: {
        [Op.or]: [
          where(fn('lower', col('username')), username.toLowerCase()),
          where(fn('lower', col('email')), email.toLowerCase()),
        ],
      },
      transaction: t,
    });
    if (taken?.username.toLowerCase() === username.toLowerCase()) {
      throw conflict('User with this username already exists', ErrorCode.USERNAME_TAKEN);
    }
    if (taken) throw conflict('User with this email already exists', ErrorCode.EMAIL_TAKEN);
    if (await this.actors.isLocalNameTaken(username, t)) {
      throw conflict('An account or channel with this name already exists', ErrorCode.ACTOR_NAME_TAKEN);
    }
  }

  /** A user, its account (Person actor) and its default channel (Group actor), in one transaction. */
  async create(data: NewUser): Promise<UserModel> {
    return this.sequelize.transaction(async (t) => {
      await this.assertFree(data.username, data.email, t);
      if (data.channel && (await this.actors.isLocalNameTaken(data.channel.name, t))) {
        throw conflict('A channel or account with this name already exists', ErrorCode.ACTOR_NAME_TAKEN);
      }
      if (data.channel?.name === data.username) {
        throw conflict('The channel name must differ from the username', ErrorCode.ACTOR_NAME_TAKEN);
      }
      const user = await UserModel.create(
        {
          username: data.username,
          email: data.email,
          emailVerified: data.emailVerified ?? false,
          password: data.passwordHash ?? (await hashPassword(data.password)),
          role: data.role,
          adminFlags: data.adminFlags ?? 0,
          videoQuota: data.videoQuota ?? this.config.user.video_quota,
          videoQuotaDaily: data.videoQuotaDaily ?? this.config.user.video_quota_daily,
          nsfwPolicy: this.config.instance.default_nsfw_policy,
        },
        { transaction: t },
      );
      const actor = await this.actors.createLocal('account', 'Person', data.username, t);
      const account = await AccountModel.create(
        { actorId: actor.id, userId: user.id, name: data.displayName ?? data.username },
        { transaction: t },
      );
      const channelName = data.channel?.name ?? (await this.actors.findAvailableName(`${data.username}_channel`, t));
      await this.channels.create(
        account.id,
        { name: channelName, displayName: data.channel?.displayName ?? `Main ${data.username} channel` },
        t,
      );
      return user;
    });
  }

  /** 409 when a user, account or channel already holds one of these names (a registration request checks early). */
  async assertNamesFree(username: string, email: string, channelName?: string): Promise<void> {
    await this.assertFree(username, email);
    if (channelName && (await this.actors.isLocalNameTaken(channelName))) {
      throw conflict('A channel or account with this name already exists', ErrorCode.ACTOR_NAME_TAKEN);
    }
  }

  /** First boot: the `root` administrator. Its password comes from FLOTILLA_INITIAL_ROOT_PASSWORD or is generated. */
  async ensureRoot(): Promise<{ created: boolean; password?: string; generated?: boolean }> {
    if ((await UserModel.count()) > 0) return { created: false };
    const generated = !this.config.initialRootPassword;
    const password = this.config.initialRootPassword ?? randomToken(12);
    await this.create({
      username: 'root',
      password,
      email: 'admin@' + this.config.webserver.hostname.replace(/[^a-zA-Z0-9.-]/g, '') + (this.config.webserver.hostname.includes('.') ? '' : '.local'),
      role: UserRole.ADMINISTRATOR,
      emailVerified: true,
      videoQuota: -1,
      videoQuotaDaily: -1,
    });
    logger.info('root user created');
    return { created: true, password: generated ? password : undefined, generated };
  }

  /** A user's request-side values (a video file token's or an upload session's owner), null when gone. */
  async findAuthUser(id: number): Promise<AuthUser | null> {
    const user = await UserModel.findByPk(id);
    return user ? toAuthUser(user) : null;
  }

  async findById(id: number): Promise<UserModel> {
    const user = await UserModel.findByPk(id, { include: [{ model: AccountModel, required: true, include: [actorInclude()] }] });
    if (!user) throw notFound(`User ${id} not found`, ErrorCode.USER_NOT_FOUND);
    return user;
  }

  /** E-mail addresses of the administrators who can act on a message (not blocked). */
  async administratorEmails(): Promise<string[]> {
    const rows = await UserModel.findAll({ where: { role: UserRole.ADMINISTRATOR, blocked: false }, attributes: ['email'], raw: true });
    return rows.map((r) => r.email);
  }

  async list(q: { start: number; count: number; sort?: string; search?: string; blocked?: boolean }): Promise<ResultList<User>> {
    const conditions: WhereOptions[] = [];
    if (q.search) {
      const like = `%${q.search.replace(/[\\%_]/g, '\\$&')}%`;
      conditions.push({ [Op.or]: [{ username: { [Op.iLike]: like } }, { email: { [Op.iLike]: like } }] });
    }
    if (q.blocked !== undefined) conditions.push({ blocked: q.blocked });
    const { rows, count } = await UserModel.findAndCountAll({
      where: { [Op.and]: conditions },
      include: [{ model: AccountModel, required: true, include: [actorInclude()] }],
      order: [Object.hasOwn(SORTS, q.sort ?? '') ? SORTS[q.sort!] : SORTS['-id']],
      offset: q.start,
      limit: q.count,
      distinct: true,
    });
    return { total: count, data: await Promise.all(rows.map((u) => this.format(u))) };
  }

  /** Moderators may only manage plain users. */
  private assertCanManage(actor: AuthUser, target: { role: number }): void {
    if (actor.role === UserRole.ADMINISTRATOR) return;
    if (target.role !== UserRole.USER) throw forbidden('A moderator can only manage users', ErrorCode.INSUFFICIENT_ROLE);
  }

  async createByAdmin(actor: AuthUser, data: CreateUser): Promise<UserModel> {
    this.assertCanManage(actor, data);
    return this.create({
      ...data,
      // Made by a moderator, not through a sign-up form: nothing to verify (PeerTube lets them log in
      // when sign-up requires verification).
      emailVerified: true,
      channel: data.channelName ? { name: data.channelName, displayName: `Main ${data.username} channel` } : undefined,
    });
  }

  async update(actor: AuthUser, id: number, data: UpdateUser): Promise<void> {
    const user = await this.findById(id);
    this.assertCanManage(actor, user);
    if (data.role !== undefined) this.assertCanManage(actor, { role: data.role });
    if (user.username === 'root' && data.role !== undefined && data.role !== user.role) {
      throw new AppError(400, ErrorCode.CANNOT_CHANGE_ROOT_ROLE, 'Cannot change root role');
    }
    if (data.email !== undefined && data.email.toLowerCase() !== user.email.toLowerCase()) {
      const taken = await UserModel.count({ where: where(fn('lower', col('email')), data.email.toLowerCase()) });
      if (taken) throw conflict('User with this email already exists', ErrorCode.EMAIL_TAKEN);
      user.email = data.email;
    }
    if (data.emailVerified !== undefined) user.emailVerified = data.emailVerified;
    if (data.videoQuota !== undefined) user.videoQuota = data.videoQuota;
    if (data.videoQuotaDaily !== undefined) user.videoQuotaDaily = data.videoQuotaDaily;
    if (data.role !== undefined) user.role = data.role;
    if (data.adminFlags !== undefined) user.adminFlags = data.adminFlags;
    if (data.pluginAuth !== undefined) user.pluginAuth = data.pluginAuth;
    if (data.password !== undefined) user.password = await hashPassword(data.password);
    await user.save();
    if (data.password !== undefined || data.role !== undefined) await this.auth.revokeAllFor(user.id);
  }

  async delete(actor: AuthUser, id: number): Promise<void> {
    const user = await this.findById(id);
    if (user.username === 'root') throw new AppError(400, ErrorCode.CANNOT_DELETE_ROOT, 'Cannot remove the root user');
    this.assertCanManage(actor, user);
    await this.remove(user);
  }

  /** PeerTube's `DELETE /users/me`: anyone but root may leave; their channels and videos go too. */
  async deleteMe(me: AuthUser): Promise<void> {
    const user = await this.findById(me.id);
    if (user.username === 'root') throw new AppError(400, ErrorCode.CANNOT_DELETE_ROOT, 'You cannot delete your root account.');
    await this.remove(user);
  }

  /** The user, its account and channels (actors; their rows and videos cascade, the sweep removes the files). */
  private async remove(user: UserModel): Promise<void> {
    await this.sequelize.transaction(async (t) => {
      // Channels and the account are actors: remove the actors (actors' own delete), the rows cascade.
      const channels = await this.channels.listForAccount(user.Account!.id);
      const actorIds = [...channels.map((c) => c.actorId), user.Account!.actorId];
      for (const id of actorIds) await this.actors.delete(id, t);
      await user.destroy({ transaction: t });
    });
  }

  /** PeerTube's PUT /users/me/notification-settings: the required fields and the optional ones given. */
  async updateNotificationSettings(userId: number, data: NotificationSettingsUpdate): Promise<void> {
    const user = await UserModel.findByPk(userId);
    if (!user) throw notFound('User not found', ErrorCode.USER_NOT_FOUND);
    const given = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
    await user.update({ notificationSettings: { ...user.notificationSettings, ...given } });
  }

  async updateMe(me: AuthUser, data: UpdateMe): Promise<void> {
    const user = await UserModel.findByPk(me.id);
    if (!user) throw notFound('User not found', ErrorCode.USER_NOT_FOUND);
    if (data.password !== undefined || data.email !== undefined) {
      if (!(await checkPassword(data.currentPassword ?? '', user.password))) {
        throw new AppError(401, ErrorCode.WRONG_CURRENT_PASSWORD, 'currentPassword is invalid');
      }
    }
    if (data.password !== undefined) user.password = await hashPassword(data.password);
    let emailPending = false;
    if (data.email !== undefined && data.email.toLowerCase() !== user.email.toLowerCase()) {
      const taken = await UserModel.count({ where: where(fn('lower', col('email')), data.email.toLowerCase()) });
      if (taken) throw conflict('User with this email already exists', ErrorCode.EMAIL_TAKEN);
      // With mail, the new address is only pending until its owner follows the link sent to it
      // (PeerTube's pendingEmail); without mail nothing could ever confirm it, so it applies at once.
      emailPending = this.emails.canMail;
      if (emailPending) user.pendingEmail = data.email;
      else user.email = data.email;
    }
    const flags = [
      'nsfwPolicy', 'p2pEnabled', 'autoPlayVideo', 'autoPlayNextVideo', 'autoPlayNextVideoPlaylist',
      'videosHistoryEnabled', 'videoLanguages', 'theme', 'noInstanceConfigWarningModal',
      'noAccountSetupWarningModal', 'noWelcomeModal',
    ] as const;
    for (const k of flags) if (data[k] !== undefined) user.set(k, data[k]);
    await this.sequelize.transaction(async (t) => {
      await user.save({ transaction: t });
      if (data.displayName !== undefined || data.description !== undefined) {
        const account = await AccountModel.findOne({ where: { userId: user.id }, transaction: t });
        if (account) {
          if (data.displayName !== undefined) account.name = data.displayName;
          if (data.description !== undefined) account.description = data.description;
          await account.save({ transaction: t });
        }
      }
    });
    if (emailPending) await this.emails.sendVerifyEmail(user, true);
  }

  async register(data: RegisterUser): Promise<void> {
    if (!this.config.signup.enabled) throw forbidden('User registration is not enabled', ErrorCode.SIGNUP_DISABLED);
    if (this.config.signup.requires_approval) {
      throw forbidden('Sign-up needs a moderator\'s approval: send a registration request', ErrorCode.SIGNUP_REQUIRES_APPROVAL);
    }
    if (this.config.signup.limit !== -1 && (await UserModel.count()) >= this.config.signup.limit) {
      throw forbidden('User limit is reached on this instance', ErrorCode.SIGNUP_DISABLED);
    }
    const user = await this.create({ ...data, role: UserRole.USER });
    this.events.emit('user.registered', { userId: user.id });
    if (this.config.signup.requires_email_verification) await this.emails.sendVerifyEmail(user);
  }

  async format(user: UserModel): Promise<User> {
    const account = user.Account ?? (await AccountModel.findOne({ where: { userId: user.id }, include: [actorInclude()] }));
    const channels = await this.channels.listForAccount(account!.id);
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      pendingEmail: user.pendingEmail,
      emailVerified: user.emailVerified,
      role: { id: user.role, label: USER_ROLE_LABELS[user.role as UserRole] },
      adminFlags: user.adminFlags,
      account: this.accounts.format(account!),
      videoChannels: channels.map((c) => this.channels.format(c)),
      videoQuota: user.videoQuota,
      videoQuotaDaily: user.videoQuotaDaily,
      nsfwPolicy: user.nsfwPolicy,
      p2pEnabled: user.p2pEnabled,
      autoPlayVideo: user.autoPlayVideo,
      autoPlayNextVideo: user.autoPlayNextVideo,
      autoPlayNextVideoPlaylist: user.autoPlayNextVideoPlaylist,
      videosHistoryEnabled: user.videosHistoryEnabled,
      videoLanguages: user.videoLanguages,
      theme: user.theme,
      blocked: user.blocked,
      blockedReason: user.blockedReason,
      createdAt: user.createdAt.toISOString(),
      lastLoginDate: user.lastLoginDate ? user.lastLoginDate.toISOString() : null,
      pluginAuth: user.pluginAuth,
      noInstanceConfigWarningModal: user.noInstanceConfigWarningModal,
      noAccountSetupWarningModal: user.noAccountSetupWarningModal,
      noWelcomeModal: user.noWelcomeModal,
      twoFactorEnabled: false,
      notificationSettings: { ...DEFAULT_NOTIFICATION_SETTINGS, ...user.notificationSettings },
    };
  }

  /** PeerTube's feed token: the secret of the user's subscription feed URL. */
  async feedToken(userId: number): Promise<string> {
    return (await this.findById(userId)).feedToken;
  }

  /** A new feed token: feed URLs given out before stop working. */
  async renewFeedToken(userId: number): Promise<string> {
    const user = await this.findById(userId);
    user.feedToken = randomUUID();
    await user.save();
    return user.feedToken;
  }

  async feedTokenMatches(userId: number, token: string): Promise<boolean> {
    const user = await UserModel.findByPk(userId, { attributes: ['id', 'feedToken'] });
    return !!user && user.feedToken === token.toLowerCase();
  }

  /** NodeInfo's user counts. */
  usage(): Promise<{ total: number; activeMonth: number; activeHalfyear: number }> {
    return UserModel.usage();
  }
}
