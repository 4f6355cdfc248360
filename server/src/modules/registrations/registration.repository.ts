import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SEQUELIZE } from '../../common/tokens';

export interface RegistrationRow {
  id: number;
  state: number;
  registration_reason: string;
  moderation_response: string | null;
  password: string;
  username: string;
  email: string;
  email_verified: boolean;
  account_display_name: string;
  channel_handle: string | null;
  channel_display_name: string | null;
  user_id: number | null;
  created_at: Date;
  updated_at: Date;
}

export type NewRegistration = Pick<
  RegistrationRow,
  'registration_reason' | 'password' | 'username' | 'email' | 'account_display_name' | 'channel_handle' | 'channel_display_name'
>;

const SORTS: Record<string, string> = {
  createdAt: 'created_at ASC, id ASC',
  '-createdAt': 'created_at DESC, id DESC',
  state: 'state ASC, id DESC',
  '-state': 'state DESC, id DESC',
};

/** Every query on `user_registration`. */
@Injectable()
export class RegistrationRepository {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  /** A pending or moderated request already holding this username, e-mail or channel handle. */
  async findClash(username: string, email: string, channel: string | null): Promise<RegistrationRow | null> {
    const rows = await this.sequelize.query<RegistrationRow>(
      `SELECT * FROM user_registration
        WHERE lower(username) = lower(:username) OR lower(email) = lower(:email)
           OR (:channel::text IS NOT NULL AND lower(channel_handle) = lower(:channel::text)) LIMIT 1`,
      { replacements: { username, email, channel }, type: QueryTypes.SELECT },
    );
    return rows[0] ?? null;
  }

  async create(r: NewRegistration): Promise<RegistrationRow> {
    const [rows] = await this.sequelize.query(
      `INSERT INTO user_registration (state, registration_reason, password, username, email, account_display_name, channel_handle, channel_display_name)
       VALUES (1, :registration_reason, :password, :username, :email, :account_display_name, :channel_handle, :channel_display_name) RETURNING *`,
      { replacements: { ...r } },
    );
    return (rows as RegistrationRow[])[0];
  }

  async findByEmail(email: string): Promise<RegistrationRow | null> {
    const rows = await this.sequelize.query<RegistrationRow>('SELECT * FROM user_registration WHERE lower(email) = lower(:email)', { replacements: { email }, type: QueryTypes.SELECT });
    return rows[0] ?? null;
  }

  async markEmailVerified(id: number): Promise<void> {
    await this.sequelize.query('UPDATE user_registration SET email_verified = true, updated_at = now() WHERE id = :id', { replacements: { id } });
  }

  async findById(id: number): Promise<RegistrationRow | null> {
    const rows = await this.sequelize.query<RegistrationRow>('SELECT * FROM user_registration WHERE id = :id', { replacements: { id }, type: QueryTypes.SELECT });
    return rows[0] ?? null;
  }

  async list(q: { start: number; count: number; sort?: string; search?: string }): Promise<{ rows: RegistrationRow[]; total: number }> {
    const like = q.search ? `%${q.search.replace(/[\\%_]/g, '\\$&')}%` : null;
    const where = like ? 'WHERE username ILIKE :like OR email ILIKE :like OR account_display_name ILIKE :like' : '';
    const order = Object.hasOwn(SORTS, q.sort ?? '') ? SORTS[q.sort!] : SORTS['-createdAt'];
    const rows = await this.sequelize.query<RegistrationRow>(`SELECT * FROM user_registration ${where} ORDER BY ${order} OFFSET :start LIMIT :count`, {
      replacements: { like, start: q.start, count: q.count },
      type: QueryTypes.SELECT,
    });
    const [{ total }] = await this.sequelize.query<{ total: string }>(`SELECT count(*) AS total FROM user_registration ${where}`, {
      replacements: { like },
      type: QueryTypes.SELECT,
    });
    return { rows, total: Number(total) };
  }

  /** Pending → accepted/rejected, once: false when another moderator decided first. */
  async decide(id: number, state: number, response: string, userId: number | null): Promise<boolean> {
    const [, count] = await this.sequelize.query(
      `UPDATE user_registration SET state = :state, moderation_response = :response, user_id = :userId, updated_at = now() WHERE id = :id AND state = 1`,
      { replacements: { id, state, response, userId } },
    );
    return Number((count as { rowCount?: number })?.rowCount ?? count) > 0;
  }

  async delete(id: number): Promise<boolean> {
    const [, count] = await this.sequelize.query('DELETE FROM user_registration WHERE id = :id', { replacements: { id } });
    return Number((count as { rowCount?: number })?.rowCount ?? count) > 0;
  }
}
