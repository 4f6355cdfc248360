import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { ErrorCode, PEERTUBE_ERROR_DOCS, type ProblemJson } from '@flotilla/shared';
import { AppError } from './app-error';
import { logger } from './logger';
import { multipartClientError } from './multipart-errors';

const PEERTUBE_CODES = new Set<string>([
  'max_file_size_reached', 'quota_reached', 'does_not_respect_follow_constraints', 'live_not_enabled',
  'missing_two_factor', 'invalid_two_factor', 'account_waiting_for_approval', 'account_approval_rejected',
  'runner_job_not_in_processing_state', 'runner_job_not_in_pending_state', 'unknown_runner_token',
  'video_requires_password', 'incorrect_video_password', 'video_already_being_transcoded',
  'live_not_allowing_replay', 'live_conflicting_permanent_and_save_replay', 'max_instance_lives_limit_reached', 'max_user_lives_limit_reached',
]);

const DEFAULT_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.TOO_MANY_REQUESTS,
};

export function problemBody(status: number, code: string | undefined, detail: string, instance?: string): ProblemJson {
  return {
    type: code && PEERTUBE_CODES.has(code) ? PEERTUBE_ERROR_DOCS + code : 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    error: detail,
    instance,
  };
}

export function sendProblem(res: Response, body: ProblemJson, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(body.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(body));
}

/** Maps any error to PeerTube's problem+json body. Unexpected errors are a 500 with a correlation id. */
export function toProblem(err: unknown, req: Request): { body: ProblemJson; headers: Record<string, string> } {
  const instance = req.originalUrl?.split('?')[0];
  if (err instanceof AppError) {
    const body = problemBody(err.status, err.code, err.message, instance);
    if (err.extra.invalidParams) body['invalid-params'] = err.extra.invalidParams;
    return { body, headers: err.extra.headers ?? {} };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const detail = status === 404 ? `Cannot ${req.method} ${instance}` : err.message;
    const code = status === 404 ? ErrorCode.ROUTE_NOT_FOUND : DEFAULT_CODES[status];
    return { body: problemBody(status, code, detail, instance), headers: {} };
  }
  // Errors raised by Express middleware (body parsers, multer) carry a 4xx status or a known type.
  const e = err as { status?: number; statusCode?: number; type?: string; code?: string; message?: string };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const detail =
      e.type === 'entity.too.large' ? 'Request body is too large'
      : e.type === 'entity.parse.failed' ? 'Malformed request body'
      : (e.message ?? 'Bad request');
    return { body: problemBody(status, DEFAULT_CODES[status] ?? ErrorCode.BAD_REQUEST, detail, instance), headers: {} };
  }
  if (e.code === 'LIMIT_FILE_SIZE') {
    return { body: problemBody(413, ErrorCode.MAX_FILE_SIZE_REACHED, 'File is too large', instance), headers: {} };
  }
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) {
    return { body: problemBody(400, ErrorCode.BAD_REQUEST, e.message ?? 'Bad multipart body', instance), headers: {} };
  }
  // Multipart bodies that are malformed or cut short by the client, raised by any multer instance.
  const clientError = multipartClientError(err);
  if (clientError) return toProblem(clientError, req);
  const correlationId = randomUUID();
  logger.error({ err, correlationId, method: req.method, url: req.originalUrl }, 'unexpected error');
  const body = problemBody(500, ErrorCode.INTERNAL, `Internal error (correlation id ${correlationId})`, instance);
  body.correlationId = correlationId;
  return { body, headers: {} };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    if (!res || typeof res.status !== 'function') return; // not an HTTP context (socket.io handles its own)
    const { body, headers } = toProblem(err, req);
    sendProblem(res, body, headers);
  }
}

/** Express error middleware for errors raised before Nest's router (body parsers, static files). */
export function expressProblemHandler(err: unknown, req: Request, res: Response, _next: (e?: unknown) => void): void {
  const { body, headers } = toProblem(err, req);
  sendProblem(res, body, headers);
}
