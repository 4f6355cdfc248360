import { Injectable } from '@nestjs/common';
import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import { VideoLiveModel, VideoLiveSessionModel } from './live.model';
import { VideoState } from '@flotilla/shared';

/** The queries of `video_live` and `video_live_session`. */
@Injectable()
export class LiveRepository {
  create(values: Omit<Partial<VideoLiveModel>, 'id'>, transaction?: Transaction): Promise<VideoLiveModel> {
    return VideoLiveModel.create(values, { transaction });
  }

  byVideoId(videoId: number): Promise<VideoLiveModel | null> {
    return VideoLiveModel.findOne({ where: { videoId } });
  }

  byStreamKey(streamKey: string): Promise<VideoLiveModel | null> {
    return VideoLiveModel.findOne({ where: { streamKey } });
  }

  async update(live: VideoLiveModel, values: Partial<VideoLiveModel>): Promise<void> {
    await live.update(values);
  }

  /** Opens a session; null when the live already has one open (another publisher, another process). */
  async openSession(liveVideoId: number, saveReplay: boolean): Promise<VideoLiveSessionModel | null> {
    try {
      return await VideoLiveSessionModel.create({ liveVideoId, saveReplay, startDate: new Date() });
    } catch (err) {
      if (err instanceof UniqueConstraintError) return null;
      throw err;
    }
  }

  openSessionOf(liveVideoId: number): Promise<VideoLiveSessionModel | null> {
    return VideoLiveSessionModel.findOne({ where: { liveVideoId, endDate: null } });
  }

  sessionById(id: number): Promise<VideoLiveSessionModel | null> {
    return VideoLiveSessionModel.findByPk(id);
  }

  /** Ends a session once: false when it was already ended. */
  async endSession(id: number, error: number | null): Promise<boolean> {
    const [n] = await VideoLiveSessionModel.update({ endDate: new Date(), error }, { where: { id, endDate: null } });
    return n > 0;
  }

  async markEndingProcessed(id: number, replayVideoId: number | null): Promise<void> {
    await VideoLiveSessionModel.update({ endingProcessed: true, replayVideoId }, { where: { id } });
  }

  async sessionsOf(liveVideoId: number): Promise<{ rows: VideoLiveSessionModel[]; count: number }> {
    return VideoLiveSessionModel.findAndCountAll({ where: { liveVideoId }, order: [['startDate', 'DESC'], ['id', 'DESC']] });
  }

  sessionOfReplay(replayVideoId: number): Promise<VideoLiveSessionModel | null> {
    return VideoLiveSessionModel.findOne({ where: { replayVideoId } });
  }

  /** Sessions open anywhere, or those of one user's lives. */
  /** Local lives not ended (waiting or on air), of one user or of the instance: what PeerTube's creation limits count. */
  async countNotEndedLives(userId?: number): Promise<number> {
    const byUser = userId === undefined ? '' : 'AND a.user_id = :userId';
    const [{ n }] = (await VideoLiveSessionModel.sequelize!.query(
      `SELECT count(*)::int AS n FROM video v
         JOIN video_channel vc ON vc.id = v.channel_id
         JOIN account a ON a.id = vc.account_id
        WHERE v.is_live AND NOT v.remote AND v.state <> :ended ${byUser}`,
      { type: QueryTypes.SELECT, replacements: { userId, ended: VideoState.LIVE_ENDED } },
    )) as Array<{ n: number }>;
    return n;
  }

  async countOpenSessions(userId?: number): Promise<number> {
    const byUser = userId === undefined ? '' : 'AND a.user_id = :userId';
    const [{ n }] = (await VideoLiveSessionModel.sequelize!.query(
      `SELECT count(*)::int AS n FROM video_live_session s
         JOIN video v ON v.id = s.live_video_id
         JOIN video_channel vc ON vc.id = v.channel_id
         JOIN account a ON a.id = vc.account_id
        WHERE s.end_date IS NULL ${byUser}`,
      { type: QueryTypes.SELECT, replacements: { userId } },
    )) as Array<{ n: number }>;
    return n;
  }

  /** Sessions left open by a server that stopped: closed at boot. */
  openSessions(): Promise<VideoLiveSessionModel[]> {
    return VideoLiveSessionModel.findAll({ where: { endDate: null } });
  }
}
