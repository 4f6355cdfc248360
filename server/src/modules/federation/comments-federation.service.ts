import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AP_BASE_CONTEXT, apCollection, AP_COLLECTION_PAGE_SIZE, COMMENT_TEXT_MAX } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { ActorsService } from '../actors/actors.service';
import { mentionsOf, sanitizeRemoteHtml, type CommentFederationRow } from '../comments';
import { CommentsService } from '../comments/comments.service';
import { AccountsService } from '../users/accounts.service';
import { VideosService } from '../videos/videos.service';
import { idOf } from './activities';
import { ApClientService } from './ap-client.service';
import { AP_PUBLIC } from './ap-constants';
import { AP_NOTE_CONTEXT, buildNote, createNoteActivity, type MentionTag } from './comment-note';
import { DeliveryService } from './delivery.service';
import { FollowsService } from './follows.service';
import { InboxService } from './inbox.service';
import { hostOf, RemoteActorsService } from './remote-actors.service';
import { date, isUrl, type Json } from './ap-values';
import { RemoteVideosService } from './remote-videos.service';
import { VideoAudienceService } from './video-audience.service';
import { isFederatedPrivacy } from './video-object';

type LoadedVideo = NonNullable<Awaited<ReturnType<VideosService['loadWithFiles']>>>;

/** PeerTube resolves a reply's chain up to the video, at most this deep (MAX_RECURSION_COMMENTS). */
const MAX_REPLY_DEPTH = 100;

const firstId = (v: unknown): string | null => idOf(Array.isArray(v) ? v[0] : v);

/** A Note's text as stored: PeerTube's markdown as written, anyone else's HTML sanitized; null when empty or too long. */
function noteText(note: Json): string | null {
  const raw = typeof note.content === 'string' ? note.content : '';
  const text = note.mediaType === 'text/markdown' ? raw.trim() : sanitizeRemoteHtml(raw);
  return text && text.length <= COMMENT_TEXT_MAX ? text : null;
}

/**
 * Comments across instances (§5, §6.2–6.4, §11): local comments leave as Create{Note} (to the
 * video's origin, or to the video's audience when the video is ours), deletes as Delete; remote
 * Notes (PeerTube's markdown, Mastodon's HTML) are stored under their video after their chain is
 * resolved, and those about our videos are forwarded unchanged to the video's audience.
 */
