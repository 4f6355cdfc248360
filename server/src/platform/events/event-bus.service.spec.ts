import { describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.service';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('EventBus', () => {
  it('delivers a typed payload to every handler, after emit has returned', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('video.deleted', ({ uuid }) => void seen.push(`a:${uuid}`));
    bus.on('video.deleted', async ({ videoId }) => void seen.push(`b:${videoId}`));
    bus.emit('video.deleted', { videoId: 7, uuid: 'u' });
    expect(seen).toEqual([]);
    await tick();
    expect(seen).toEqual(['a:u', 'b:7']);
  });

  it('keeps a failing handler from reaching the emitter or the other handlers', async () => {
    const bus = new EventBus();
    const seen: number[] = [];
    bus.on('video.published', () => {
      throw new Error('boom');
    });
    bus.on('video.published', async () => Promise.reject(new Error('async boom')));
    bus.on('video.published', ({ videoId }) => void seen.push(videoId));
    expect(() => bus.emit('video.published', { videoId: 3 })).not.toThrow();
    await tick();
    expect(seen).toEqual([3]);
  });

  it('keeps instances apart (nothing global)', async () => {
    const a = new EventBus();
    const b = new EventBus();
    const seen: number[] = [];
    b.on('video.uploaded', ({ videoId }) => void seen.push(videoId));
    a.emit('video.uploaded', { videoId: 1 });
    await tick();
    expect(seen).toEqual([]);
  });
});
