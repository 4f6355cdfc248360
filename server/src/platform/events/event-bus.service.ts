import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { logger } from '../../common/logger';

/**
 * In-process domain events between feature modules, so that dependencies keep flowing one way
 * (videos does not import transcoding; transcoding listens). One process only: an event never
 * crosses to another server process (queues and socket rooms do that).
 */
export interface DomainEvents {
  /** A local video's original file is stored and probed; transcoding decides what to make. */
  'video.uploaded': { videoId: number };
  /** A video and its files are being removed; pending work for it must stop. */
  'video.deleted': {
    videoId: number;
    uuid: string;
    /** What federation needs once the row is gone: the video's URL, owner actors, and whether it was on the network. */
    url?: string;
    remote?: boolean;
    accountActorId?: number;
    accountActorUrl?: string;
    channelActorId?: number;
    federated?: boolean;
    name?: string;
    ownerUserId?: number | null;
    /** Who deleted it (a moderator deleting another's video tells the owner). */
    byUserId?: number;
  };
  /** A view was counted (first from this viewer in the window); `viewer` starts with `remote:` for views from other instances. */
  'video.viewed': { videoId: number; viewer: string };
  /** An account's rating of a video changed (`none`: removed). */
  'video.rated': { videoId: number; accountId: number; rating: 'like' | 'dislike' | 'none'; previous: 'like' | 'dislike' | 'none' };
  /** A video's attributes changed (PUT /videos/:id); `previousPrivacy` tells federation whether it left or joined the network. */
  'video.updated': { videoId: number; previousPrivacy: number };
  /** A video became watchable (first rendition in, or published without transcoding). */
  'video.published': { videoId: number };
  /** A video's master playlist changed: these are the P2P swarms (tracker info hashes) of its viewers. */
  'video.swarms-changed': { uuid: string; infoHashes: string[] };
  /**
   * A local live's state changed (4 waiting, 1 on air, 5 ended; a replay turns it into a VOD):
   * the seam for federation, which sends PeerTube's Update of the video (`isLiveBroadcast`, state).
   */
  'video.live-state-changed': { videoId: number; uuid: string; state: number; isLive: boolean };
  /** A local live was created (waiting for its stream): federation sends it to the network as PeerTube does. */
  'video.live-created': { videoId: number };
  /** A video's privacy changed: its files' URL prefix and whether its swarms are public follow. */
  'video.privacy-changed': { uuid: string; privacy: number };
  /** A moderator hid a video or made it visible again: its files and swarms become owner/moderator-only, or public again. */
  'video.hidden-changed': { uuid: string; hidden: boolean };
  /**
   * A comment was stored (local or from another instance). The comments feature emits it;
   * notifications listen (comment on my video, reply to my comment, mention). `heldForReview`: the
   * video's policy needs the owner's approval before others see it.
   */
  'comment.created': {
    commentId: number;
    videoId: number;
    threadId: number;
    inReplyToCommentId: number | null;
    authorAccountId: number;
    mentionedAccountIds: number[];
    heldForReview: boolean;
  };
  /**
   * A comment became a tombstone (by its author, the video's owner, a moderator, or a remote Delete).
   * `byAccountId`: the local account that deleted it (null for a remote Delete); federation sends the
   * Delete on, with that account as its actor.
   */
  'comment.deleted': { commentId: number; videoId: number; url: string; authorAccountId: number | null; byAccountId: number | null };
  /** A comment held for review (policy 3) was approved by the video's owner: it is now shown to everyone. */
  'comment.approved': {
    commentId: number;
    videoId: number;
    threadId: number;
    inReplyToCommentId: number | null;
    authorAccountId: number;
    mentionedAccountIds: number[];
    /** The local account that approved it; null when the remote video's origin did (an ApproveReply). */
    byAccountId: number | null;
  };
  /** A local video's transcoding failed for good (its runner jobs errored past their retries): its owner is told. */
  'video.transcoding-failed': { videoId: number; message: string };
  /** A video from another instance was stored here for the first time (notifications tell the channel's local subscribers). */
  'video.received': { videoId: number };
  /** A local account's or channel's profile changed (display name, description, support, avatar, banner): federation sends Update{Person|Group}. */
  'actor.updated': { actorId: number };
  /** A remote account or channel was read (its page): federation refreshes it from its origin when stale. */
  'actor.remote-used': { actorId: number };
  /** A remote video was read (its watch page): federation refreshes it from its origin when stale. */
  'video.remote-used': { videoId: number };
  /** A user signed up without a moderator's approval (notifications tell moderators). */
  'user.registered': { userId: number };
  /** A visitor asked for an account where sign-up needs a moderator's approval (notifications tell moderators). */
  'user.registration-requested': { registrationId: number; username: string };
  /** An actor (a local user's account, a remote account) now follows a local channel or account: notifications tell its owner. */
  'actor.followed': { followerActorId: number; followingActorId: number; state: 'pending' | 'accepted' };
}

export type DomainEventName = keyof DomainEvents;
export type DomainEventHandler<K extends DomainEventName> = (payload: DomainEvents[K]) => void | Promise<void>;

/**
 * The typed event bus, injected. Handlers run after the emitter's call returns (a listener's
 * slowness or failure never reaches the code that emitted); a failing handler is logged, not thrown.
 */
@Injectable()
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Features subscribe once each; more than the default 10 per event is not a leak here.
    this.emitter.setMaxListeners(100);
  }

  on<K extends DomainEventName>(event: K, handler: DomainEventHandler<K>): void {
    this.emitter.on(event, (payload: DomainEvents[K]) => {
      void Promise.resolve()
        .then(() => handler(payload))
        .catch((err: unknown) => logger.error({ err, event }, 'domain event handler failed'));
    });
  }

  emit<K extends DomainEventName>(event: K, payload: DomainEvents[K]): void {
    this.emitter.emit(event, payload);
  }
}
