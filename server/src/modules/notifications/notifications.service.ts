import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import short from 'short-uuid';
import {
  UserNotificationType,
  VideoPrivacy,
  VideoState,
  type NotificationListQuery,
  type ResultList,
  type UserNotification,
} from '@flotilla/shared';
import { notFound } from '../../common/app-error';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { Mailer } from '../../platform/mail/mailer.service';
import { OnJob, type JobPayload } from '../../platform/queues/job-definition';
import { QueueRegistry } from '../../platform/queues/queue-registry.service';
import { UserNotificationsNamespace } from '../../platform/sockets/user-notifications.namespace';
import { NOTIFICATION_JOBS } from './notifications.jobs';
import { ActorsService } from '../actors/actors.service';
import { CommentsService } from '../comments/comments.service';
import { followBetween, followerActorIds } from '../federation';
import { NotificationRecipients, type Recipient } from '../users';
import { VideoBlacklistService } from '../video-blacklist/video-blacklist.service';
import { VideosService } from '../videos/videos.service';
import { NotificationsRepository, type NotificationPayload, type NotificationRefs } from './notifications.repository';

const translator = short(); // flickrBase58, as PeerTube's shortUUID

/** Rows written per INSERT (and pushed to sockets) while fanning out to many users. */
const FAN_OUT_CHUNK = 2000;

const SETTING_WEB = 1;
const SETTING_EMAIL = 2;

type FanOut = JobPayload<typeof NOTIFICATION_JOBS.fanOut>;

