import { AP_BASE_CONTEXT, VideoCommentPolicy, VideoPrivacy, VideoState, type VideoDetails, type VideoFile } from '@flotilla/shared';
import { AP_PUBLIC } from './ap-constants';

/** The Video context's extra terms (activitypub.md §9). */
export const AP_VIDEO_CONTEXT_EXTRA = {
  pt: 'https://joinpeertube.org/ns#',
  sc: 'http://schema.org/',
  Hashtag: 'as:Hashtag',
  category: 'sc:category',
  licence: 'sc:license',
  subtitleLanguage: 'sc:subtitleLanguage',
  automaticallyGenerated: 'pt:automaticallyGenerated',
  sensitive: 'as:sensitive',
  language: 'sc:inLanguage',
  identifier: 'sc:identifier',
  isLiveBroadcast: 'sc:isLiveBroadcast',
  liveSaveReplay: { '@type': 'sc:Boolean', '@id': 'pt:liveSaveReplay' },
  permanentLive: { '@type': 'sc:Boolean', '@id': 'pt:permanentLive' },
  latencyMode: { '@type': 'sc:Number', '@id': 'pt:latencyMode' },
  Infohash: 'pt:Infohash',
  SensitiveTag: 'pt:SensitiveTag',
  tileWidth: { '@type': 'sc:Number', '@id': 'pt:tileWidth' },
  tileHeight: { '@type': 'sc:Number', '@id': 'pt:tileHeight' },
  tileDuration: { '@type': 'sc:Number', '@id': 'pt:tileDuration' },
  aspectRatio: { '@type': 'sc:Float', '@id': 'pt:aspectRatio' },
  uuid: { '@type': 'sc:identifier', '@id': 'pt:uuid' },
  originallyPublishedAt: 'sc:datePublished',
  uploadDate: 'sc:uploadDate',
  hasParts: 'sc:hasParts',
  views: { '@type': 'sc:Number', '@id': 'pt:views' },
  state: { '@type': 'sc:Number', '@id': 'pt:state' },
  size: { '@type': 'sc:Number', '@id': 'pt:size' },
  fps: { '@type': 'sc:Number', '@id': 'pt:fps' },
  commentsEnabled: { '@type': 'sc:Boolean', '@id': 'pt:commentsEnabled' },
  canReply: 'pt:canReply',
  commentsPolicy: { '@type': 'sc:Number', '@id': 'pt:commentsPolicy' },
  downloadEnabled: { '@type': 'sc:Boolean', '@id': 'pt:downloadEnabled' },
  waitTranscoding: { '@type': 'sc:Boolean', '@id': 'pt:waitTranscoding' },
  support: { '@type': 'sc:Text', '@id': 'pt:support' },
  likes: { '@id': 'as:likes', '@type': '@id' },
  dislikes: { '@id': 'as:dislikes', '@type': '@id' },
  shares: { '@id': 'as:shares', '@type': '@id' },
  comments: { '@id': 'as:comments', '@type': '@id' },
  PropertyValue: 'sc:PropertyValue',
  value: 'sc:value',
};
export const AP_VIDEO_CONTEXT = [...AP_BASE_CONTEXT, AP_VIDEO_CONTEXT_EXTRA];

export interface VideoActors {
  accountUrl: string;
  channelUrl: string;
  followersUrl: string;
}

/** `to`/`cc` of a federated video (§6.1): public → to Public; unlisted → cc Public. */
export function videoAudience(privacy: number, followersUrl: string): { to: string[]; cc: string[] } {
  return privacy === VideoPrivacy.PUBLIC ? { to: [AP_PUBLIC], cc: [followersUrl] } : { to: [], cc: [AP_PUBLIC] };
}

/** The Announce of a video by one of the actors that share it (its channel, the instance): id `<video>/announces/<actor id>`. */
export function announceActivity(video: { url: string; privacy: number }, actor: { id: number; url: string }): Record<string, unknown> {
  return {
    '@context': AP_BASE_CONTEXT,
    id: `${video.url}/announces/${actor.id}`,
    type: 'Announce',
    actor: actor.url,
    object: video.url,
    ...videoAudience(video.privacy, `${actor.url}/followers`),
  };
}

export const isFederatedPrivacy = (privacy: number) => privacy === VideoPrivacy.PUBLIC || privacy === VideoPrivacy.UNLISTED;

/** States the network sees (as PeerTube): published, and lives waiting for their stream or ended. */
export const isFederatedState = (state: number) => state === VideoState.PUBLISHED || state === VideoState.WAITING_FOR_LIVE || state === VideoState.LIVE_ENDED;

/** A live's settings as the Video object carries them (`pt:liveSaveReplay`, `pt:permanentLive`, `pt:latencyMode`). */
export interface LiveSettings {
  saveReplay: boolean;
  permanentLive: boolean;
  latencyMode: number;
}

const imageType = (url: string) => (/\.png$/i.test(url) ? 'image/png' : /\.webp$/i.test(url) ? 'image/webp' : 'image/jpeg');

