import { generateRssFeed } from 'feedsmith';
import type { Video, VideoChannel, VideoFile } from '@flotilla/shared';
import type { AppConfig } from '../../config/config';

const mimeOf = (url: string) => (url.endsWith('.webm') ? 'video/webm' : url.endsWith('.mp3') || url.endsWith('.m4a') ? 'audio/mp4' : 'video/mp4');

/** Every rendition of a video, web-video files first, then the HLS fragmented-MP4 files. */
function renditions(v: Video): VideoFile[] {
  const files = [...(v.files ?? []), ...(v.streamingPlaylists ?? []).flatMap((p) => p.files)];
  return files.sort((a, b) => b.resolution.id - a.resolution.id);
}

/**
 * PeerTube v5.2's podcast feed for a channel: RSS 2.0 with the `itunes:` and `podcast:` (Podcasting
 * 2.0) namespaces. Each episode has one plain `<enclosure>` (the best rendition, for podcast apps
 * that know nothing else) and a `podcast:alternateEnclosure` per rendition and one for the HLS
 * playlist, so players that know the namespace can pick a size.
 */
export function podcastFeed(config: AppConfig, channel: VideoChannel, videos: Video[], absolute: (p: string | null) => string | undefined): string {
  const avatar = channel.avatars.at(-1);
  const image = absolute(avatar?.fileUrl ?? avatar?.path ?? null);
  const selfUrl = `${config.webserverUrl}/feeds/podcast/videos.xml?videoChannelId=${channel.id}`;
  const feed = generateRssFeed({
    title: channel.displayName,
    link: channel.url,
    description: channel.description || `Videos of ${channel.displayName}`,
    generator: 'Flotilla',
    lastBuildDate: videos.length ? new Date(videos[0].publishedAt ?? videos[0].createdAt) : new Date(),
    image: image ? { url: image, title: channel.displayName, link: channel.url } : undefined,
    atom: { links: [{ href: selfUrl, rel: 'self', type: 'application/rss+xml' }] },
    itunes: { author: channel.displayName, image, explicit: false, type: 'episodic' },
    // The channel's ActivityPub URL is stable across renames: the feed's Podcasting 2.0 identity.
    podcast: { locked: { value: true }, guid: channel.url, medium: 'video' },
    items: videos.map((v) => {
      const files = renditions(v);
      const best = files[0];
      const hls = v.streamingPlaylists?.[0];
      return {
        title: v.name,
        link: `${config.webserverUrl}/w/${v.shortUUID}`,
        guid: { value: v.url, isPermaLink: false },
        pubDate: new Date(v.publishedAt ?? v.createdAt),
        description: v.description ?? '',
        enclosures: best ? [{ url: best.fileUrl, length: best.size, type: mimeOf(best.fileUrl) }] : undefined,
        itunes: { duration: v.duration, image: absolute(v.previewPath ?? v.thumbnailPath), explicit: v.nsfw },
        podcast: {
          alternateEnclosures: [
            ...files.map((f, i) => ({
              type: mimeOf(f.fileUrl),
              length: f.size,
              height: f.height ?? f.resolution.id,
              title: f.resolution.label,
              default: i === 0,
              sources: [{ uri: f.fileUrl }, ...(f.torrentUrl ? [{ uri: f.torrentUrl, contentType: 'application/x-bittorrent' }] : [])],
            })),
            ...(hls ? [{ type: 'application/x-mpegURL', title: 'HLS', sources: [{ uri: hls.playlistUrl }] }] : []),
          ],
        },
      };
    }),
  });
  return String(feed);
}
