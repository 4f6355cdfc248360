import { Inject, Injectable } from '@nestjs/common';
import type { Sequelize } from 'sequelize';
import { SEQUELIZE } from '../../common/tokens';
import { AccountVideoRateModel } from './account-video-rate.model';
import { VideoModel } from './video.model';

export type Rating = 'like' | 'dislike' | 'none';

/** Likes and dislikes: one row per account and video, counters on the video kept in the same transaction. */
@Injectable()
export class VideoRatesService {
  constructor(@Inject(SEQUELIZE) private readonly sequelize: Sequelize) {}

  async rate(videoId: number, accountId: number, rating: Rating): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      // Lock the video row: concurrent rates of one video serialize and counters stay exact.
      await VideoModel.findByPk(videoId, { transaction, lock: transaction.LOCK.UPDATE, attributes: ['id'] });
      const existing = await AccountVideoRateModel.findOne({ where: { videoId, accountId }, transaction });
      const before: Rating = existing?.type ?? 'none';
      if (before === rating) return;
      if (existing && rating === 'none') await existing.destroy({ transaction });
      else if (existing) await existing.update({ type: rating }, { transaction });
      else await AccountVideoRateModel.create({ videoId, accountId, type: rating }, { transaction });
      const delta = (r: Rating, kind: 'like' | 'dislike') => (r === kind ? 1 : 0);
      await this.sequelize.query('UPDATE video SET likes = likes + :l, dislikes = dislikes + :d WHERE id = :id', {
        replacements: { id: videoId, l: delta(rating, 'like') - delta(before, 'like'), d: delta(rating, 'dislike') - delta(before, 'dislike') },
        transaction,
      });
    });
  }

  async ratingOf(videoId: number, accountId: number): Promise<Rating> {
    const row = await AccountVideoRateModel.findOne({ where: { videoId, accountId } });
    return row?.type ?? 'none';
  }
}