function fileLinks(d: VideoDetails, f: VideoFile, format: 'fragmented' | 'web-video') {
  const dims = { height: f.height ?? f.resolution.id, width: f.width ?? undefined, fps: f.fps };
  const codecTypes = [...(f.hasVideo !== false ? ['video'] : []), ...(f.hasAudio !== false ? ['audio'] : [])];
  const links: Record<string, unknown>[] = [
    {
      type: 'Link',
      mediaType: f.hasVideo === false ? 'audio/mp4' : 'video/mp4',
      href: f.fileUrl,
      ...dims,
      size: f.size,
      attachment: [
        ...codecTypes.map((value) => ({ type: 'PropertyValue', name: 'ffprobe_codec_type', value })),
        { type: 'PropertyValue', name: 'peertube_format_flag', value: format },
      ],
    },
    { type: 'Link', rel: ['metadata', 'video/mp4'], mediaType: 'application/json', href: `${new URL(d.url).origin}/api/v1/videos/${d.uuid}/metadata/${f.id}`, ...dims },
  ];
  if (f.torrentUrl) links.push({ type: 'Link', mediaType: 'application/x-bittorrent', href: f.torrentUrl, ...dims });
  if (f.magnetUri) links.push({ type: 'Link', mediaType: 'application/x-bittorrent;x-scheme-handler/magnet', href: f.magnetUri, ...dims });
  return links;
}

/**
 * A local video as PeerTube's Video object (activitypub.md §4), built from the API's VideoDetails
 * (its file, playlist and tracker URLs) and the owner actors' URLs.
 */
export function buildVideoObject(d: VideoDetails, actors: VideoActors, opts: { privacy: number; thumbnailUrl: string | null; previewUrl: string | null; withContext?: boolean; live?: LiveSettings | null }): Record<string, unknown> {
  const url = d.url;
  const icon = [
    ...(d.thumbnailPath && opts.thumbnailUrl ? [{ type: 'Image', url: opts.thumbnailUrl, mediaType: imageType(opts.thumbnailUrl), width: 280, height: 157 }] : []),
    ...(d.previewPath && opts.previewUrl ? [{ type: 'Image', url: opts.previewUrl, mediaType: imageType(opts.previewUrl), width: 850, height: 480 }] : []),
  ];
  const links: Record<string, unknown>[] = [{ type: 'Link', mediaType: 'text/html', href: url }];
  for (const f of d.files ?? []) links.push(...fileLinks(d, f, 'web-video'));
  for (const p of d.streamingPlaylists ?? []) {
    links.push({
      type: 'Link',
      mediaType: 'application/x-mpegURL',
      href: p.playlistUrl,
      tag: [
        { type: 'Link', name: 'sha256', mediaType: 'application/json', href: p.segmentsSha256Url },
        ...p.files.flatMap((f) => fileLinks(d, f, 'fragmented')),
      ],
    });
  }
  const [httpTracker, wsTracker] = d.trackerUrls ?? [];
  if (httpTracker) links.push({ type: 'Link', name: 'tracker-http', rel: ['tracker', 'http'], href: httpTracker });
  if (wsTracker) links.push({ type: 'Link', name: 'tracker-websocket', rel: ['tracker', 'websocket'], href: wsTracker });

  const commentsPolicy = d.commentsPolicy?.id ?? VideoCommentPolicy.ENABLED;
  return {
    ...(opts.withContext === false ? {} : { '@context': AP_VIDEO_CONTEXT }),
    type: 'Video',
    id: url,
    name: d.name,
    duration: `PT${Math.round(d.duration)}S`,
    uuid: d.uuid,
    category: d.category.id !== null ? { identifier: String(d.category.id), name: d.category.label } : null,
    licence: d.licence.id !== null ? { identifier: String(d.licence.id), name: d.licence.label } : null,
    language: d.language.id !== null ? { identifier: d.language.id, name: d.language.label } : null,
    views: d.views,
    sensitive: d.nsfw,
    waitTranscoding: d.waitTranscoding,
    state: d.state.id,
    commentsEnabled: commentsPolicy !== VideoCommentPolicy.DISABLED,
    commentsPolicy,
    canReply: commentsPolicy === VideoCommentPolicy.DISABLED ? null : AP_PUBLIC,
    downloadEnabled: d.downloadEnabled,
    published: d.publishedAt ?? d.createdAt,
    originallyPublishedAt: d.originallyPublishedAt,
    updated: d.updatedAt,
    uploadDate: d.createdAt,
    tag: (d.tags ?? []).map((name) => ({ type: 'Hashtag', name })),
    mediaType: 'text/markdown',
    content: d.description,
    support: d.support,
    subtitleLanguage: [],
    icon,
    preview: [],
    aspectRatio: d.aspectRatio,
    url: links,
    likes: `${url}/likes`,
    dislikes: `${url}/dislikes`,
    shares: `${url}/announces`,
    comments: `${url}/comments`,
    hasParts: `${url}/chapters`,
    attributedTo: [
      { type: 'Person', id: actors.accountUrl },
      { type: 'Group', id: actors.channelUrl },
    ],
    isLiveBroadcast: d.isLive,
    // Null when the video is not a live (a live ended into a replay is a VOD again).
    liveSaveReplay: d.isLive && opts.live ? opts.live.saveReplay : null,
    permanentLive: d.isLive && opts.live ? opts.live.permanentLive : null,
    latencyMode: d.isLive && opts.live ? opts.live.latencyMode : null,
    ...videoAudience(opts.privacy, actors.followersUrl),
  };
}