@Injectable()
export class CommentsFederationService implements OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly events: EventBus,
    private readonly inbox: InboxService,
    private readonly comments: CommentsService,
    private readonly videos: VideosService,
    private readonly accounts: AccountsService,
    private readonly actors: ActorsService,
    private readonly remoteActors: RemoteActorsService,
    private readonly remoteVideos: RemoteVideosService,
    private readonly client: ApClientService,
    private readonly follows: FollowsService,
    private readonly delivery: DeliveryService,
    private readonly videoAudience: VideoAudienceService,
  ) {}

  onModuleInit(): void {
    const guard = (what: string, fn: () => Promise<void>) =>
      fn().catch((err: Error) => logger.error({ err: err.message, what }, 'federating a comment failed'));
    this.events.on('comment.created', (e) => guard('create', () => this.onLocalCreated(e.commentId)));
    this.events.on('comment.approved', (e) => guard('approve', () => (e.byAccountId === null ? Promise.resolve() : this.onApproved(e.commentId, e.byAccountId))));
    this.events.on('comment.deleted', (e) => guard('delete', () => this.onLocalDeleted(e)));
    this.inbox.register('Create', (a, s) => this.onRemoteCreate(a, s));
    this.inbox.register('Update', (a, s) => this.onRemoteUpdate(a, s));
    this.inbox.register('Delete', (a, s) => this.onRemoteDelete(a, s));
    this.inbox.register('ApproveReply', (a, s) => this.onApproveReply(a, s));
  }

  // --- served objects ------------------------------------------------------------------------

  /** The Note (or Tombstone) of a local comment of a local video; null when there is none to show. */
  async noteObject(videoUuid: string, commentId: number, activity: boolean): Promise<Json | null> {
    const c = await this.comments.findForFederation(commentId);
    if (!c || c.video_uuid !== videoUuid.toLowerCase() || c.url !== `${this.config.webserverUrl}/videos/watch/${c.video_uuid}/comments/${c.id}`) return null;
    // Held comments are not shown (404), nor comments of videos off the network.
    if (c.held_for_review || (!c.video_remote && !isFederatedPrivacy(c.video_privacy))) return null;
    const note = buildNote(c, await this.mentionTags(c));
    return activity && note.type === 'Note' ? createNoteActivity(note) : note;
  }

  /** The `comments` collection of a local, federated video (PeerTube's `<video>/comments`), paged as PeerTube's. */
  async commentsCollection(videoUuid: string, page: number | undefined): Promise<Json | null> {
    const video = await this.videos.loadByUrl(`${this.config.webserverUrl}/videos/watch/${videoUuid.toLowerCase()}`);
    if (!video || video.remote || !isFederatedPrivacy(video.privacy)) return null;
    const id = `${video.url}/comments`;
    const { total, urls } = await this.comments.publicUrls(video.id, ((page ?? 1) - 1) * AP_COLLECTION_PAGE_SIZE, AP_COLLECTION_PAGE_SIZE);
    return apCollection(id, total, page, urls);
  }

  // --- out -------------------------------------------------------------------------------------

  /** Mentions of the Note: every known actor named in its text, and the authors it answers. */
  private async mentionTags(c: CommentFederationRow): Promise<MentionTag[]> {
    const tags = new Map<string, MentionTag>();
    const add = (actor: { url: string; preferredUsername: string; serverId: number | null; Server?: { host: string } | null }) => {
      if (actor.url === c.author_actor_url) return;
      const host = actor.serverId === null ? this.config.webserverHost : (actor.Server?.host ?? hostOf(actor.url));
      tags.set(actor.url, { type: 'Mention', href: actor.url, name: `@${actor.preferredUsername}@${host}` });
    };
    for (const m of mentionsOf(c.text)) {
      const account = await this.accounts.findByHandle(m.host ? `${m.name}@${m.host}` : m.name).catch(() => null);
      if (account?.Actor) add(account.Actor);
    }
    for (const id of await this.comments.ancestorAccountIds(c.id)) {
      const account = await this.accounts.findById(id);
      if (account?.Actor) add(account.Actor);
    }
    return [...tags.values()];
  }

  /**
   * Who gets a comment's activities: for a remote video, its origin account (which forwards) and the
   * remote authors the comment answers or names; for ours, also the followers of every actor of the
   * video and of the comment's author.
   */
  private async audience(c: CommentFederationRow, video: LoadedVideo, extraAccountIds: number[] = []): Promise<number[]> {
    const ids: number[] = [];
    for (const id of [...(await this.comments.ancestorAccountIds(c.id)), ...extraAccountIds]) {
      const account = await this.accounts.findById(id);
      if (account?.Actor) ids.push(account.Actor.id);
    }
    for (const tag of await this.mentionTags(c)) {
      const actor = await this.actors.findByUrl(tag.href);
      if (actor) ids.push(actor.id);
    }
    const channel = video.VideoChannel!;
    if (video.remote) return [channel.Account!.Actor!.id, ...ids];
    const instance = await this.follows.instanceActor();
    const involved = [channel.Account!.Actor!.id, channel.Actor!.id, instance.id, ...(c.author_actor_id ? [c.author_actor_id] : [])];
    return [...(await this.follows.followerIds(involved)), ...ids];
  }

  private async onLocalCreated(commentId: number): Promise<void> {
    const c = await this.comments.findForFederation(commentId);
    if (!c || !c.author_local || !c.author_actor_id || c.deleted_at) return;
    const video = await this.videos.loadWithFiles(c.video_id);
    if (!video || (!video.remote && !isFederatedPrivacy(video.privacy))) return;
    // Ours and held: it leaves once approved. Theirs and held: their owner decides, it goes to the origin.
    if (c.held_for_review && !video.remote) return;
    const create = createNoteActivity(buildNote(c, await this.mentionTags(c)));
    await this.delivery.toActors(await this.audience(c, video), create, c.author_actor_id);
  }

  private async onApproved(commentId: number, byAccountId: number): Promise<void> {
    const c = await this.comments.findForFederation(commentId);
    if (!c || c.deleted_at) return;
    const video = await this.videos.loadWithFiles(c.video_id);
    if (!video || video.remote || !isFederatedPrivacy(video.privacy)) return;
    if (c.author_local) return this.onLocalCreated(commentId);
    // A remote author is told (PeerTube 6.2's ApproveReply), by the video's owner.
    const owner = await this.accounts.findById(byAccountId);
    const ownerActor = video.VideoChannel!.Account!.Actor!;
    if (!owner?.Actor || !c.author_actor_id) return;
    const approve = {
      '@context': AP_NOTE_CONTEXT,
      id: `${c.url}/approve-reply`,
      type: 'ApproveReply',
      actor: ownerActor.url,
      object: c.url,
      inReplyTo: c.parent_url ?? c.video_url,
      to: [c.author_actor_url],
    };
    await this.delivery.toActors([c.author_actor_id], approve, ownerActor.id);
  }

  /** A Delete by the author, or by the video's owner when another local account (a moderator) removed it. */
  private async onLocalDeleted(e: { commentId: number; videoId: number; url: string; authorAccountId: number | null; byAccountId: number | null }): Promise<void> {
    if (e.byAccountId === null) return;
    const c = await this.comments.findForFederation(e.commentId);
    const video = await this.videos.loadWithFiles(e.videoId);
    if (!c || !video || (!video.remote && !isFederatedPrivacy(video.privacy))) return;
    const ownerAccountId = video.VideoChannel!.Account!.id;
    const candidates = [e.byAccountId === e.authorAccountId || e.byAccountId === ownerAccountId ? e.byAccountId : null, video.remote ? e.authorAccountId : ownerAccountId];
    let actor: { id: number; url: string } | null = null;
    for (const id of candidates) {
      const account = id ? await this.accounts.findById(id) : null;
      if (account?.Actor && account.Actor.serverId === null) {
        actor = account.Actor;
        break;
      }
    }
    if (!actor) return;
    const del = { '@context': AP_BASE_CONTEXT, id: `${e.url}/delete`, type: 'Delete', actor: actor.url, object: e.url, to: [AP_PUBLIC], cc: [] as string[] };
    await this.delivery.toActors(await this.audience(c, video, e.authorAccountId ? [e.authorAccountId] : []), del, actor.id);
  }

  // --- in --------------------------------------------------------------------------------------

  private async onRemoteCreate(activity: Json, signerUrl: string): Promise<void> {
    let object = activity.object;
    if (typeof object === 'string') {
      // Only a Note of the signer's own host is fetched (a Video URL is the videos' service's).
      if (!isUrl(object) || hostOf(object) !== hostOf(signerUrl) || (await this.videos.loadByUrl(object))) return;
      try {
        object = (await this.client.get(object)).json;
      } catch {
        return;
      }
    }
    if (!object || typeof object !== 'object' || (object as Json).type !== 'Note') return;
    const stored = await this.storeNote(object as Json, signerUrl, 0);
    if (!stored || stored.video.remote || stored.held) return;
    if (stored.created || (await this.isApprovedResend(object as Json, stored.commentId))) await this.videoAudience.forward(activity, stored.video, signerUrl);
  }

  /**
   * A Note we approved (our ApproveReply) that its author's instance sends again, now carrying the
   * approval: the video's audience has not seen it yet, so it goes on to them (PeerTube does the same).
   */
  private async isApprovedResend(note: Json, commentId: number): Promise<boolean> {
    const c = await this.comments.findForFederation(commentId);
    return !!c && !c.deleted_at && c.reply_approval !== null && note.replyApproval === c.reply_approval;
  }

  /**
   * Checks and stores a Note and, first, the chain it answers (fetched when unknown). `author`: the
   * actor that must have written it (the activity's verified actor), null for a fetched parent.
   */
  private async storeNote(note: Json, author: string | null, depth: number): Promise<{ commentId: number; video: LoadedVideo; created: boolean; held: boolean } | null> {
    const url = note.id;
    const by = firstId(note.attributedTo);
    if (!isUrl(url) || !by || !isUrl(by)) return null;
    // A Note's actor is its author, and both live on the Note's host (§6.3/§7.4).
    if ((author !== null && by !== author) || hostOf(url) !== hostOf(by)) {
      logger.warn({ note: url, by, author }, 'Note not attributed to its sender refused');
      return null;
    }
    if (hostOf(url) === this.config.webserverHost.toLowerCase()) return null;
    const known = await this.comments.findByUrl(url);
    if (known) {
      const video = await this.videos.loadWithFiles(known.video_id);
      return video ? { commentId: known.id, video, created: false, held: known.held_for_review } : null;
    }
    const parent = await this.resolveParent(note.inReplyTo, depth);
    if (!parent) return null;
    const { video } = parent;
    if (!video.remote && !isFederatedPrivacy(video.privacy)) return null;

    const text = noteText(note);
    if (!text) return null;
    const actor = await this.remoteActors.getOrFetch(by);
    // PeerTube takes comments from accounts only (a Person).
    if (actor.serverId === null || actor.type !== 'Person') return null;
    const accountId = await this.remoteVideos.ensureAccount(by);
    const mentioned: number[] = [];
    for (const tag of Array.isArray(note.tag) ? note.tag : []) {
      if (!tag || typeof tag !== 'object' || (tag as Json).type !== 'Mention') continue;
      const href = (tag as Json).href;
      const local = isUrl(href) ? await this.actors.findByUrl(href) : null;
      const ref = local && local.serverId === null ? await this.accounts.refOfActor(local.id) : null;
      if (ref) mentioned.push(ref.id);
    }
    const published = date(note.published) ?? new Date();
    const id = await this.comments.createRemote({
      url,
      text,
      videoId: video.id,
      accountId,
      inReplyTo: parent.comment,
      mentionedAccountIds: mentioned,
      published,
      updated: date(note.updated) ?? published,
    });
    if (id === null) return null;
    const row = await this.comments.findByUrl(url);
    return { commentId: id, video, created: true, held: row?.held_for_review ?? false };
  }

  /** What a Note answers: a known comment or video, or one fetched from its origin (the chain is followed). */
  private async resolveParent(inReplyTo: unknown, depth: number): Promise<{ video: LoadedVideo; comment: { id: number; threadId: number } | null } | null> {
    const url = firstId(inReplyTo);
    if (!url || !isUrl(url)) return null;
    const comment = await this.comments.findByUrl(url);
    if (comment) {
      const video = await this.videos.loadWithFiles(comment.video_id);
      return video ? { video, comment: { id: comment.id, threadId: comment.origin_comment_id ?? comment.id } } : null;
    }
    const known = await this.videos.loadByUrl(url);
    if (known) return { video: known, comment: null };
    if (depth >= MAX_REPLY_DEPTH || hostOf(url) === this.config.webserverHost.toLowerCase()) return null;
    let json: Json;
    try {
      json = (await this.client.get(url)).json;
    } catch {
      return null;
    }
    if (!isUrl(json.id) || hostOf(json.id) !== hostOf(url)) return null;
    if (json.type === 'Video') {
      const id = await this.remoteVideos.fetchAndStore(url).catch(() => null);
      const video = id ? await this.videos.loadWithFiles(id) : null;
      return video ? { video, comment: null } : null;
    }
    if (json.type !== 'Note') return null;
    const stored = await this.storeNote(json, null, depth + 1);
    if (!stored) return null;
    const row = await this.comments.findByUrl(json.id);
    return row ? { video: stored.video, comment: { id: row.id, threadId: row.origin_comment_id ?? row.id } } : null;
  }

  /** An edited Note (Mastodon lets its authors edit): only its author, on a comment still alive. */
  private async onRemoteUpdate(activity: Json, signerUrl: string): Promise<void> {
    const note = activity.object;
    if (!note || typeof note !== 'object' || (note as Json).type !== 'Note') return;
    const url = (note as Json).id;
    if (!isUrl(url) || firstId((note as Json).attributedTo) !== signerUrl) return;
    const comment = await this.comments.findByUrl(url);
    const c = comment ? await this.comments.findForFederation(comment.id) : null;
    if (!c || c.deleted_at || c.author_actor_url !== signerUrl) return;
    const text = noteText(note as Json);
    if (!text) return;
    if (!(await this.comments.updateRemote(c.id, text, date((note as Json).updated) ?? new Date()))) return;
    const video = await this.videos.loadWithFiles(c.video_id);
    if (video && !video.remote && !c.held_for_review) await this.videoAudience.forward(activity, video, signerUrl);
  }

  private async onRemoteDelete(activity: Json, signerUrl: string): Promise<void> {
    const url = idOf(activity.object);
    if (!url || !isUrl(url) || idOf(activity.actor) === url) return;
    const comment = await this.comments.findByUrl(url);
    if (!comment) return;
    const c = await this.comments.findForFederation(comment.id);
    const video = await this.videos.loadWithFiles(comment.video_id);
    if (!c || !video) return;
    // By its author or by the video's owner (§6.3).
    if (c.author_actor_url !== signerUrl && video.VideoChannel?.Account?.Actor?.url !== signerUrl) {
      logger.warn({ comment: url, signer: signerUrl }, 'comment Delete by an actor that neither wrote it nor owns the video refused');
      return;
    }
    if (!(await this.comments.deleteRemote(comment.id))) return;
    if (!video.remote) await this.videoAudience.forward(activity, video, signerUrl);
  }

  /** The remote video's owner approved a comment held there. */
  private async onApproveReply(activity: Json, signerUrl: string): Promise<void> {
    const url = idOf(activity.object);
    const comment = url ? await this.comments.findByUrl(url) : null;
    if (!comment || typeof activity.id !== 'string') return;
    const video = await this.videos.loadWithFiles(comment.video_id);
    if (!video?.remote || video.VideoChannel?.Account?.Actor?.url !== signerUrl) return;
    if (!(await this.comments.approveRemote(comment.id, activity.id))) return;
    // Our own comment: sent again to the video's origin, now with its approval, which passes it on to
    // the video's audience (the ApproveReply came to us only).
    const c = await this.comments.findForFederation(comment.id);
    if (c?.author_local) await this.onLocalCreated(c.id);
  }
}
