import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@flotilla/shared';
import { badRequest, forbidden } from '../../common/app-error';
import { logger } from '../../common/logger';
import { OnJob, type JobPayload } from '../../platform/queues/job-definition';
import { QueueRegistry } from '../../platform/queues/queue-registry.service';
import { ActorsService } from '../actors/actors.service';
import { OutgoingRequestError } from '../../platform/http/outgoing-http';
import { idOf } from './activities';
import { RemoteFetchError } from './ap-client.service';
import { FollowsService } from './follows.service';
import { FEDERATION_JOBS } from './federation.jobs';
import { actorUrlOfKeyId, digestHeader, parseIncomingSignature, SignatureError, verifyParsedSignature } from './http-signature';
import { ldSignatureOf, verifyLd } from './ld-signature';
import { hostOf, RemoteActorsService } from './remote-actors.service';

const ACTIVITY_TYPES = new Set([
  'Create', 'Update', 'Delete', 'Follow', 'Accept', 'Reject', 'Undo', 'Announce', 'Like', 'Dislike', 'View', 'Flag',
  'ApproveReply', 'RejectReply',
]);

export interface InboxRequest {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  originalUrl: string;
  body: unknown;
  rawBody?: Buffer;
}

const sigError = (msg: string) => forbidden(msg, ErrorCode.AP_INVALID_SIGNATURE);

/** Inbox side: verify (signature, digest, actor), queue, then process each activity in order. */
@Injectable()
export class InboxService {
  /**
   * Activity types handled beyond follows (videos, rates, comments…), registered by other federation
   * services; several may handle one type (a Create of a Video or of a Note), each ignoring the others' objects.
   */
  private readonly handlers = new Map<string, ((activity: Record<string, unknown>, signerUrl: string) => Promise<void>)[]>();

  constructor(
    private readonly actors: ActorsService,
    private readonly remote: RemoteActorsService,
    private readonly follows: FollowsService,
    private readonly queues: QueueRegistry,
  ) {}

