import { Injectable, type OnModuleInit } from '@nestjs/common';
import { VideoCommentPolicy, VideoPrivacy, VideoState } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { EventBus } from '../../platform/events/event-bus.service';
import { LiveVideosNamespace } from '../../platform/sockets/live-videos.namespace';
import { AccountsService } from '../users/accounts.service';
import { ActorsService } from '../actors/actors.service';
import { ChannelsService } from '../channels/channels.service';
import type { RemoteFile, RemotePlaylist } from '../media-files/remote-files.service';
import { RemoteFilesService } from '../media-files/remote-files.service';
import { VideosService, type RemoteVideoRow } from '../videos/videos.service';
import { VideoRatesService } from '../videos/video-rates.service';
import { idOf } from './activities';
import { ApClientService, RemoteFetchError } from './ap-client.service';
import { AP_PUBLIC } from './ap-constants';
import { FederationRepository } from './federation.repository';
import { asArray, date, int, isUrl, type Json } from './ap-values';
import { InboxService } from './inbox.service';
import { hostOf, RemoteActorsService } from './remote-actors.service';
import { VideoAudienceService } from './video-audience.service';

const PUBLIC_FORMS = new Set([AP_PUBLIC, 'as:Public', 'Public']);


function parseFile(l: Json): RemoteFile | null {
  const height = int(l.height);
  const size = int(l.size);
  if (!isUrl(l.href) || height === null || height < 0 || size === null || size < 0) return null;
  const fps = typeof l.fps === 'number' && l.fps >= -1 ? l.fps : -1;
  const codecs = asArray(l.attachment)
    .filter((a): a is Json => !!a && typeof a === 'object' && (a as Json).name === 'ffprobe_codec_type')
    .map((a) => a.value);
  return {
    resolution: height,
    size,
    fps,
    width: int(l.width),
    height,
    fileUrl: l.href,
    hasAudio: codecs.length === 0 || codecs.includes('audio'),
    hasVideo: codecs.length === 0 ? l.mediaType !== 'audio/mp4' : codecs.includes('video'),
  };
}

const isVideoFileLink = (l: Json) => typeof l.mediaType === 'string' && /^(video|audio)\/(mp4|webm|ogg)$/.test(l.mediaType) && !asArray(l.rel).includes('metadata');

/** What a Video object gives once checked (§4 minimum + the files, images and trackers kept). */
export interface ParsedVideo {
  row: Omit<RemoteVideoRow, 'channelId'>;
  channelUrl: string;
  accountUrl: string | null;
  webFiles: RemoteFile[];
  playlists: RemotePlaylist[];
  thumbnailUrl: string | null;
  previewUrl: string | null;
  trackerUrls: string[];
  updated: Date;
  /** The origin's `likes` and `dislikes` collections (same host as the video), read for their totals. */
  likesUrl: string | null;
  dislikesUrl: string | null;
}

