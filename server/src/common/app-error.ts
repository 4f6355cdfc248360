import { ErrorCode } from '@flotilla/shared';

export type ParamLocation = 'params' | 'body' | 'query' | 'header' | 'cookies';

export interface InvalidParam {
  location: ParamLocation;
  msg: string;
  param: string;
  value?: unknown;
}

/**
 * The only error services throw. It carries a stable `code` (from shared's ErrorCode) and the HTTP
 * status the filter answers with; the same error read in a job is logged with its code.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: { invalidParams?: Record<string, InvalidParam>; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: ErrorCode, msg: string) => new AppError(400, code, msg);
export const unauthorized = (msg = 'Authentication required', code: ErrorCode = ErrorCode.INVALID_TOKEN) =>
  new AppError(401, code, msg);
export const forbidden = (msg: string, code: ErrorCode = ErrorCode.FORBIDDEN) => new AppError(403, code, msg);
export const notFound = (msg: string, code: ErrorCode = ErrorCode.NOT_FOUND) => new AppError(404, code, msg);
export const conflict = (msg: string, code: ErrorCode = ErrorCode.CONFLICT) => new AppError(409, code, msg);
export const tooLarge = (msg: string, code: ErrorCode, maxSize?: number) =>
  new AppError(413, code, msg, maxSize !== undefined ? { headers: { 'X-File-Maximum-Size': String(maxSize) } } : {});
