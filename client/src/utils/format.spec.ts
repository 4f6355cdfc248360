import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDate, formatDuration, formatEta, parseStartTime, parseTags, timeAgo } from './format';
import { SpeedMeter } from './speed';
import { findUpload, forgetUpload, listUploads, rememberUpload } from './upload-memory';

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('0:00');
  });
  it('bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatBytes(-1)).toBe('–');
  });
  it('counts', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234)).toBe('1.2K');
    expect(formatCount(250_000)).toBe('250K');
    expect(formatCount(2_560_000)).toBe('2.5M');
  });
  it('relative times', () => {
    const now = new Date('2026-01-10T12:00:00Z');
    expect(timeAgo('2026-01-10T11:59:50Z', now)).toBe('just now');
    expect(timeAgo('2026-01-10T11:57:00Z', now)).toBe('3 minutes ago');
    expect(timeAgo('2026-01-09T12:00:00Z', now)).toBe('yesterday');
    expect(timeAgo('2024-01-10T12:00:00Z', now)).toBe('2 years ago');
  });
  it('time left', () => {
    expect(formatEta(12.2)).toBe('13 s');
    expect(formatEta(600)).toBe('10 min');
    expect(formatEta(3900)).toBe('1 h 5 min');
    expect(formatEta(Infinity)).toBe('–');
  });
  it('tags', () => {
    expect(parseTags(' music, a, Music , live,tutorial,x1,x2,x3')).toEqual(['music', 'live', 'tutorial', 'x1', 'x2']);
  });
});

describe('speed meter', () => {
  it('measures over its window', () => {
    const m = new SpeedMeter(10_000);
    m.add(0, 0);
    m.add(1_000_000, 1000);
    m.add(2_000_000, 2000);
    expect(m.speed()).toBe(1_000_000);
    expect(m.eta(3_000_000)).toBe(3);
  });
});

class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

describe('upload memory', () => {
  it('finds an upload by name, size and lastModified', () => {
    const s = new MemoryStorage();
    const f = { name: 'a.mp4', size: 10, lastModified: 5 };
    rememberUpload({ ...f, uploadPath: '/u?upload_id=1', videoName: 'A' }, s);
    expect(findUpload(f, s)?.uploadPath).toBe('/u?upload_id=1');
    expect(findUpload({ ...f, lastModified: 6 }, s)).toBeNull();
    expect(listUploads(s)).toHaveLength(1);
    forgetUpload(f, s);
    expect(findUpload(f, s)).toBeNull();
  });
});

describe('formatDate', () => {
  it('writes the local date out in English, and nothing for a bad date', () => {
    expect(formatDate(new Date(2026, 11, 2, 23, 59).toISOString())).toBe('December 2, 2026');
    expect(formatDate(new Date(1999, 0, 31).toISOString())).toBe('January 31, 1999');
    expect(formatDate('not a date')).toBe('');
  });
});

describe('parseStartTime', () => {
  it('reads PeerTube start forms', () => {
    expect(parseStartTime('90')).toBe(90);
    expect(parseStartTime('90s')).toBe(90);
    expect(parseStartTime('1m30s')).toBe(90);
    expect(parseStartTime('1h0m2s')).toBe(3602);
    expect(parseStartTime('')).toBe(0);
    expect(parseStartTime('soon')).toBe(0);
    expect(parseStartTime(undefined)).toBe(0);
  });
});
