// actors' public surface beside actors.service.ts: plain values and, for other modules'
// associations and includes only, the actor models (queries on actors stay in this module).
export { ActorImageType } from './actor-image-type';
export { actorInclude, parseHandle } from './actor-includes';
export { ActorImageModel, ActorModel } from './actor.model';
