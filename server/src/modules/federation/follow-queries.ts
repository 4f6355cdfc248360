import { ActorFollowModel } from './federation-models';

/** The actors `actorId` follows with an accepted follow (a user's subscriptions are its account actor's). */
export async function followedActorIds(actorId: number): Promise<number[]> {
  const rows = await ActorFollowModel.findAll({ where: { actorId, state: 'accepted' }, attributes: ['targetActorId'], raw: true });
  return rows.map((r) => r.targetActorId);
}