  register(type: string, handler: (activity: Record<string, unknown>, signerUrl: string) => Promise<void>): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
  }

  /** Checks one inbox POST and queues its activities; throws the 400/403 PeerTube would answer. */
  async receive(req: InboxRequest): Promise<void> {
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body) || !req.rawBody) {
      throw badRequest(ErrorCode.AP_INVALID_ACTIVITY, 'The body must be an ActivityPub activity (application/activity+json)');
    }
    let activities = this.activitiesOf(body as Record<string, unknown>);
    if (activities.length === 0) throw badRequest(ErrorCode.AP_INVALID_ACTIVITY, 'No valid activity in the body');

    let parsed;
    try {
      parsed = parseIncomingSignature(req);
    } catch (err) {
      if (err instanceof SignatureError) throw sigError(`Invalid signature: ${err.message}`);
      throw err;
    }
    const digest = req.headers.digest;
    if (digest !== digestHeader(req.rawBody)) throw sigError('Invalid signature: the Digest header does not match the body');

    const signerUrl = actorUrlOfKeyId(parsed.keyId);
    let signerHost: string;
    try {
      signerHost = hostOf(signerUrl);
    } catch {
      throw sigError('Invalid signature: the keyId does not name an actor URL');
    }
    if (await this.remote.isBlocked(signerHost)) {
      // A blocked host is answered as PeerTube does (204, its sender sees no failure) and its
      // activities are dropped unread — but a Follow, which gets its Reject (§6.3, §7.4).
      activities = activities.filter((a) => a.type === 'Follow');
      if (activities.length === 0) return;
    }

    const selfDelete = activities.length === 1 && activities[0].type === 'Delete' && idOf(activities[0].actor) === idOf(activities[0].object);
    let signer;
    try {
      signer = await this.remote.getOrFetch(signerUrl);
    } catch (err) {
      // A deleted actor's own Delete cannot be checked (its key is gone): PeerTube answers 204.
      if (selfDelete) return;
      throw sigError(`ActivityPub signature could not be checked: ${(err as Error).message}`);
    }
    if (signer.serverId === null) throw sigError('Invalid signature: a local actor cannot post to this inbox');
    let valid = verifyParsedSignature(parsed, signer.publicKey ?? '');
    // A cached signer may be older than the database (a new key stored since): read again first.
    const stored = valid ? null : await this.remote.reloadKey(signer);
    if (stored) {
      signer = stored;
      valid = verifyParsedSignature(parsed, signer.publicKey ?? '');
    }
    if (!valid) {
      // Key rotation: the actor is fetched again, once.
      try {
        signer = await this.remote.fetchAndStore(signerUrl);
        valid = verifyParsedSignature(parsed, signer.publicKey ?? '');
      } catch {
        valid = false;
      }
    }
    if (!valid) {
      if (selfDelete) return;
      throw sigError('Invalid signature');
    }

    // Each activity's actor must be the signer, unless it is a forward carrying its actor's
    // RsaSignature2017 (§7.3).
    const accepted: { activity: Record<string, unknown>; signer: string }[] = [];
    for (const activity of activities) {
      if (idOf(activity.actor) === signer.url) accepted.push({ activity, signer: signer.url });
      else {
        const author = await this.verifyForward(activity);
        if (author) accepted.push({ activity, signer: author });
      }
    }
    if (accepted.length === 0) throw forbidden('The activity actor is not the signer and no valid linked-data signature of its actor is attached', ErrorCode.AP_INVALID_SIGNATURE);
    for (const a of accepted) await this.queues.add(FEDERATION_JOBS.inbox, a);
  }

  /** A forwarded activity: its RsaSignature2017 must be its actor's. Returns the actor's URL when it is. */
  private async verifyForward(activity: Record<string, unknown>): Promise<string | null> {
    const ld = ldSignatureOf(activity);
    const actorUrl = idOf(activity.actor);
    if (!ld || !actorUrl || actorUrlOfKeyId(ld.creator) !== actorUrl) return null;
    try {
      if (await this.remote.isBlocked(hostOf(actorUrl))) return null;
      let author = await this.remote.getOrFetch(actorUrl);
      if (author.serverId === null) return null;
      if (await verifyLd(activity, author.publicKey ?? '')) return author.url;
      const stored = await this.remote.reloadKey(author);
      if (stored && (await verifyLd(activity, stored.publicKey ?? ''))) return stored.url;
      author = await this.remote.fetchAndStore(actorUrl);
      return (await verifyLd(activity, author.publicKey ?? '')) ? author.url : null;
    } catch {
      return null;
    }
  }

  /** A single activity, or the items of a (Ordered)Collection(Page); invalid ones filtered out. */
  private activitiesOf(body: Record<string, unknown>): Record<string, unknown>[] {
    const list =
      body.type === 'Collection' || body.type === 'CollectionPage'
        ? body.items
        : body.type === 'OrderedCollection' || body.type === 'OrderedCollectionPage'
          ? body.orderedItems
          : [body];
    if (!Array.isArray(list)) return [];
    return list.filter(
      (a): a is Record<string, unknown> =>
        !!a && typeof a === 'object' && typeof (a as { type?: unknown }).type === 'string' && ACTIVITY_TYPES.has((a as { type: string }).type) &&
        idOf((a as { actor?: unknown }).actor) !== null && (a as { object?: unknown }).object !== undefined,
    );
  }

  @OnJob(FEDERATION_JOBS.inbox)
  async process(job: JobPayload<typeof FEDERATION_JOBS.inbox>): Promise<void> {
    const activity = job.activity;
    const signer = await this.actors.findByUrl(job.signer);
    if (!signer) return;
    const type = activity.type as string;
    // Queued before its host was blocked: dropped the same way.
    if (type !== 'Follow' && (await this.remote.isBlocked(hostOf(job.signer)))) return;
    const object = activity.object;
    switch (type) {
      case 'Follow': {
        const target = await this.actors.findByUrl(idOf(object) ?? '');
        if (!target || target.serverId !== null || typeof activity.id !== 'string') return;
        return this.follows.onFollow(signer, target, activity.id);
      }
      case 'Accept':
      case 'Reject': {
        const follow = object as Record<string, unknown>;
        const followUrl = idOf(object);
        const followerUrl = typeof follow === 'object' ? idOf(follow.actor) : null;
        return type === 'Accept' ? this.follows.onAccept(signer, followUrl, followerUrl) : this.follows.onReject(signer, followUrl, followerUrl);
      }
      case 'Undo': {
        const inner = object as Record<string, unknown>;
        if (inner && typeof inner === 'object' && inner.type === 'Follow') {
          if (idOf(inner.actor) !== signer.url) return;
          return this.follows.onUndoFollow(signer, idOf(inner.object));
        }
        break;
      }
    }
    const handlers = this.handlers.get(type === 'Undo' ? `Undo:${(object as { type?: string })?.type}` : type);
    if (!handlers) return logger.debug({ type }, 'activity type not handled');
    for (const handler of handlers) {
      try {
        await handler(activity, signer.url);
      } catch (err) {
        // A remote document refused (too large, too slow, on a private address, redirecting in a
        // loop, invalid, answered 4xx/5xx) refuses the activity: trying it again would ask the same
        // host for the same document, and would hold up the activities queued behind it.
        if (!(err instanceof RemoteFetchError || err instanceof OutgoingRequestError)) throw err;
        const reason = err instanceof OutgoingRequestError ? err.reason : 'invalid';
        logger.warn({ id: activity.id, type, reason, err: err.message }, 'activity refused: a remote document it needs could not be fetched');
        return;
      }
    }
  }
}
