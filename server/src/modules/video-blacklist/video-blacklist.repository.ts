import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SEQUELIZE } from '../../common/tokens';

export interface BlacklistRow {
  id: number;
  video_id: number;
  reason: string | null;
  unfederated: boolean;
  type: number;
  created_at: Date;
  updated_at: Date;
}

const SORTS: Record<string, string> = { createdAt: 'created_at ASC', '-createdAt': 'created_at DESC', id: 'id ASC', '-id': 'id DESC' };

/** Every query on `video_blacklist` (a moderator's hiding of a video). */
@Injectable()
export class VideoBlacklistRepository {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  /** False when the video was hidden already (the unique video_id). */
  async add(videoId: number, reason: string | null, unfederated: boolean): Promise<boolean> {
    const [rows] = await this.sequelize.query(
      `INSERT INTO video_blacklist (video_id, reason, unfederated, type) VALUES (:videoId, :reason, :unfederated, 1)
       ON CONFLICT (video_id) DO NOTHING RETURNING id`,
      { replacements: { videoId, reason, unfederated } },
    );
    return (rows as unknown[]).length > 0;
  }

  /** False when the video is not hidden. */
  async updateReason(videoId: number, reason: string | null): Promise<boolean> {
    const [rows] = await this.sequelize.query('UPDATE video_blacklist SET reason = :reason, updated_at = now() WHERE video_id = :videoId RETURNING id', {
      replacements: { videoId, reason },
    });
    return (rows as unknown[]).length > 0;
  }

  /** The video's entry, or null when it is not hidden. */
  async findByVideo(videoId: number): Promise<BlacklistRow | null> {
    const [row] = await this.sequelize.query<BlacklistRow>('SELECT * FROM video_blacklist WHERE video_id = :videoId', { replacements: { videoId }, type: QueryTypes.SELECT });
    return row ?? null;
  }

  async remove(videoId: number): Promise<boolean> {
    const [rows] = await this.sequelize.query('DELETE FROM video_blacklist WHERE video_id = :videoId RETURNING id', { replacements: { videoId } });
    return (rows as unknown[]).length > 0;
  }

  async list(q: { start: number; count: number; sort?: string; type?: number }): Promise<{ rows: BlacklistRow[]; total: number }> {
    const where = q.type ? 'WHERE type = :type' : '';
    const order = Object.hasOwn(SORTS, q.sort ?? '') ? SORTS[q.sort!] : SORTS['-createdAt'];
    const rows = await this.sequelize.query<BlacklistRow>(`SELECT * FROM video_blacklist ${where} ORDER BY ${order}, id DESC OFFSET :start LIMIT :count`, {
      replacements: { type: q.type ?? null, start: q.start, count: q.count },
      type: QueryTypes.SELECT,
    });
    const [{ total }] = await this.sequelize.query<{ total: string }>(`SELECT count(*) AS total FROM video_blacklist ${where}`, {
      replacements: { type: q.type ?? null },
      type: QueryTypes.SELECT,
    });
    return { rows, total: Number(total) };
  }
}
