import { describe, expect, it } from 'vitest';
import { watchIdOf } from './video-prefetch';

describe('watchIdOf', () => {
  it('reads the video id of watch URLs only', () => {
    expect(watchIdOf('/w/kkGMgK9ZtnKfYAgnEtQxbv')).toBe('kkGMgK9ZtnKfYAgnEtQxbv');
    expect(watchIdOf('/w/kkGMgK9ZtnKfYAgnEtQxbv/')).toBe('kkGMgK9ZtnKfYAgnEtQxbv');
    expect(watchIdOf('/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d')).toBe('9c9de5e8-0a1e-484a-b099-e80766180a6d');
    expect(watchIdOf('/w/p/playlist-id/extra')).toBeNull();
    expect(watchIdOf('/')).toBeNull();
    expect(watchIdOf('/c/root_channel')).toBeNull();
    expect(watchIdOf('/w/')).toBeNull();
  });
});
