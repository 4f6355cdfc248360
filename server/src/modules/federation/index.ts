// federation's public surface beside its services: reads of the follows table for other modules.
export { followBetween, followedActorIds, followerActorIds } from './follow-queries';
