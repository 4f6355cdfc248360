import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, type Sequelize } from 'sequelize';
import { DEFAULT_NOTIFICATION_SETTINGS, type NotificationActorInfo, type UserNotification, type UserNotificationSettingName } from '@flotilla/shared';
import { SEQUELIZE } from '../../common/tokens';

export interface Recipient {
  userId: number;
  email: string;
  /** The user's setting for this type (bit 1 web, bit 2 e-mail). */
  setting: number;
}

/** What a notification points at (for cascades when those go) besides what it shows. */
export interface NotificationRefs {
  videoId?: number | null;
  commentId?: number | null;
  accountId?: number | null;
  actorFollowId?: number | null;
}

export type NotificationPayload = Omit<UserNotification, 'id' | 'type' | 'read' | 'createdAt' | 'updatedAt'>;

interface Row {
  id: number;
  type: number;
  read: boolean;
  payload: NotificationPayload;
  created_at: Date;
  updated_at: Date;
}

/**
 * The queries of user_notification, and the reads of the other tables a fan-out needs, in SQL:
 * the recipients of a channel's new video (10,000 subscribers) come from one join with their
 * settings, and their rows go in with one INSERT … SELECT unnest.
 */
@Injectable()
export class NotificationsRepository {
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

  /** Local users whose account follows this channel (accepted). */
  subscribersOfChannelActor(channelActorId: number, name: UserNotificationSettingName): Promise<Recipient[]> {
    return this.recipients(`SELECT a.user_id FROM actor_follow f JOIN account a ON a.actor_id = f.actor_id WHERE f.target_actor_id = $1 AND f.state = 'accepted' AND a.user_id IS NOT NULL`, name, [channelActorId]);
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

  async video(videoId: number, localHost: string) {
    const [v] = await this.sequelize.query<{
      id: number;
      uuid: string;
      name: string;
      privacy: number;
      state: number;
      remote: boolean;
      isLive: boolean;
      channelActorId: number;
      ownerAccountId: number;
      ownerUserId: number | null;
    }>(
      `SELECT v.id, v.uuid, v.name, v.privacy, v.state, v.remote, v.is_live AS "isLive", c.actor_id AS "channelActorId", c.account_id AS "ownerAccountId", a.user_id AS "ownerUserId"
       FROM video v JOIN video_channel c ON c.id = v.channel_id JOIN account a ON a.id = c.account_id WHERE v.id = $1`,
      { bind: [videoId], type: QueryTypes.SELECT },
    );
    if (!v) return null;
    const channel = await this.actorInfo(v.channelActorId, localHost);
    return channel ? { ...v, channel } : null;
  }

  /** PeerTube's ActorInfo of an actor: the account's or channel's id and display name. */
  async actorInfo(actorId: number, localHost: string): Promise<(NotificationActorInfo & { kind: 'account' | 'channel' | 'instance' }) | null> {
    const [r] = await this.sequelize.query<{ id: number; name: string; displayName: string; host: string; kind: 'account' | 'channel' | 'instance' }>(
      `SELECT COALESCE(c.id, a.id, ac.id) AS id, ac.preferred_username AS name, COALESCE(c.name, a.name, ac.preferred_username) AS "displayName",
              COALESCE(s.host, $2) AS host, CASE WHEN c.id IS NOT NULL THEN 'channel' WHEN ac.type = 'Application' THEN 'instance' ELSE 'account' END AS kind
       FROM actor ac LEFT JOIN server s ON s.id = ac.server_id LEFT JOIN account a ON a.actor_id = ac.id LEFT JOIN video_channel c ON c.actor_id = ac.id
       WHERE ac.id = $1`,
      { bind: [actorId, localHost], type: QueryTypes.SELECT },
    );
    return r ? { ...r, avatars: [] } : null;
  }

  async actorIdOfAccount(accountId: number): Promise<number | null> {
    const [r] = await this.sequelize.query<{ actorId: number }>(`SELECT actor_id AS "actorId" FROM account WHERE id = $1`, { bind: [accountId], type: QueryTypes.SELECT });
    return r?.actorId ?? null;
  }

  async accountIdOfUser(userId: number): Promise<number | null> {
    const [r] = await this.sequelize.query<{ id: number }>(`SELECT id FROM account WHERE user_id = $1`, { bind: [userId], type: QueryTypes.SELECT });
    return r?.id ?? null;
  }

  async follow(followerActorId: number, followingActorId: number): Promise<{ id: number; state: 'pending' | 'accepted' } | null> {
    const [r] = await this.sequelize.query<{ id: number; state: 'pending' | 'accepted' }>(`SELECT id, state FROM actor_follow WHERE actor_id = $1 AND target_actor_id = $2`, {
      bind: [followerActorId, followingActorId],
      type: QueryTypes.SELECT,
    });
    return r ?? null;
  }

  /** The author account of a comment (the parent of a reply), null once it is gone or anonymous. */
  async commentAuthorAccountId(commentId: number): Promise<number | null> {
    const [r] = await this.sequelize.query<{ accountId: number | null }>(`SELECT account_id AS "accountId" FROM video_comment WHERE id = $1`, { bind: [commentId], type: QueryTypes.SELECT });
    return r?.accountId ?? null;
  }

  /** One row per user, in one statement; returns the ids and dates in the users' order. */
  async insertMany(type: number, userIds: number[], refs: NotificationRefs, payload: NotificationPayload): Promise<{ id: number; userId: number; createdAt: Date }[]> {
    if (userIds.length === 0) return [];
    return this.sequelize.query<{ id: number; userId: number; createdAt: Date }>(
      `INSERT INTO user_notification (type, user_id, video_id, comment_id, account_id, actor_follow_id, payload)
       SELECT $1, u, $3, $4, $5, $6, $7::jsonb FROM unnest($2::int[]) AS u
       RETURNING id, user_id AS "userId", created_at AS "createdAt"`,
      {
        bind: [type, userIds, refs.videoId ?? null, refs.commentId ?? null, refs.accountId ?? null, refs.actorFollowId ?? null, JSON.stringify(payload)],
        type: QueryTypes.SELECT,
      },
    );
  }

  async list(userId: number, q: { start: number; count: number; sort: string; unread?: boolean }): Promise<{ total: number; data: UserNotification[] }> {
    const unread = q.unread ? 'AND read = false' : '';
    const order = q.sort === 'createdAt' ? 'ASC' : 'DESC';
    const rows = await this.sequelize.query<Row>(
      `SELECT id, type, read, payload, created_at, updated_at FROM user_notification WHERE user_id = $1 ${unread} ORDER BY id ${order} OFFSET $2 LIMIT $3`,
      { bind: [userId, q.start, q.count], type: QueryTypes.SELECT },
    );
    const [{ n }] = await this.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM user_notification WHERE user_id = $1 ${unread}`, { bind: [userId], type: QueryTypes.SELECT });
    return { total: Number(n), data: rows.map((r) => NotificationsRepository.format(r)) };
  }

  static format(r: Row): UserNotification {
    return { id: r.id, type: r.type, read: r.read, ...r.payload, createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString() };
  }

  /** Marks these of the user's notifications read, in one statement; the ids that are not the user's are returned (and nothing is marked). */
  async markRead(userId: number, ids: number[]): Promise<number[]> {
    const mine = await this.sequelize.query<{ id: number }>(`SELECT id FROM user_notification WHERE user_id = $1 AND id = ANY($2::int[])`, { bind: [userId, ids], type: QueryTypes.SELECT });
    const found = new Set(mine.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) return missing;
    await this.sequelize.query(`UPDATE user_notification SET read = true, updated_at = now() WHERE user_id = $1 AND id = ANY($2::int[]) AND read = false`, { bind: [userId, ids] });
    return [];
  }

  async markAllRead(userId: number): Promise<void> {
    await this.sequelize.query(`UPDATE user_notification SET read = true, updated_at = now() WHERE user_id = $1 AND read = false`, { bind: [userId] });
  }
}
