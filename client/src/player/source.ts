/** Turns a VideoDetails into what the player needs (HLS playlist, hashes, tracker, fallback file). */
import type { ServerConfig, VideoDetails } from '../api/types';
import type { PlayerSource } from './create-player';

export function playerSourceOf(video: VideoDetails): PlayerSource {
  const hls = video.streamingPlaylists?.find((p) => p.type === 1) ?? video.streamingPlaylists?.[0];
  const best = [...(video.files ?? [])].sort((a, b) => b.resolution.id - a.resolution.id)[0];
  return {
    swarmId: video.uuid,
    playlistUrl: hls?.playlistUrl ?? null,
    segmentsSha256Url: hls?.segmentsSha256Url ?? null,
    fileUrl: best?.fileUrl ?? null,
    isLive: video.isLive,
  };
}

/** The instance's own tracker; remote videos announce to their origin's ws(s) trackers. */
export function trackerUrlsFor(video: VideoDetails, loc: { protocol: string; host: string } = location): string[] {
  const own = `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/tracker/socket`;
  if (video.isLocal !== false) return [own];
  const remote = (video.trackerUrls ?? []).filter((u) => /^wss?:\/\//.test(u));
  return remote.length ? remote : [own];
}

/** The instance's word: no tracker, no P2P. */
export function p2pAllowedBy(config: ServerConfig | null): boolean {
  return !(config?.tracker && config.tracker.enabled === false);
}

/**
 * P2P for this video: only public and unlisted ones (as PeerTube). Private and internal videos need
 * authentication, and sharing their segments would show viewers' IPs to each other; the tracker
 * refuses their swarms too.
 */
export function p2pAllowedFor(config: ServerConfig | null, video: Pick<VideoDetails, 'privacy'>): boolean {
  const privacy = video.privacy?.id;
  return p2pAllowedBy(config) && (privacy === 1 || privacy === 2);
}

/** Default of the viewer's P2P setting when they never chose: their account's, else the instance's. */
export function p2pDefault(config: ServerConfig | null, userP2P: boolean | undefined, embed = false): boolean {
  if (typeof userP2P === 'boolean') return userP2P;
  const p2p = config?.defaults?.p2p;
  return (embed ? p2p?.embed?.enabled : p2p?.webapp?.enabled) !== false;
}

export function rtcConfigFrom(config: ServerConfig | null): RTCConfiguration {
  const stun = config?.webrtc?.stunServers ?? [];
  return { iceServers: stun.length ? [{ urls: stun }] : [] };
}

export function watchingIntervalMs(config: ServerConfig | null, loggedIn: boolean): number {
  const w = config?.views?.videos?.watchingInterval;
  const v = loggedIn ? w?.users : w?.anonymous;
  return typeof v === 'number' && v >= 1000 ? v : 5000;
}
