import { z } from 'zod';

/**
 * NUL cannot be stored in a PostgreSQL text column (the driver throws, hence a 500) and a lone UTF-16
 * surrogate has no UTF-8 spelling (it would be stored as U+FFFD, silently changing what was sent).
 * Every text field of the API is built from `text()` so both are refused once, at the edge, with 400.
 */
// eslint-disable-next-line no-control-regex
const ILL_FORMED = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormedText(s: string): boolean {
  return !ILL_FORMED.test(s);
}

export const text = () => z.string().refine(isWellFormedText, 'must not contain NUL characters or lone surrogates');

/**
 * PostgreSQL's timestamptz runs from 4713 BC, but neither it nor JavaScript agree on year 0 and
 * sequelize writes years past 9999 in a form PostgreSQL refuses: keep dates to years 1–9999.
 */
export function isStorableDate(s: string): boolean {
  const t = Date.parse(s);
  if (Number.isNaN(t)) return false;
  const year = new Date(t).getUTCFullYear();
  return year >= 1 && year <= 9999;
}
