/** Readers of values in remote ActivityPub documents: each gives the value, or null/false when it is not one. */

export type Json = Record<string, unknown>;

/** An http(s) URL of at most 2,000 characters. */
export const isUrl = (v: unknown): v is string => {
  if (typeof v !== 'string' || v.length > 2000) return false;
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

/** A value or a list of values, as a list (absent: empty). */
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** An integer, given as a number or as a string of digits. */
export const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

/** A date given as a string that parses. */
export const date = (v: unknown): Date | null => {
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};
