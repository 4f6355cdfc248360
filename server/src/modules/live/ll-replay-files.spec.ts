import { describe, expect, it } from 'vitest';
import { llReplayRuns, llSegmentName, llStoredInitName } from './ll-replay-files';

describe('llReplayRuns', () => {
  it('groups the segments of each encoder run under its init, in number order', () => {
    const names = ['master.m3u8', 'segments-sha256.json', llStoredInitName(7), 'seg-10.m4s', 'seg-2.m4s', llStoredInitName(0), 'seg-0.m4s', 'seg-1.m4s', 'seg-7.m4s', '0-1.ts'];
    expect(llReplayRuns(names)).toEqual([
      { init: 'init-at-0.mp4', segments: ['seg-0.m4s', 'seg-1.m4s', 'seg-2.m4s'] },
      { init: 'init-at-7.mp4', segments: ['seg-7.m4s', 'seg-10.m4s'] },
    ]);
  });

  it('leaves out runs without segments and segments before any init; nothing for a runner-made live', () => {
    expect(llReplayRuns([llStoredInitName(3), 'seg-1.m4s', llStoredInitName(5), 'seg-5.m4s'])).toEqual([{ init: 'init-at-5.mp4', segments: ['seg-5.m4s'] }]);
    expect(llReplayRuns(['0-0.ts', '0-1.ts', 'master.m3u8'])).toEqual([]);
    expect(llSegmentName(4)).toBe('seg-4.m4s');
  });
});
