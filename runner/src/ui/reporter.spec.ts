import { describe, expect, it } from 'vitest';
import { LogReporter } from './reporter';

describe('LogReporter', () => {
  it('logs a job start, one line per 10 % step and the end', () => {
    const lines: string[] = [];
    const r = new LogReporter((l) => lines.push(l));
    r.jobStarted('j', 'vod-hls 720p');
    for (const p of [1, 2, 11, 12, 55, 100]) r.jobProgress('j', p);
    r.jobEnded('j', 'completed');
    const text = lines.map((l) => l.replace(/^\S+ /, ''));
    expect(text).toEqual([
      'info job j started: vod-hls 720p',
      'info job j 1%',
      'info job j 11%',
      'info job j 55%',
      'info job j 100%',
      'info job j completed',
    ]);
  });
});
