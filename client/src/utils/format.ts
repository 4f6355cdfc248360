/** Formatting helpers (pure, unit-tested). */

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** 1536 → "1.5 KB" (decimal steps of 1024, one decimal under 10). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  return `${v.toFixed(digits)} ${units[i]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 1234 → "1.2K", 2_500_000 → "2.5M". */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${trim1(n / 1000)}K`;
  return `${trim1(n / 1_000_000)}M`;
}

function trim1(v: number): string {
  return v >= 100 ? String(Math.floor(v)) : (Math.floor(v * 10) / 10).toString();
}

export function formatViews(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'view' : 'views'}`;
}

/** "3 minutes ago", "yesterday", "2 years ago". */
export function timeAgo(date: string | Date, now: Date = new Date()): string {
  const then = typeof date === 'string' ? new Date(date) : date;
  const sec = Math.round((now.getTime() - then.getTime()) / 1000);
  if (!Number.isFinite(sec)) return '';
  if (sec < 45) return 'just now';
  const steps: Array<[number, string]> = [
    [60, 'minute'],
    [3600, 'hour'],
    [86400, 'day'],
    [604800, 'week'],
    [2629800, 'month'],
    [31557600, 'year'],
  ];
  let unit = steps[0];
  for (const step of steps) if (sec >= step[0]) unit = step;
  const n = Math.max(1, Math.round(sec / unit[0]));
  if (unit[1] === 'day' && n === 1) return 'yesterday';
  return `${n} ${unit[1]}${n === 1 ? '' : 's'} ago`;
}

/** Seconds left → "about 3 min", "12 s", "1 h 5 min". */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * "2026-12-02T…" → "December 2, 2026" in the viewer's time zone, in English like the rest of the UI.
 * Written out rather than toLocaleDateString: the first Intl date format of a page loads locale
 * data, 50–80 ms of main thread on the watch page's critical path (measured in a start-up trace).
 */
export function formatDate(date: string): string {
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? '' : `${MONTHS[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()}`;
}

/** Split a comma/Enter separated tag input into PeerTube-valid tags (2–30 chars, at most 5, unique). */
export function parseTags(input: string): string[] {
  const byLower = new Map<string, string>();
  for (const raw of input.split(',')) {
    const t = raw.trim();
    if (t.length >= 2 && t.length <= 30 && !byLower.has(t.toLowerCase())) byLower.set(t.toLowerCase(), t);
  }
  return [...byLower.values()].slice(0, 5);
}

/** PeerTube's `?start=` forms: `90`, `90s`, `1m30s`, `1h2m3s`. 0 when absent or unreadable. */
export function parseStartTime(value: unknown): number {
  if (typeof value !== 'string' || !value) return 0;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!m || !m[0]) return 0;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** The URL of the widest of an actor's images (banners are shown large), null when it has none. */
export function largestImageUrl(images: Array<{ width: number; path: string; fileUrl?: string | null }> | null | undefined): string | null {
  const b = [...(images ?? [])].sort((x, y) => y.width - x.width)[0];
  return b ? b.fileUrl || b.path : null;
}

/** An account's or channel's handle for links here: `name` for this instance's, `name@host` for another's. */
export function handleOf(actor: { name: string; host: string }, hereHost = location.host): string {
  return actor.host && actor.host !== hereHost ? `${actor.name}@${actor.host}` : actor.name;
}
