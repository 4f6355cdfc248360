import { ErrorCode } from '@flotilla/shared';
import { AppError } from './app-error';

/**
 * busboy (under multer) reports a malformed body with plain Errors: only their messages tell them
 * apart from a server-side failure (a full disk, a missing folder), which must stay a 500.
 */
const MALFORMED_BODY = [
  'Multipart: Boundary not found',
  'Malformed part header',
  'Malformed content type',
  'Malformed urlencoded form',
  'Missing Content-Type',
  'Unexpected end of form',
  'Unexpected end of file',
];

/** multer's own words for a client that went away mid-body. */
const CLIENT_GONE = ['Request aborted', 'Request closed', 'Request error'];

/**
 * The AppError for a multipart failure caused by the request itself, or null when the error is the
 * server's own (then it goes on as it is, to be logged and answered 500).
 */
export function multipartClientError(err: unknown): AppError | null {
  const e = err as { name?: string; code?: string; field?: string; message?: string } | null;
  if (!e || typeof e !== 'object') return null;
  const message = e.message ?? '';
  if (e.name === 'MulterError') {
    const field = e.field ? ` (${e.field})` : '';
    return new AppError(400, ErrorCode.INVALID_PARAMS, `Bad multipart body: ${message}${field}`);
  }
  if (MALFORMED_BODY.includes(message) || message.startsWith('Unsupported content type')) {
    return new AppError(400, ErrorCode.BAD_REQUEST, `Bad multipart body: ${message}`);
  }
  if (CLIENT_GONE.includes(message) || e.code === 'ECONNRESET' || e.code === 'ECONNABORTED') {
    return new AppError(400, ErrorCode.REQUEST_ABORTED, 'The request body was not sent in full');
  }
  return null;
}