/**
 * PeerTube's user notifications. Domain events only queue a fan-out job (the emitter never waits);
 * the job finds the recipients with their settings, writes the web rows in bulk, pushes each to the
 * user's sockets (`new-notification`) and queues one e-mail job per e-mail recipient.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly events: EventBus,
    private readonly queues: QueueRegistry,
    private readonly sockets: UserNotificationsNamespace,
    private readonly mailer: Mailer,
    private readonly repo: NotificationsRepository,
    private readonly recipients: NotificationRecipients,
    private readonly actors: ActorsService,
    private readonly videos: VideosService,
    private readonly comments: CommentsService,
    private readonly blacklist: VideoBlacklistService,
  ) {}

  /** A video and its channel's ActorInfo, or null when either is gone. */
  private async video(videoId: number) {
    const v = await this.videos.notificationSubject(videoId);
    if (!v) return null;
    const channel = await this.actors.describe(v.channelActorId, this.config.webserverHost);
    return channel ? { ...v, channel } : null;
  }

  private actorInfo(actorId: number) {
    return this.actors.describe(actorId, this.config.webserverHost);
  }

  onModuleInit(): void {
    const queue = (payload: FanOut) =>
      this.queues.add(NOTIFICATION_JOBS.fanOut, payload).catch((err: unknown) => logger.error({ err, payload }, 'cannot queue a notification'));
    this.events.on('video.published', ({ videoId }) => queue({ source: 'video-published', videoId }));
    this.events.on('video.received', ({ videoId }) => queue({ source: 'video-received', videoId }));
    this.events.on('video.live-state-changed', ({ videoId, state, isLive }) => {
      if (isLive && state === VideoState.PUBLISHED) return queue({ source: 'live-started', videoId });
    });
    this.events.on('video.transcoding-failed', ({ videoId }) => queue({ source: 'transcoding-failed', videoId }));
    this.events.on('video.hidden-changed', ({ uuid, hidden }) => queue({ source: 'video-hidden-changed', uuid, hidden }));
    this.events.on('comment.created', (c) => queue({ source: 'comment-created', ...c }));
    this.events.on('comment.approved', (c) => queue({ source: 'comment-approved', ...c }));
    this.events.on('actor.followed', ({ followerActorId, followingActorId }) => queue({ source: 'actor-followed', followerActorId, followingActorId }));
    this.events.on('user.registered', ({ userId }) => queue({ source: 'user-registered', userId }));
    this.events.on('user.registration-requested', ({ registrationId, username }) => queue({ source: 'registration-requested', registrationId, username }));
  }

  list(userId: number, q: NotificationListQuery): Promise<ResultList<UserNotification>> {
    return this.repo.list(userId, { start: q.start ?? 0, count: q.count ?? 15, sort: q.sort ?? '-createdAt', unread: q.unread });
  }

  /** Unknown ids (or another user's) refuse the whole request: nothing is marked. */
  async markRead(userId: number, ids: number[]): Promise<void> {
    const missing = await this.repo.markRead(userId, ids);
    if (missing.length) throw notFound(`Notification ${missing.join(', ')} not found`);
  }

  markAllRead(userId: number): Promise<void> {
    return this.repo.markAllRead(userId);
  }

  @OnJob(NOTIFICATION_JOBS.fanOut)
  async fanOut(p: FanOut): Promise<void> {
    switch (p.source) {
      case 'video-published':
        return this.videoPublished(p.videoId, true);
      case 'video-received':
        return this.videoPublished(p.videoId, false);
      case 'live-started':
        return this.liveStarted(p.videoId);
      case 'transcoding-failed':
        return this.transcodingFailed(p.videoId);
      case 'video-hidden-changed':
        return this.hiddenChanged(p.uuid, p.hidden);
      case 'comment-created':
        return this.commentCreated(p);
      case 'comment-approved':
        return this.commentApproved(p);
      case 'actor-followed':
        return this.actorFollowed(p.followerActorId, p.followingActorId);
      case 'user-registered':
        return this.userRegistered(p.userId);
      case 'registration-requested':
        return this.registrationRequested(p.registrationId, p.username);
    }
  }

  private videoUrl(uuid: string): string {
    return `${this.config.webserverUrl}/w/${translator.fromUUID(uuid)}`;
  }

  private async videoPublished(videoId: number, local: boolean): Promise<void> {
    const v = await this.video(videoId);
    if (!v) return;
    const video = { id: v.id, uuid: v.uuid, shortUUID: translator.fromUUID(v.uuid), name: v.name, channel: v.channel };
    if (local && v.ownerUserId !== null) {
      const owner = await this.recipients.usersOfAccounts([v.ownerAccountId], 'myVideoPublished');
      await this.deliver(UserNotificationType.MY_VIDEO_PUBLISHED, owner, { videoId }, { video }, {
        subject: `Your video ${v.name} is published`,
        text: `Your video "${v.name}" has been published.\n\n${this.videoUrl(v.uuid)}\n`,
      });
    }
    // A live is told when it goes on air (NEW_LIVE_FROM_SUBSCRIPTION), not when it is created.
    if (v.privacy !== VideoPrivacy.PUBLIC || v.isLive) return;
    const subscribers = await this.recipients.usersOfAccountActors(await followerActorIds(v.channelActorId), 'newVideoFromSubscription');
    await this.deliver(UserNotificationType.NEW_VIDEO_FROM_SUBSCRIPTION, subscribers, { videoId }, { video }, {
      subject: `${v.channel.displayName} just published a new video`,
      text: `Your subscription ${v.channel.displayName} just published a new video: "${v.name}".\n\n${this.videoUrl(v.uuid)}\n`,
    });
  }

  private async transcodingFailed(videoId: number): Promise<void> {
    const v = await this.video(videoId);
    if (!v || v.remote || v.ownerUserId === null) return;
    const video = { id: v.id, uuid: v.uuid, shortUUID: translator.fromUUID(v.uuid), name: v.name, channel: v.channel };
    const owner = await this.recipients.usersOfAccounts([v.ownerAccountId], 'myVideoPublished');
    await this.deliver(UserNotificationType.MY_VIDEO_TRANSCODING_FAILED, owner, { videoId }, { video }, {
      subject: `Your video ${v.name} could not be transcoded`,
      text: `Transcoding of your video "${v.name}" failed. An administrator can retry it from the jobs page.\n\n${this.videoUrl(v.uuid)}\n`,
    });
  }

  /**
   * A moderator hid (BLACKLIST_ON_MY_VIDEO, 4) or showed again (UNBLACKLIST_ON_MY_VIDEO, 5) a local
   * video: its owner is told per `blacklistOnMyVideo`, as PeerTube's NewBlacklistForOwner and
   * UnblacklistForOwner. A hiding undone before this job ran tells nothing of it (PeerTube's row
   * would have gone with the blacklist entry); the unhiding is still told.
   */
  private async hiddenChanged(uuid: string, hidden: boolean): Promise<void> {
    const found = await this.videos.loadByIdentifier(uuid).catch(() => null);
    const v = found && (await this.video(found.id));
    if (!v || v.remote || v.ownerUserId === null) return;
    const video = { id: v.id, uuid: v.uuid, shortUUID: translator.fromUUID(v.uuid), name: v.name, channel: v.channel };
    const owner = await this.recipients.usersOfAccounts([v.ownerAccountId], 'blacklistOnMyVideo');
    if (!hidden) {
      await this.deliver(UserNotificationType.UNBLACKLIST_ON_MY_VIDEO, owner, { videoId: v.id }, { video }, {
        subject: `Your video ${v.name} is visible again`,
        text: `A moderator made your video "${v.name}" visible again.\n\n${this.videoUrl(v.uuid)}\n`,
      });
      return;
    }
    const entry = await this.blacklist.entryOf(v.id);
    if (!entry) return;
    const reason = entry.reason ? `\n\nReason: ${entry.reason}` : '';
    await this.deliver(UserNotificationType.BLACKLIST_ON_MY_VIDEO, owner, { videoId: v.id }, { videoBlacklist: { id: entry.id, video } }, {
      subject: `Your video ${v.name} was hidden by a moderator`,
      text: `Your video "${v.name}" was hidden by a moderator: only you and the moderators can see it now.${reason}\n\n${this.videoUrl(v.uuid)}\n`,
    });
  }

  private async liveStarted(videoId: number): Promise<void> {
    const v = await this.video(videoId);
    if (!v || v.privacy !== VideoPrivacy.PUBLIC) return;
    const video = { id: v.id, uuid: v.uuid, shortUUID: translator.fromUUID(v.uuid), name: v.name, channel: v.channel };
    const subscribers = await this.recipients.usersOfAccountActors(await followerActorIds(v.channelActorId), 'newVideoFromSubscription');
    await this.deliver(UserNotificationType.NEW_LIVE_FROM_SUBSCRIPTION, subscribers, { videoId }, { video }, {
      subject: `${v.channel.displayName} is live`,
      text: `Your subscription ${v.channel.displayName} is streaming live: "${v.name}".\n\n${this.videoUrl(v.uuid)}\n`,
    });
  }

  /** The comment as notifications show it, with its video and author; null when either is gone. */
  private async commentSubject(c: { commentId: number; videoId: number; threadId: number; authorAccountId: number }, heldForReview: boolean) {
    const v = await this.video(c.videoId);
    const authorActorId = await this.recipients.actorIdOfAccount(c.authorAccountId);
    const author = authorActorId === null ? null : await this.actorInfo(authorActorId);
    if (!v || !author) return null;
    const comment = {
      id: c.commentId,
      threadId: c.threadId,
      heldForReview,
      account: { id: author.id, name: author.name, displayName: author.displayName, host: author.host, avatars: author.avatars },
      video: { id: v.id, uuid: v.uuid, shortUUID: translator.fromUUID(v.uuid), name: v.name },
    };
    return { v, author, comment, url: `${this.videoUrl(v.uuid)};threadId=${c.threadId}` };
  }

  private async commentCreated(c: Extract<FanOut, { source: 'comment-created' }>): Promise<void> {
    const s = await this.commentSubject(c, c.heldForReview);
    if (!s) return;
    const { v, author, comment, url } = s;
    const told = new Set<number>();
    // The video's owner (not for their own comments).
    if (v.ownerAccountId !== c.authorAccountId) {
      const owner = await this.recipients.usersOfAccounts([v.ownerAccountId], 'newCommentOnMyVideo');
      owner.forEach((r) => told.add(r.userId));
      await this.deliver(UserNotificationType.NEW_COMMENT_ON_MY_VIDEO, owner, { videoId: v.id, commentId: c.commentId }, { comment }, {
        subject: `New comment on your video ${v.name}`,
        text: `${author.displayName} commented on your video "${v.name}".\n\n${url}\n`,
      });
    }
    // A held comment is shown to nobody but the owner until approved: its mentions are told then.
    if (c.heldForReview) return;
    await this.commentMentions(c, s, told);
  }

  /** A held comment was approved: those it mentions or answers are told now (the owner was told when it came). */
  private async commentApproved(c: Extract<FanOut, { source: 'comment-approved' }>): Promise<void> {
    const s = await this.commentSubject(c, false);
    if (!s) return;
    const owner = await this.recipients.usersOfAccounts([s.v.ownerAccountId], 'commentMention');
    await this.commentMentions(c, s, new Set(owner.map((r) => r.userId)));
  }

  private async commentMentions(
    c: { commentId: number; inReplyToCommentId: number | null; authorAccountId: number; mentionedAccountIds: number[] },
    s: NonNullable<Awaited<ReturnType<NotificationsService['commentSubject']>>>,
    told: Set<number>,
  ): Promise<void> {
    const { v, author, comment, url } = s;
    const mentioned = new Set(c.mentionedAccountIds);
    if (c.inReplyToCommentId !== null) {
      const parentAuthor = await this.comments.authorAccountIdOf(c.inReplyToCommentId);
      if (parentAuthor !== null) mentioned.add(parentAuthor);
    }
    mentioned.delete(c.authorAccountId);
    if (mentioned.size === 0) return;
    const recipients = (await this.recipients.usersOfAccounts([...mentioned], 'commentMention')).filter((r) => !told.has(r.userId));
    await this.deliver(UserNotificationType.COMMENT_MENTION, recipients, { videoId: v.id, commentId: c.commentId }, { comment }, {
      subject: `${author.displayName} mentioned you on ${v.name}`,
      text: `${author.displayName} mentioned you in a comment on "${v.name}".\n\n${url}\n`,
    });
  }

  private async actorFollowed(followerActorId: number, followingActorId: number): Promise<void> {
    const [follow, follower, following] = await Promise.all([
      followBetween(followerActorId, followingActorId),
      this.actorInfo(followerActorId),
      this.actorInfo(followingActorId),
    ]);
    if (!follow || !follower || !following) return;
    const actorFollow = {
      id: follow.id,
      state: follow.state,
      follower: { id: follower.id, name: follower.name, displayName: follower.displayName, host: follower.host, avatars: follower.avatars },
      following: { type: following.kind, name: following.name, displayName: following.displayName, host: following.host },
    };
    const who = follower.host === this.config.webserverHost ? follower.name : `${follower.name}@${follower.host}`;
    if (following.kind === 'instance') {
      const admins = await this.recipients.staff([0], 'newInstanceFollower');
      await this.deliver(UserNotificationType.NEW_INSTANCE_FOLLOWER, admins, { actorFollowId: follow.id }, { actorFollow }, {
        subject: 'New instance follower',
        text: `${who} now follows your instance.\n\n${this.config.webserverUrl}/admin/follows/followers-list\n`,
      });
      return;
    }
    const owner = await this.recipients.ownerOfActor(followingActorId, 'newFollow');
    await this.deliver(UserNotificationType.NEW_FOLLOW, owner, { actorFollowId: follow.id }, { actorFollow }, {
      subject: `${follower.displayName} follows ${following.displayName}`,
      text: `${who} now follows ${following.kind === 'channel' ? 'your channel' : 'your account'} ${following.displayName}.\n`,
    });
  }

  private async userRegistered(userId: number): Promise<void> {
    const accountId = await this.recipients.accountIdOfUser(userId);
    const actorId = accountId === null ? null : await this.recipients.actorIdOfAccount(accountId);
    const info = actorId === null ? null : await this.actorInfo(actorId);
    if (!accountId || !info) return;
    // Administrators and moderators (PeerTube: those with the MANAGE_USERS right).
    const staff = await this.recipients.staff([0, 1], 'newUserRegistration');
    await this.deliver(UserNotificationType.NEW_USER_REGISTRATION, staff, { accountId }, { account: { ...info, id: accountId } }, {
      subject: `New user registration: ${info.name}`,
      text: `A new user registered: ${info.name}.\n\n${this.config.webserverUrl}/admin/users/list\n`,
    });
  }

  /**
   * A sign-up request waits for approval: administrators and moderators (PeerTube: the
   * MANAGE_REGISTRATIONS right) are told per their `newUserRegistration` setting, as PeerTube does.
   */
  private async registrationRequested(registrationId: number, username: string): Promise<void> {
    const staff = await this.recipients.staff([0, 1], 'newUserRegistration');
    await this.deliver(UserNotificationType.NEW_USER_REGISTRATION_REQUEST, staff, { registrationId }, { registration: { id: registrationId, username } }, {
      subject: `A new user wants to register: ${username}`,
      text: `${username} asked for an account on ${this.config.instance.name}; the request waits for a moderator.\n\n${this.config.webserverUrl}/admin/registrations\n`,
    });
  }

  /**
   * Writes the web rows (in chunks, one INSERT each), pushes them to the users' sockets, and queues
   * the e-mails of those who chose e-mail.
   */
  private async deliver(type: number, recipients: Recipient[], refs: NotificationRefs, payload: NotificationPayload, mail: { subject: string; text: string }): Promise<void> {
    const web = recipients.filter((r) => r.setting & SETTING_WEB).map((r) => r.userId);
    for (let i = 0; i < web.length; i += FAN_OUT_CHUNK) {
      const rows = await this.repo.insertMany(type, web.slice(i, i + FAN_OUT_CHUNK), refs, payload);
      for (const row of rows) {
        const at = new Date(row.createdAt).toISOString();
        this.sockets.emitToUser(row.userId, 'new-notification', { id: row.id, type, read: false, ...payload, createdAt: at, updatedAt: at });
      }
    }
    if (!this.mailer.enabled) return;
    for (const r of recipients) {
      if (r.setting & SETTING_EMAIL) await this.mailer.queue({ to: r.email, ...mail });
    }
  }
}
