import { describe, expect, it } from 'vitest';
import { qualityLabelOf } from './player-ui';

const levels = [
  { index: 0, height: 240, bitrate: 300_000, label: '240p' },
  { index: 1, height: 720, bitrate: 2_000_000, label: '720p' },
];

describe('quality label', () => {
  it('says what is on screen, not what the engine last switched to', () => {
    expect(qualityLabelOf({ levels, selectedLevel: -1, videoHeight: 0 })).toBe('Auto');
    expect(qualityLabelOf({ levels, selectedLevel: -1, videoHeight: 240 })).toBe('Auto (240p)');
    expect(qualityLabelOf({ levels, selectedLevel: 1, videoHeight: 240 })).toBe('720p (now 240p)');
    expect(qualityLabelOf({ levels, selectedLevel: 1, videoHeight: 720 })).toBe('720p');
    expect(qualityLabelOf({ levels, selectedLevel: -1, videoHeight: 1080 })).toBe('Auto (1080p)');
  });
});
