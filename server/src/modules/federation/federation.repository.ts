import { Injectable } from '@nestjs/common';
import { Op, QueryTypes, literal } from 'sequelize';
import { ActorFollowModel, FederationHostModel, RemoteVideoModel, type FollowState } from './federation-models';

/**
 * A host is marked unreachable only after a long run of failures — this many failed deliveries in
 * a row, over at least a day — and unmarked on its first success.
 */
export const UNREACHABLE_AFTER_FAILURES = 30;
export const UNREACHABLE_AFTER_HOURS = 24;

/** The queries of the federation tables (actor_follow, federation_host). */
@Injectable()
export class FederationRepository {
  findFollow(actorId: number, targetActorId: number): Promise<ActorFollowModel | null> {
    return ActorFollowModel.findOne({ where: { actorId, targetActorId } });
  }

  findFollowById(id: number): Promise<ActorFollowModel | null> {
    return ActorFollowModel.findByPk(id);
  }

  findFollowByUrl(url: string): Promise<ActorFollowModel | null> {
    return ActorFollowModel.findOne({ where: { url } });
  }

  /** Creates the follow, or updates its state and url when it exists. */
  async upsertFollow(actorId: number, targetActorId: number, state: FollowState, url: string): Promise<ActorFollowModel> {
    const existing = await this.findFollow(actorId, targetActorId);
    if (existing) {
      existing.set({ state, url });
      await existing.save();
      return existing;
    }
    return ActorFollowModel.create({ actorId, targetActorId, state, url });
  }

  async setState(id: number, state: FollowState): Promise<void> {
    await ActorFollowModel.update({ state }, { where: { id } });
  }

  async deleteFollow(id: number): Promise<void> {
    await ActorFollowModel.destroy({ where: { id } });
  }

  /** Follows of (or by) an actor: `side` says which column holds it. */
  async list(side: 'follower' | 'following', actorId: number, q: { state?: FollowState; start: number; count: number; sort: string; groupsOnly?: boolean }) {
    const where = {
      [side === 'follower' ? 'actorId' : 'targetActorId']: actorId,
      ...(q.state ? { state: q.state } : {}),
      // Subscriptions: follows of channels only (an account may also follow accounts).
      ...(q.groupsOnly ? { [Op.and]: [literal(`"ActorFollow"."target_actor_id" IN (SELECT id FROM actor WHERE type = 'Group')`)] } : {}),
    };
    const desc = q.sort.startsWith('-');
    const field = q.sort.replace(/^-/, '') === 'createdAt' ? 'createdAt' : 'createdAt';
    const { rows, count } = await ActorFollowModel.findAndCountAll({ where, offset: q.start, limit: q.count, order: [[field, desc ? 'DESC' : 'ASC'], ['id', 'ASC']] });
    return { rows, total: count };
  }

  /** Accepted followers' actor ids of these actors. */
  async acceptedFollowerIds(targetActorIds: number[]): Promise<number[]> {
    if (targetActorIds.length === 0) return [];
    const rows = await ActorFollowModel.findAll({ where: { targetActorId: { [Op.in]: targetActorIds }, state: 'accepted' }, attributes: ['actorId'] });
    return [...new Set(rows.map((r) => r.actorId))];
  }

  async acceptedFollowingIds(actorId: number): Promise<number[]> {
    const rows = await ActorFollowModel.findAll({ where: { actorId, state: 'accepted' }, attributes: ['targetActorId'] });
    return rows.map((r) => r.targetActorId);
  }

  countAccepted(side: 'follower' | 'following', actorId: number): Promise<number> {
    return ActorFollowModel.count({ where: { [side === 'follower' ? 'actorId' : 'targetActorId']: actorId, state: 'accepted' } });
  }

  async recordDelivery(host: string, ok: boolean, error?: string): Promise<void> {
    const [row] = await FederationHostModel.findOrCreate({ where: { host }, defaults: { host } });
    if (ok) {
      await FederationHostModel.update(
        { consecutiveFailures: 0, failingSince: null, unreachable: false, delivered: literal('delivered + 1'), lastSuccessAt: new Date() },
        { where: { id: row.id } },
      );
      return;
    }
    await FederationHostModel.update(
      {
        consecutiveFailures: literal('consecutive_failures + 1'),
        failed: literal('failed + 1'),
        failingSince: literal('coalesce(failing_since, now())'),
        unreachable: literal(
          `consecutive_failures + 1 >= ${UNREACHABLE_AFTER_FAILURES} AND coalesce(failing_since, now()) < now() - interval '${UNREACHABLE_AFTER_HOURS} hours'`,
        ),
        lastFailureAt: new Date(),
        lastError: (error ?? 'failed').slice(0, 500),
      },
      { where: { id: row.id } },
    );
  }

  // --- shares (video_share) ------------------------------------------------------------------

  /**
   * A remote actor's Announce of a video, by its activity id (a second Announce by the same actor
   * replaces it). True when no share had this id before (the same Announce received again is false).
   */
  async upsertShare(actorId: number, videoId: number, url: string): Promise<boolean> {
    const rows = await ActorFollowModel.sequelize!.query<{ id: number }>(
      `INSERT INTO video_share (actor_id, video_id, url) VALUES (:actorId, :videoId, :url)
       ON CONFLICT (actor_id, video_id) DO UPDATE SET url = EXCLUDED.url WHERE video_share.url IS DISTINCT FROM EXCLUDED.url
       RETURNING id`,
      { type: QueryTypes.SELECT, replacements: { actorId, videoId, url } },
    );
    return rows.length > 0;
  }

  /** Removes a share by its Announce id, when it is that actor's; the id of the video it shared, null when there was none. */
  async deleteShare(actorId: number, url: string): Promise<number | null> {
    const rows = await ActorFollowModel.sequelize!.query<{ video_id: number }>(
      'DELETE FROM video_share WHERE actor_id = :actorId AND url = :url RETURNING video_id',
      { type: QueryTypes.SELECT, replacements: { actorId, url } },
    );
    return rows[0]?.video_id ?? null;
  }

  /** The Announce ids of a video's remote shares, oldest first, and how many there are. */
  async sharesPage(videoId: number, start: number, count: number): Promise<{ total: number; urls: string[] }> {
    // One statement, one snapshot: the count and the page agree even while a share comes in
    // (two queries once gave a total counting a share the page did not list).
    const [row] = await ActorFollowModel.sequelize!.query<{ total: number; urls: string[] }>(
      `SELECT (SELECT count(*)::int FROM video_share WHERE video_id = :videoId) AS total,
              coalesce((SELECT array_agg(p.url ORDER BY p.id) FROM
                (SELECT url, id FROM video_share WHERE video_id = :videoId ORDER BY id LIMIT :count OFFSET :start) p), '{}') AS urls`,
      { type: QueryTypes.SELECT, replacements: { videoId, start, count } },
    );
    return { total: row?.total ?? 0, urls: row?.urls ?? [] };
  }

  hosts(): Promise<FederationHostModel[]> {
    return FederationHostModel.findAll({ order: [['host', 'ASC']] });
  }

  remoteVideo(videoId: number): Promise<RemoteVideoModel | null> {
    return RemoteVideoModel.findOne({ where: { videoId } });
  }

  async saveRemoteVideo(row: { videoId: number; thumbnailUrl: string | null; previewUrl: string | null; trackerUrls: string[]; remoteUpdatedAt: Date }): Promise<void> {
    const existing = await this.remoteVideo(row.videoId);
    if (existing) await existing.update({ ...row, fetchedAt: new Date() });
    else await RemoteVideoModel.create({ ...row, fetchedAt: new Date() });
  }
}
