import { describe, expect, it } from 'vitest';
import { parseVideoObject } from './remote-videos.service';
import { buildVideoObject, isFederatedState } from './video-object';

const actors = { accountUrl: 'https://a.example/accounts/root', channelUrl: 'https://a.example/video-channels/main', followersUrl: 'https://a.example/accounts/root/followers' };

/** A live waiting for its stream: no picture, no file yet (as Flotilla creates lives). */
const waitingLive = {
  url: 'https://a.example/videos/watch/11111111-2222-4333-8444-555555555555',
  uuid: '11111111-2222-4333-8444-555555555555',
  name: 'On air soon',
  duration: 0,
  category: { id: null, label: 'Unknown' },
  licence: { id: null, label: 'Unknown' },
  language: { id: null, label: 'Unknown' },
  views: 0,
  nsfw: false,
  waitTranscoding: false,
  state: { id: 4, label: 'Waiting for livestream' },
  commentsPolicy: { id: 1, label: 'Enabled' },
  downloadEnabled: true,
  publishedAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  originallyPublishedAt: null,
  tags: [],
  description: null,
  support: null,
  aspectRatio: null,
  isLive: true,
  thumbnailPath: null,
  previewPath: null,
  files: [],
  streamingPlaylists: [],
  trackerUrls: ['https://a.example/tracker/announce', 'ws://a.example/tracker/socket'],
};
const opts = { privacy: 1, thumbnailUrl: null, previewUrl: null };

describe('lives in Video objects', () => {
  it('carry isLiveBroadcast and the live settings; other videos carry nulls', () => {
    const live = buildVideoObject(waitingLive as never, actors, { ...opts, live: { saveReplay: true, permanentLive: false, latencyMode: 3 } });
    expect(live).toMatchObject({ isLiveBroadcast: true, liveSaveReplay: true, permanentLive: false, latencyMode: 3, state: 4 });
    // A live ended into a replay is a VOD again: no live settings even if some are at hand.
    const vod = buildVideoObject({ ...waitingLive, isLive: false } as never, actors, { ...opts, live: { saveReplay: true, permanentLive: true, latencyMode: 2 } });
    expect(vod).toMatchObject({ isLiveBroadcast: false, liveSaveReplay: null, permanentLive: null, latencyMode: null });
  });

  it('a waiting live (no icon, no file) is accepted as a live; the same object not marked live is refused', () => {
    const object = buildVideoObject(waitingLive as never, actors, { ...opts, live: { saveReplay: false, permanentLive: false, latencyMode: 1 } });
    expect(parseVideoObject(object)?.row).toMatchObject({ isLive: true, state: 4 });
    expect(parseVideoObject({ ...object, isLiveBroadcast: false })).toBeNull();
  });

  it('federated states are PeerTube\'s: published, waiting for live, live ended', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].filter(isFederatedState)).toEqual([1, 4, 5]);
  });
});
