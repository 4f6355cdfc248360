import { describe, expect, it, vi } from 'vitest';
import { actionForKey } from './shortcuts';
import { ViewReporter } from './view-reporter';
import { P2PStatsCollector } from './p2p-stats';

describe('player shortcuts', () => {
  it('maps the usual keys', () => {
    expect(actionForKey({ key: ' ' })).toEqual({ type: 'toggle-play' });
    expect(actionForKey({ key: 'k' })).toEqual({ type: 'toggle-play' });
    expect(actionForKey({ key: 'f' })).toEqual({ type: 'fullscreen' });
    expect(actionForKey({ key: 'm' })).toEqual({ type: 'mute' });
    expect(actionForKey({ key: 'ArrowRight' })).toEqual({ type: 'seek', by: 5 });
    expect(actionForKey({ key: 'ArrowLeft' })).toEqual({ type: 'seek', by: -5 });
    expect(actionForKey({ key: 'ArrowUp' })).toEqual({ type: 'volume', by: 0.05 });
    expect(actionForKey({ key: '5' })).toEqual({ type: 'seek-percent', percent: 50 });
    expect(actionForKey({ key: 'f', ctrlKey: true })).toBeNull();
    expect(actionForKey({ key: 'x' })).toBeNull();
    expect(actionForKey({ key: '>' })).toEqual({ type: 'speed', by: 0.25 });
    expect(actionForKey({ key: '<' })).toEqual({ type: 'speed', by: -0.25 });
    expect(actionForKey({ key: 't' })).toEqual({ type: 'theater' });
  });
});

describe('view reporter', () => {
  it('reports at start, then every interval while playing, and after seeks', () => {
    let now = 0;
    const send = vi.fn(async () => undefined);
    const r = new ViewReporter(send, 5000, () => now);
    r.onSeek(3); // nothing before playback started
    r.onProgress(0, true);
    now = 1000;
    r.onProgress(1, true);
    now = 5000;
    r.onProgress(5.7, true);
    now = 11000;
    r.onProgress(11, false); // paused: nothing
    r.onSeek(40.2);
    expect(send.mock.calls.map((c) => (c as unknown[])[0])).toEqual([{ currentTime: 0 }, { currentTime: 5 }, { currentTime: 40, viewEvent: 'seek' }]);
    r.stop();
    now = 99999;
    r.onProgress(50, true);
    expect(send).toHaveBeenCalledTimes(3);
  });
});

describe('P2P stats', () => {
  it('counts server bytes as they arrive, peer bytes per delivered segment, and live peers', () => {
    const s = new P2PStatsCollector();
    s.chunkDownloaded(300, 'http');
    // A peer transfer cut short after two chunks (peer gone, timeout): nothing was delivered.
    s.chunkDownloaded(64, 'p2p');
    s.chunkDownloaded(36, 'p2p');
    expect(s.snapshot().p2pBytes).toBe(0);
    s.segmentLoaded(100, 'p2p');
    s.segmentLoaded(300, 'http'); // already counted chunk by chunk
    s.chunkUploaded(50);
    s.peerConnected('a');
    s.peerConnected('b');
    s.peerClosed('a');
    expect(s.snapshot()).toMatchObject({ httpBytes: 300, p2pBytes: 100, uploadedBytes: 50, peers: 1 });
    expect(s.p2pRatio()).toBe(0.25);
    // A refused segment never reached the player: it counts as waste, not as delivery.
    s.segmentRejected(40);
    expect(s.snapshot()).toMatchObject({ p2pBytes: 100, rejectedSegments: 1, rejectedBytes: 40 });
  });
});
