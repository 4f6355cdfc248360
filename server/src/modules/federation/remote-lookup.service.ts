import { Inject, Injectable } from '@nestjs/common';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { ActorsService } from '../actors/actors.service';
import { ChannelsService } from '../channels/channels.service';
import { VideosService } from '../videos/videos.service';
import { ApClientService } from './ap-client.service';
import { RemoteActorsService } from './remote-actors.service';
import { RemoteRefreshService } from './remote-refresh.service';
import { RemoteVideosService } from './remote-videos.service';

/** A search string that names one object: a URL, or (channels) a `name@host` handle. */
export type UriSearch = { kind: 'url'; url: string; host: string } | { kind: 'handle'; name: string; host: string };

const NAME = /^[A-Za-z0-9\-_.:]{1,255}$/;
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/** PeerTube's URI search: an http(s) URL, or `name@host` / `@name@host` without spaces. */
export function uriSearchOf(search: string): UriSearch | null {
  const s = search.trim();
  if (/^https?:\/\//i.test(s)) {
    try {
      const u = new URL(s);
      return { kind: 'url', url: u.href, host: u.host.toLowerCase() };
    } catch {
      return null;
    }
  }
  const parts = s.replace(/^@/, '').split('@');
  if (parts.length !== 2 || !NAME.test(parts[0]) || !HOST.test(parts[1])) return null;
  return { kind: 'handle', name: parts[0], host: parts[1].toLowerCase() };
}

/**
 * "Search remote URI" (PeerTube): a pasted video URL, channel URL or handle resolves to the local
 * copy, fetched from its origin (WebFinger for handles) when the caller may make this instance
 * fetch, through the platform HTTP client. Nothing found, a refused or failed fetch: null (the
 * search answers an empty list, as PeerTube does).
 */
@Injectable()
export class RemoteLookupService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly actors: ActorsService,
    private readonly channels: ChannelsService,
    private readonly videos: VideosService,
    private readonly client: ApClientService,
    private readonly remoteActors: RemoteActorsService,
    private readonly remoteVideos: RemoteVideosService,
    private readonly refresh: RemoteRefreshService,
  ) {}

  /** Whether this caller's URI searches may fetch from other instances (config `search.remote_uri`). */
  mayFetch(loggedIn: boolean): boolean {
    return loggedIn ? this.config.search.remote_uri.users : this.config.search.remote_uri.anonymous;
  }

  private isLocalHost(host: string): boolean {
    return host === this.config.webserverHost.toLowerCase();
  }

  /** The uuid of the video at this URL (its watch page or ActivityPub id). */
  async videoUuid(uri: UriSearch, fetch: boolean): Promise<string | null> {
    if (uri.kind !== 'url') return null;
    if (this.isLocalHost(uri.host)) {
      const id = new URL(uri.url).pathname.match(/^\/(?:w|videos\/watch)\/([^/]+)\/?$/)?.[1];
      return id ? this.videos.loadByIdentifier(decodeURIComponent(id), { withFiles: false }).then((v) => v.uuid, () => null) : null;
    }
    const known = await this.videos.loadByUrl(uri.url);
    if (known) {
      if (fetch) void this.refresh.refreshIfStale(known.id).catch(() => undefined);
      return known.uuid;
    }
    if (!fetch || (await this.remoteActors.isBlocked(uri.host))) return null;
    try {
      const id = await this.remoteVideos.fetchAndStore(uri.url);
      return id === null ? null : ((await this.videos.loadWithFiles(id))?.uuid ?? null);
    } catch (err) {
      logger.info({ url: uri.url, err: (err as Error).message }, 'remote video search: nothing fetched');
      return null;
    }
  }

  /** The id of the channel at this URL or with this handle. */
  async channelId(uri: UriSearch, fetch: boolean): Promise<number | null> {
    if (this.isLocalHost(uri.host)) {
      const name = uri.kind === 'handle' ? uri.name : new URL(uri.url).pathname.match(/^\/(?:video-channels|c)\/([^/]+)\/?$/)?.[1];
      return name ? this.channels.findByHandle(decodeURIComponent(name)).then((c) => c.id, () => null) : null;
    }
    let url: string | null = uri.kind === 'url' ? uri.url : null;
    if (uri.kind === 'handle') {
      const known = await this.channels.findByHandle(`${uri.name}@${uri.host}`).catch(() => null);
      if (known) url = known.Actor!.url;
    }
    if (url) {
      const actor = await this.actors.findByUrl(url);
      const known = actor && actor.serverId !== null && actor.type === 'Group' ? await this.channels.idOfActor(actor.id) : null;
      if (known !== null) {
        // Used: refreshed in the background when stale.
        if (fetch) void this.remoteActors.getOrFetch(url).catch(() => undefined);
        return known;
      }
    }
    if (!fetch || (await this.remoteActors.isBlocked(uri.host))) return null;
    try {
      if (!url && uri.kind === 'handle') url = await this.client.webfinger(uri.name, uri.host);
      const actor = await this.remoteActors.getOrFetch(url!);
      if (actor.serverId === null || actor.type !== 'Group') return null;
      return await this.remoteVideos.ensureChannel(actor.url, null);
    } catch (err) {
      logger.info({ search: uri, err: (err as Error).message }, 'remote channel search: nothing fetched');
      return null;
    }
  }
}
