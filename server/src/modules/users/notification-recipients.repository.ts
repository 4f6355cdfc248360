import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DEFAULT_NOTIFICATION_SETTINGS, type UserNotificationSettingName } from '@flotilla/shared';
import { SEQUELIZE } from '../../common/tokens';

export interface Recipient {
  userId: number;
  email: string;
  /** The user's setting for this type (bit 1 web, bit 2 e-mail). */
  setting: number;
}

/**
 * Who gets a notification, from the `user` and `account` tables (this module's): each audience in
 * one query with the users' setting for the type, so a channel's 10,000 subscribers are one read.
 */
@Injectable()
export class NotificationRecipients {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  private settingSql(name: UserNotificationSettingName): string {
    // `name` is one of the constant keys (never input): safe in the SQL text.
    if (!(name in DEFAULT_NOTIFICATION_SETTINGS)) throw new Error(`unknown setting ${name}`);
    return `COALESCE((u.notification_settings->>'${name}')::int, ${DEFAULT_NOTIFICATION_SETTINGS[name]})`;
  }

  private recipients(sql: string, name: UserNotificationSettingName, bind: unknown[]): Promise<Recipient[]> {
    return this.sequelize.query<Recipient>(
      `SELECT u.id AS "userId", u.email, ${this.settingSql(name)} AS setting FROM "user" u WHERE u.blocked = false AND ${this.settingSql(name)} > 0 AND u.id IN (${sql})`,
      { bind, type: QueryTypes.SELECT },
    );
  }

  /** Local users whose account actor is one of these (a channel's followers, from federation). */
  usersOfAccountActors(actorIds: number[], name: UserNotificationSettingName): Promise<Recipient[]> {
    return this.recipients(`SELECT a.user_id FROM account a WHERE a.actor_id = ANY($1::int[]) AND a.user_id IS NOT NULL`, name, [actorIds]);
  }

  usersOfAccounts(accountIds: number[], name: UserNotificationSettingName): Promise<Recipient[]> {
    return this.recipients(`SELECT a.user_id FROM account a WHERE a.id = ANY($1::int[]) AND a.user_id IS NOT NULL`, name, [accountIds]);
  }

  /** The local user owning this actor (an account's, or a channel's account's). */
  ownerOfActor(actorId: number, name: UserNotificationSettingName): Promise<Recipient[]> {
    return this.recipients(
      `SELECT a.user_id FROM account a WHERE a.actor_id = $1 AND a.user_id IS NOT NULL UNION SELECT a.user_id FROM video_channel c JOIN account a ON a.id = c.account_id WHERE c.actor_id = $1 AND a.user_id IS NOT NULL`,
      name,
      [actorId],
    );
  }

  users(userIds: number[], name: UserNotificationSettingName): Promise<Recipient[]> {
    return this.recipients(`SELECT unnest($1::int[])`, name, [userIds]);
  }

  /** Administrators (role 0), or administrators and moderators (role 1). */
  staff(roles: number[], name: UserNotificationSettingName): Promise<Recipient[]> {
    return this.recipients(`SELECT id FROM "user" WHERE role = ANY($1::int[])`, name, [roles]);
  }

  async actorIdOfAccount(accountId: number): Promise<number | null> {
    const [r] = await this.sequelize.query<{ actorId: number }>(`SELECT actor_id AS "actorId" FROM account WHERE id = $1`, { bind: [accountId], type: QueryTypes.SELECT });
    return r?.actorId ?? null;
  }

  async accountIdOfUser(userId: number): Promise<number | null> {
    const [r] = await this.sequelize.query<{ id: number }>(`SELECT id FROM account WHERE user_id = $1`, { bind: [userId], type: QueryTypes.SELECT });
    return r?.id ?? null;
  }
}