/** Checks a remote Video object as PeerTube does; null when it is not acceptable. */
export function parseVideoObject(o: Json): ParsedVideo | null {
  if (o.type !== 'Video' || !isUrl(o.id) || typeof o.name !== 'string' || o.name.trim().length === 0) return null;
  if (typeof o.uuid !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(o.uuid)) return null;
  if (typeof o.duration !== 'string' || !o.duration.startsWith('PT') || !o.duration.endsWith('S')) return null;
  const duration = parseInt(o.duration.slice(2, -1), 10);
  if (!Number.isFinite(duration) || duration < 0) return null;
  const published = date(o.published);
  const updated = date(o.updated);
  if (!published || !updated || int(o.views) === null) return null;
  const links = asArray(o.url).filter((l): l is Json => !!l && typeof l === 'object');
  if (links.length === 0) return null;
  const icons = asArray(o.icon).filter((i): i is Json => !!i && typeof i === 'object' && isUrl((i as Json).url) && /^image\/(png|jpe?g|webp)$/.test(String((i as Json).mediaType)));
  // A live has no picture nor file before its stream starts (Flotilla's lives get no thumbnail).
  const isLive = o.isLiveBroadcast === true;
  if (icons.length === 0 && !isLive) return null;
  const by = asArray(o.attributedTo).map((a) => ({ type: typeof a === 'object' && a ? (a as Json).type : null, id: idOf(a) }));
  const channelUrl = by.find((a) => a.type === 'Group')?.id ?? null;
  const accountUrl = by.find((a) => a.type === 'Person')?.id ?? null;
  if (!channelUrl || !isUrl(channelUrl)) return null;
  const host = hostOf(o.id);
  // Everything the video names lives at its origin.
  if (hostOf(channelUrl) !== host || (accountUrl && (!isUrl(accountUrl) || hostOf(accountUrl) !== host))) return null;

  const webFiles = links.filter(isVideoFileLink).map(parseFile).filter((f): f is RemoteFile => f !== null);
  const playlists: RemotePlaylist[] = [];
  for (const l of links.filter((x) => x.mediaType === 'application/x-mpegURL' && isUrl(x.href) && Array.isArray(x.tag))) {
    const tags = (l.tag as unknown[]).filter((t): t is Json => !!t && typeof t === 'object');
    const sha = tags.find((t) => t.name === 'sha256' && isUrl(t.href));
    playlists.push({
      playlistUrl: l.href as string,
      segmentsSha256Url: (sha?.href as string) ?? (l.href as string).replace(/-master\.m3u8$/, '-segments-sha256.json'),
      infoHashes: tags.filter((t) => t.type === 'Infohash' && typeof t.name === 'string' && /^[0-9a-f]{40}$/i.test(t.name)).map((t) => t.name as string),
      files: tags.filter(isVideoFileLink).map(parseFile).filter((f): f is RemoteFile => f !== null),
    });
  }
  if (webFiles.length === 0 && playlists.length === 0 && !isLive) return null;
  const trackers = links.filter((l) => asArray(l.rel).includes('tracker') && typeof l.href === 'string' && /^(https?|wss?):\/\//.test(l.href)).map((l) => l.href as string);

  const to = asArray(o.to).map(String);
  const category = o.category && typeof o.category === 'object' ? int((o.category as Json).identifier) : null;
  const licence = o.licence && typeof o.licence === 'object' ? int((o.licence as Json).identifier) : null;
  const language = o.language && typeof o.language === 'object' && typeof (o.language as Json).identifier === 'string' ? ((o.language as Json).identifier as string).slice(0, 10) : null;
  const commentsPolicy = int(o.commentsPolicy);
  const state = int(o.state);
  const tags = asArray(o.tag)
    .filter((t): t is Json => !!t && typeof t === 'object' && (t as Json).type === 'Hashtag' && typeof (t as Json).name === 'string')
    .map((t) => (t.name as string).replace(/^#/, ''))
    .filter((n) => n.length >= 2 && n.length <= 30)
    .slice(0, 5);
  const thumbnail = [...icons].sort((a, b) => (int(a.width) ?? 0) - (int(b.width) ?? 0));
  return {
    row: {
      uuid: o.uuid.toLowerCase(),
      url: o.id,
      name: o.name.slice(0, 120),
      description: typeof o.content === 'string' ? o.content.slice(0, 10000) : null,
      support: typeof o.support === 'string' ? o.support.slice(0, 1000) : null,
      duration,
      aspectRatio: typeof o.aspectRatio === 'number' ? o.aspectRatio : null,
      state: state !== null && state >= 1 && state <= 11 ? state : VideoState.PUBLISHED,
      privacy: to.some((t) => PUBLIC_FORMS.has(t)) ? VideoPrivacy.PUBLIC : VideoPrivacy.UNLISTED,
      category,
      licence: licence !== null && licence >= 1 && licence <= 7 ? licence : null,
      language,
      tags,
      nsfw: o.sensitive === true,
      // Missing or invalid: disabled (as PeerTube).
      commentsPolicy: commentsPolicy !== null && commentsPolicy >= 1 && commentsPolicy <= 3 ? commentsPolicy : VideoCommentPolicy.DISABLED,
      downloadEnabled: o.downloadEnabled !== false,
      waitTranscoding: o.waitTranscoding === true,
      publishedAt: published,
      originallyPublishedAt: date(o.originallyPublishedAt),
      views: int(o.views) ?? 0,
      isLive: o.isLiveBroadcast === true,
    },
    channelUrl,
    accountUrl,
    webFiles,
    playlists,
    thumbnailUrl: (thumbnail[0]?.url as string) ?? null,
    previewUrl: (thumbnail[thumbnail.length - 1]?.url as string) ?? null,
    trackerUrls: trackers.slice(0, 4),
    updated,
    likesUrl: isUrl(o.likes) && hostOf(o.likes) === hostOf(o.id) ? o.likes : null,
    dislikesUrl: isUrl(o.dislikes) && hostOf(o.dislikes) === hostOf(o.id) ? o.dislikes : null,
  };
}

/** Remote videos in: from Create/Announce/Update/Delete and by URL, with the ownership rules of §6.3/§7.4. */
@Injectable()
export class RemoteVideosService implements OnModuleInit {
  constructor(
    private readonly inbox: InboxService,
    private readonly client: ApClientService,
    private readonly remoteActors: RemoteActorsService,
    private readonly actors: ActorsService,
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
    private readonly videos: VideosService,
    private readonly rates: VideoRatesService,
    private readonly files: RemoteFilesService,
    private readonly repo: FederationRepository,
    private readonly events: EventBus,
    private readonly liveSockets: LiveVideosNamespace,
    private readonly audience: VideoAudienceService,
  ) {}

  onModuleInit(): void {
    this.inbox.register('Create', (a, s) => this.onCreateOrUpdate(a, s));
    this.inbox.register('Update', (a, s) => this.onCreateOrUpdate(a, s));
    this.inbox.register('Announce', (a, s) => this.onAnnounce(a, s));
    this.inbox.register('Undo:Announce', (a, s) => this.onUndoAnnounce(a, s));
    this.inbox.register('Delete', (a, s) => this.onDelete(a, s));
  }

  /** Fetches a video by URL from its origin (same-origin check) and stores it. */
  async fetchAndStore(url: string): Promise<number | null> {
    const { json } = await this.client.get(url);
    if (!isUrl(json.id) || hostOf(json.id) !== hostOf(url)) throw new RemoteFetchError(`${url} answered an object of another host`);
    return this.store(json);
  }

  private async onCreateOrUpdate(activity: Json, signerUrl: string): Promise<void> {
    const object = activity.object;
    if (typeof object === 'string') {
      if (activity.type === 'Create' && hostOf(object) === hostOf(signerUrl)) await this.fetchAndStore(object);
      return;
    }
    if (!object || typeof object !== 'object' || (object as Json).type !== 'Video') return;
    const parsed = parseVideoObject(object as Json);
    if (!parsed) {
      logger.info({ id: (object as Json).id }, 'invalid remote Video refused');
      return;
    }
    // Ownership: the video's account (or, without one, its origin) signed it.
    if (parsed.accountUrl ? parsed.accountUrl !== signerUrl : hostOf(parsed.row.url) !== hostOf(signerUrl)) {
      logger.warn({ video: parsed.row.url, signer: signerUrl }, 'video Create/Update by an actor that does not own it refused');
      return;
    }
    await this.save(parsed);
  }

  private async onAnnounce(activity: Json, signerUrl: string): Promise<void> {
    const signer = await this.actors.findByUrl(signerUrl);
    // Recent PeerTube processes Announces only from channels and instances (boosts by Persons are ignored).
    if (!signer || (signer.type !== 'Group' && signer.type !== 'Application')) return;
    const url = idOf(activity.object);
    if (!url || !isUrl(url)) return;
    const known = await this.videos.loadByUrl(url);
    const videoId = known ? known.id : await this.fetchAndStore(url);
    // The share is kept (PeerTube's videoShare) when its id is the sharer's own: the video's `announces` collection lists it.
    if (videoId === null || !isUrl(activity.id) || hostOf(activity.id) !== hostOf(signerUrl)) return;
    const created = await this.repo.upsertShare(signer.id, videoId, activity.id);
    // A new share of one of our videos goes on to the video's audience, who count it as well
    // (PeerTube's process-announce: only a share it had not stored yet, never back to the sharer).
    if (created && known && !known.remote) await this.audience.forward(activity, known, signerUrl);
  }

  /** Undo of a share, by the actor that shared; forwarded to the audience when the video is ours. */
  private async onUndoAnnounce(activity: Json, signerUrl: string): Promise<void> {
    const announce = activity.object;
    const id = idOf(announce);
    const signer = await this.actors.findByUrl(signerUrl);
    if (!id || !signer || (announce && typeof announce === 'object' && idOf((announce as Json).actor) !== signerUrl)) return;
    const videoId = await this.repo.deleteShare(signer.id, id);
    const video = videoId === null ? null : await this.videos.loadWithFiles(videoId);
    // PeerTube's process-undo passes on the inner Announce here; the Undo itself is what lets the
    // audience remove the share, so the Undo is forwarded.
    if (video && !video.remote) await this.audience.forward(activity, video, signerUrl);
  }

  private async onDelete(activity: Json, signerUrl: string): Promise<void> {
    const url = idOf(activity.object);
    if (!url) return;
    const video = await this.videos.loadByUrl(url);
    if (!video) return;
    // A remote Delete of a local video is refused; a remote video only by its owning account.
    if (!video.remote) return;
    if (video.VideoChannel?.Account?.Actor?.url !== signerUrl) {
      logger.warn({ video: url, signer: signerUrl }, 'video Delete by an actor that does not own it refused');
      return;
    }
    await this.videos.delete(video);
  }

  private async store(json: Json): Promise<number | null> {
    const parsed = parseVideoObject(json);
    if (!parsed) throw new RemoteFetchError(`${String(json.id)} is not a valid Video`);
    return this.save(parsed);
  }

  private async save(p: ParsedVideo): Promise<number | null> {
    const existing = await this.videos.loadByUrl(p.row.url);
    if (existing && !existing.remote) return null;
    if (existing) {
      const meta = await this.repo.remoteVideo(existing.id);
      // An older Update never overwrites a newer one.
      if (meta && meta.remoteUpdatedAt.getTime() > p.updated.getTime()) return existing.id;
    }
    const channelId = await this.ensureChannel(p.channelUrl, p.accountUrl);
    const { id } = await this.videos.upsertRemote({ ...p.row, channelId });
    await this.files.replace(id, p.webFiles, p.playlists);
    await this.repo.saveRemoteVideo({ videoId: id, thumbnailUrl: p.thumbnailUrl, previewUrl: p.previewUrl, trackerUrls: p.trackerUrls, remoteUpdatedAt: p.updated });
    // The origin's like/dislike totals, read after the video is listed (PeerTube reads the same collections).
    void this.syncRateCounts(id, p);
    if (!existing) this.events.emit('video.received', { videoId: id });
    // Watch pages of a remote live here follow it on this instance's /live-videos (as PeerTube).
    else if (existing.isLive && existing.state !== p.row.state) this.liveSockets.emitToLiveVideo(id, 'state-change', { state: p.row.state });
    return id;
  }

  /** Sets a remote video's likes/dislikes to the `totalItems` of the origin's collections; a collection that fails to load changes nothing. */
  private async syncRateCounts(videoId: number, p: ParsedVideo): Promise<void> {
    const total = async (url: string | null): Promise<number | undefined> => {
      if (!url) return undefined;
      try {
        const { json } = await this.client.get(url);
        const n = int(json.totalItems);
        return n !== null && n >= 0 ? n : undefined;
      } catch (err) {
        logger.info({ url, err: (err as Error).message }, 'remote rates collection not read');
        return undefined;
      }
    };
    const [likes, dislikes] = await Promise.all([total(p.likesUrl), total(p.dislikesUrl)]);
    const counts = { ...(likes !== undefined ? { likes } : {}), ...(dislikes !== undefined ? { dislikes } : {}) };
    if (Object.keys(counts).length) await this.rates.setRemoteCounts(videoId, counts).catch((err: Error) => logger.error({ err: err.message, videoId }, 'remote rate counts not saved'));
  }

  /** The local row of a remote channel (and of its account), fetched when unknown. */
  async ensureChannel(channelUrl: string, accountUrl: string | null): Promise<number> {
    // The channel and its account are fetched together (one round trip less on a first sight).
    const [actor] = await Promise.all([
      this.remoteActors.getOrFetch(channelUrl),
      accountUrl ? this.remoteActors.getOrFetch(accountUrl).catch(() => null) : null,
    ]);
    if (actor.serverId === null || actor.type !== 'Group') throw new RemoteFetchError(`${channelUrl} is not a remote channel`);
    const known = await this.channels.idOfActor(actor.id);
    if (known !== null && !accountUrl) return known;
    const json = await this.remoteActors.document(channelUrl);
    const owner = accountUrl ?? idOf(asArray(json.attributedTo)[0]);
    if (!owner || !isUrl(owner) || hostOf(owner) !== hostOf(channelUrl)) throw new RemoteFetchError(`${channelUrl} has no owner account of its host`);
    const accountId = await this.ensureAccount(owner);
    const { id } = await this.channels.upsertRemote({
      actorId: actor.id,
      accountId,
      name: typeof json.name === 'string' && json.name ? json.name : actor.preferredUsername,
      description: typeof json.summary === 'string' ? json.summary : null,
      support: typeof json.support === 'string' ? json.support : null,
    });
    return id;
  }

  /** The local row of a remote account, fetched when unknown. */
  async ensureAccount(accountUrl: string): Promise<number> {
    const actor = await this.remoteActors.getOrFetch(accountUrl);
    if (actor.serverId === null) throw new RemoteFetchError(`${accountUrl} is a local actor`);
    const known = await this.accounts.refOfActor(actor.id);
    if (known) return known.id;
    const json = await this.remoteActors.document(accountUrl);
    const ref = await this.accounts.upsertRemote(
      actor.id,
      typeof json.name === 'string' && json.name ? json.name : actor.preferredUsername,
      typeof json.summary === 'string' ? json.summary : null,
    );
    return ref.id;
  }
}
