import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration';

describe('parseDuration', () => {
  it('reads units singular and plural, and bare milliseconds', () => {
    expect(parseDuration('30 seconds')).toBe(30_000);
    expect(parseDuration('1 second')).toBe(1000);
    expect(parseDuration('2 weeks')).toBe(2 * 604_800_000);
    expect(parseDuration('1.5 hours')).toBe(5_400_000);
    expect(parseDuration('500 ms')).toBe(500);
    expect(parseDuration('0 ms')).toBe(0);
    expect(parseDuration('250 milliseconds')).toBe(250);
    expect(parseDuration('1200')).toBe(1200);
    expect(parseDuration(42)).toBe(42);
  });

  it('refuses what is not a duration', () => {
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('5 fortnights')).toBeNull();
    expect(parseDuration('-3 seconds')).toBeNull();
    expect(parseDuration(-1)).toBeNull();
    expect(parseDuration('3 s')).toBeNull();
  });
});
