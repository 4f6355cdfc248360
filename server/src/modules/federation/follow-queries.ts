import { ActorFollowModel } from './federation-models';

/** The actors `actorId` follows with an accepted follow (a user's subscriptions are its account actor's). */
export async function followedActorIds(actorId: number): Promise<number[]> {
  const rows = await ActorFollowModel.findAll({ where: { actorId, state: 'accepted' }, attributes: ['targetActorId'], raw: true });
  return rows.map((r) => r.targetActorId);
}

/** The local or remote actors following `targetActorId` with an accepted follow (a channel's subscribers). */
export async function followerActorIds(targetActorId: number): Promise<number[]> {
  const rows = await ActorFollowModel.findAll({ where: { targetActorId, state: 'accepted' }, attributes: ['actorId'], raw: true });
  return rows.map((r) => r.actorId);
}

/** The follow from one actor to another, if any. */
export async function followBetween(actorId: number, targetActorId: number): Promise<{ id: number; state: 'pending' | 'accepted' } | null> {
  const row = await ActorFollowModel.findOne({ where: { actorId, targetActorId }, attributes: ['id', 'state'], raw: true });
  return row ? { id: row.id, state: row.state as 'pending' | 'accepted' } : null;
}
