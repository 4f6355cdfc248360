import { ApiError } from '../api/http';

/** The server's own words (problem+json detail/error) when it sent some. */
export function errorMessage(err: unknown, fallback = 'Something went wrong'): string {
  if (err instanceof ApiError) {
    const p = err.problem;
    const invalid = p?.['invalid-params'] ? Object.values(p['invalid-params']).map((v) => `${v.param}: ${v.msg}`) : [];
    const unreachable = err.status === 0 || err.status === 502 || err.status === 503 || err.status === 504;
    const base = p?.detail || p?.error || (unreachable ? `The server is unreachable right now (HTTP ${err.status})` : `${fallback} (HTTP ${err.status})`);
    return invalid.length && !base.includes(invalid[0]) ? `${base} — ${invalid.join('; ')}` : base;
  }
  if (err instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  if (err instanceof Error && err.message) return err.message;
  return fallback;
}
