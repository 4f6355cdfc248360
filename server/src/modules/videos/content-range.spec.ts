import { describe, expect, it } from 'vitest';
import { parseContentRange, rangeHeader } from './content-range';

describe('parseContentRange', () => {
  it('reads chunks and status queries', () => {
    expect(parseContentRange('bytes 0-99/1000')).toEqual({ kind: 'chunk', first: 0, last: 99, total: 1000 });
    expect(parseContentRange('bytes */1000')).toEqual({ kind: 'query', total: 1000 });
  });
  it('refuses malformed or impossible ranges', () => {
    for (const h of [undefined, '', 'bytes 5-4/10', 'bytes 0-10/10', 'items 0-1/2', 'bytes -1-3/9', 'bytes 0-1/']) {
      expect(parseContentRange(h)).toBeNull();
    }
  });
  it('answers Range only when bytes are held', () => {
    expect(rangeHeader(0)).toBeNull();
    expect(rangeHeader(100)).toBe('bytes=0-99');
  });
});
