import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../api/types';
import { p2pAllowedFor } from './source';

const config = { tracker: { enabled: true } } as unknown as ServerConfig;
const video = (id: number) => ({ privacy: { id, label: '' } });

describe('p2pAllowedFor', () => {
  it('shares public and unlisted videos only, as PeerTube', () => {
    expect(p2pAllowedFor(config, video(1))).toBe(true);
    expect(p2pAllowedFor(config, video(2))).toBe(true);
    expect(p2pAllowedFor(config, video(3))).toBe(false); // private
    expect(p2pAllowedFor(config, video(4))).toBe(false); // internal
    expect(p2pAllowedFor(config, video(5))).toBe(false); // password-protected
  });

  it('follows the instance when it has no tracker', () => {
    expect(p2pAllowedFor({ tracker: { enabled: false } } as unknown as ServerConfig, video(1))).toBe(false);
  });
});
