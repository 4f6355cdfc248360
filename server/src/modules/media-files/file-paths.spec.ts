import { describe, expect, it } from 'vitest';
import { isSafeFilename } from './file-paths';

describe('isSafeFilename', () => {
  it('accepts generated names and refuses anything that could leave a folder', () => {
    expect(isSafeFilename('0b6c1e9e-4a6f-4d5e-9f59-2c1e7b0f1a2b-720.mp4')).toBe(true);
    expect(isSafeFilename('abc-master.m3u8')).toBe(true);
    for (const bad of ['..', '../x', 'a/b', 'a\\b', '/etc/passwd', '.hidden', 'a..b', '', 'a\0b', 'x'.repeat(300), '%2e%2e']) {
      expect(isSafeFilename(bad), bad).toBe(false);
    }
  });
});
