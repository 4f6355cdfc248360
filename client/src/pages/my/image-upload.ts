import { ApiError } from '../../api/http';
import { formatBytes } from '../../utils/format';

/** A 413 names the limit (the problem's `maxSize`, or X-File-Maximum-Size) in the person's words. */
export function imageTooLargeMessage(err: unknown): string | null {
  if (!(err instanceof ApiError) || err.status !== 413) return null;
  const fromBody = Number((err.problem as { maxSize?: number } | null)?.maxSize);
  const fromHeader = Number(err.headers.get('x-file-maximum-size'));
  const max = fromBody || fromHeader;
  return max ? `This image is too large: the limit is ${formatBytes(max)}.` : 'This image is too large.';
}
