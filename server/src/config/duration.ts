const UNITS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

/** Parses '30 seconds', '1 day', '2 weeks', '500 ms' or a bare number of milliseconds. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(value);
  if (!m) return /^\s*\d+\s*$/.test(value) ? Number(value) : null;
  // The unit as written ('ms'), else without its plural 's' ('seconds').
  const word = m[2].toLowerCase();
  const unit = UNITS[word] ?? (word.endsWith('s') ? UNITS[word.slice(0, -1)] : undefined);
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}
