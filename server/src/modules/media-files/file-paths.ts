import { join } from 'node:path';
import { VideoPrivacy } from '@flotilla/shared';
import type { AppConfig } from '../../config/config';

/** PeerTube's sizes: miniatures for lists, previews for the player poster. */
export const THUMBNAIL_SIZE = { width: 280, height: 157 };
export const PREVIEW_SIZE = { width: 850, height: 480 };

export const STATIC_PATHS = {
  webVideos: '/static/web-videos/',
  privateWebVideos: '/static/web-videos/private/',
  hls: '/static/streaming-playlists/hls/',
  privateHls: '/static/streaming-playlists/hls/private/',
  thumbnails: '/lazy-static/thumbnails/',
  previews: '/lazy-static/previews/',
  torrents: '/lazy-static/torrents/',
  downloadVideos: '/download/videos/',
  downloadTorrents: '/download/torrents/',
} as const;

/**
 * A file name that came from a URL or a client: one path segment of safe characters, never `..`,
 * never a separator (decoded `%2F` included), never absolute. Everything built from input goes
 * through this before it touches the disk.
 */
export function isSafeFilename(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(name) && !name.includes('..');
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** The bytes of a resumable upload, appended chunk by chunk. */
export const uploadPartPath = (config: AppConfig, uploadId: string) => join(config.paths.tmp, 'resumable', `${uploadId}.part`);

/** Private and internal videos' files are only served under the `private/` prefixes, with a token. */
export function needsFileToken(privacy: number): boolean {
  return privacy === VideoPrivacy.PRIVATE || privacy === VideoPrivacy.INTERNAL || privacy === VideoPrivacy.PASSWORD_PROTECTED;
}

export function webVideoUrl(config: AppConfig, privacy: number, filename: string): string {
  return config.webserverUrl + (needsFileToken(privacy) ? STATIC_PATHS.privateWebVideos : STATIC_PATHS.webVideos) + filename;
}

export function hlsFileUrl(config: AppConfig, privacy: number, videoUuid: string, filename: string): string {
  return `${config.webserverUrl}${needsFileToken(privacy) ? STATIC_PATHS.privateHls : STATIC_PATHS.hls}${videoUuid}/${filename}`;
}

export function trackerUrls(config: AppConfig): string[] {
  const ws = config.webserver.https ? 'wss' : 'ws';
  return [`${config.webserverUrl}/tracker/announce`, `${ws}://${config.webserverHost}/tracker/socket`];
}

/** `magnet:` link with the torrent as exact source, the trackers and the file as web seed. */
export function magnetUri(opts: { infoHash: string; name: string; torrentUrl: string; fileUrl: string; trackers: string[] }): string {
  const parts = [
    `xs=${encodeURIComponent(opts.torrentUrl)}`,
    `xt=urn:btih:${opts.infoHash}`,
    `dn=${encodeURIComponent(opts.name)}`,
    ...opts.trackers.map((t) => `tr=${encodeURIComponent(t)}`),
    `ws=${encodeURIComponent(opts.fileUrl)}`,
  ];
  return `magnet:?${parts.join('&')}`;
}
