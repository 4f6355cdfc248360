import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { UserNotification } from '@flotilla/shared';
import { SEQUELIZE } from '../../common/tokens';

/** What a notification points at (for cascades when those go) besides what it shows. */
export interface NotificationRefs {
  videoId?: number | null;
  commentId?: number | null;
  accountId?: number | null;
  actorFollowId?: number | null;
  registrationId?: number | null;
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
 * The queries of user_notification: a fan-out's rows go in with one INSERT … SELECT unnest (the
 * recipients come from the users module, with their settings, in one query per audience).
 */
@Injectable()
export class NotificationsRepository {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  /** One row per user, in one statement; returns the ids and dates in the users' order. */
  async insertMany(type: number, userIds: number[], refs: NotificationRefs, payload: NotificationPayload): Promise<{ id: number; userId: number; createdAt: Date }[]> {
    if (userIds.length === 0) return [];
    return this.sequelize.query<{ id: number; userId: number; createdAt: Date }>(
      `INSERT INTO user_notification (type, user_id, video_id, comment_id, account_id, actor_follow_id, registration_id, payload)
       SELECT $1, u, $3, $4, $5, $6, $7, $8::jsonb FROM unnest($2::int[]) AS u
       RETURNING id, user_id AS "userId", created_at AS "createdAt"`,
      {
        bind: [type, userIds, refs.videoId ?? null, refs.commentId ?? null, refs.accountId ?? null, refs.actorFollowId ?? null, refs.registrationId ?? null, JSON.stringify(payload)],
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
