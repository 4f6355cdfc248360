import { signLd } from '../../src/modules/federation/ld-signature';
import type { FakeActorServer } from './fake-actor';

/**
 * The activity with the fake actor's RsaSignature2017, so that a receiver may forward it (§7.3).
 * The server's own signer is used: JSON-LD canonicalization is not worth writing twice. Kept out of
 * fake-actor.ts, which the web client's tests (type-checked without the server's vendor types) import.
 */
export function ldSignAs<T extends Record<string, unknown>>(actor: FakeActorServer, activity: T) {
  return signLd(activity, actor.actorUrl, actor.keys.privateKey);
}
