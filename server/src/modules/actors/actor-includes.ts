import type { IncludeOptions, WhereOptions } from 'sequelize';
import { ActorImageModel, ActorModel, ServerModel } from './actor.model';

/**
 * What every Account / VideoChannel query loads to format its actor fields. Never the private key
 * (whatever signs loads it itself), and the public key only for ActivityPub documents: a list of
 * 25 videos would otherwise read and build ~100 KB of PEM text for its 50 actors.
 */
export function actorInclude(
  opts: { where?: WhereOptions; serverWhere?: WhereOptions | null; withPublicKey?: boolean; withImages?: boolean } = {},
): IncludeOptions {
  return {
    model: ActorModel,
    required: true,
    where: opts.where,
    attributes: { exclude: opts.withPublicKey ? ['privateKey'] : ['privateKey', 'publicKey'] },
    include: [
      { model: ServerModel, required: !!opts.serverWhere, where: opts.serverWhere ?? undefined },
      // Loaded in their own query: joined, an actor's several images would multiply the rows that a
      // paginated list's LIMIT counts (a list of 25 videos came back with 9). Left out where the
      // caller loads them itself (plain-row lists: attachListParts).
      ...(opts.withImages === false ? [] : [{ model: ActorImageModel, as: 'Images', required: false, separate: true }]),
    ],
  };
}

/** Splits a handle `name` or `name@host`; a host equal to ours means local. */
export function parseHandle(handle: string, localHost: string): { name: string; host: string | null } {
  const at = handle.lastIndexOf('@');
  if (at <= 0) return { name: handle, host: null };
  const host = handle.slice(at + 1);
  return { name: handle.slice(0, at), host: host === localHost ? null : host };
}
