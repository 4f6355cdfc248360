import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer, { diskStorage } from 'multer';
import { randomUUID } from 'node:crypto';
import { finalize, type Observable } from 'rxjs';
import { ErrorCode, RUNNER_UPLOAD_FILE_FIELDS } from '@flotilla/shared';
import { AppError } from '../../common/app-error';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { removeStaged, stagingFolder } from '../media-files';
import type { UploadedRunnerFile } from './runner-job-handlers';

const ALLOWED_FIELDS = new Set<string>(RUNNER_UPLOAD_FILE_FIELDS);

/** A file name as a runner sends it: a plain name, never a path (`../x`, `a/b`, `C:\x`). */
export function isSafeUploadName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[/\\\0]/.test(name) && name !== '.' && name !== '..' && !name.includes('..');
}

class UploadRefused extends Error {}

/** Per request: work still reading its uploaded files after the answer (see holdUploadedFiles). */
const held = new WeakMap<Request, Promise<unknown>>();

/** The request's uploaded files are deleted once `work` settles, not when the answer is sent. */
export function holdUploadedFiles(req: Request, work: Promise<unknown>): void {
  held.set(req, work);
}

/**
 * Multipart parsing of runner `success`/`update` calls (PeerTube's `payload[<name>]` fields):
 * written under the tmp folder with random names, size-limited, unknown fields and path-like
 * names refused (400, and multer removes what it had written). Whatever a handler did not move
 * away is deleted when the request ends, or when the work it handed to holdUploadedFiles settles.
 */
@Injectable()
export class RunnerUploadInterceptor implements NestInterceptor {
  private readonly upload: RequestHandler;

  constructor(@Inject(CONFIG) config: AppConfig) {
    const dir = stagingFolder(config, 'runner-uploads');
    this.upload = multer({
      storage: diskStorage({ destination: dir, filename: (_req, _file, cb) => cb(null, randomUUID()) }),
      // Keep the name as sent (busboy would strip directories): a path-like name is refused, not trimmed.
      preservePath: true,
      limits: { fileSize: config.uploads.max_file_size, files: RUNNER_UPLOAD_FILE_FIELDS.length, fields: 50, fieldSize: 1024 * 1024 },
      fileFilter: (_req, file, cb) => {
        if (!ALLOWED_FIELDS.has(file.fieldname)) return cb(new UploadRefused(`Unexpected file field ${file.fieldname}`));
        if (!isSafeUploadName(file.originalname)) return cb(new UploadRefused(`Invalid file name ${JSON.stringify(file.originalname)}`));
        cb(null, true);
      },
    }).any();
  }

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    await new Promise<void>((resolve, reject) =>
      this.upload(req, res, (err?: unknown) => (err ? reject(toAppError(err)) : resolve())),
    );
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    const cleanup = () => removeStaged(files.map((f) => f.path));
    return next.handle().pipe(finalize(() => void Promise.resolve(held.get(req)).catch(() => undefined).then(cleanup)));
  }
}

function toAppError(err: unknown): AppError {
  if (err instanceof UploadRefused) return new AppError(400, ErrorCode.INVALID_PARAMS, err.message);
  const e = err as { code?: string; message?: string; field?: string };
  if (e.code === 'LIMIT_FILE_SIZE') return new AppError(400, ErrorCode.MAX_FILE_SIZE_REACHED, `File ${e.field ?? ''} is too large`.replace('  ', ' '));
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) return new AppError(400, ErrorCode.INVALID_PARAMS, e.message ?? 'Bad multipart body');
  return new AppError(400, ErrorCode.BAD_REQUEST, `Malformed multipart body: ${e.message ?? 'unknown error'}`);
}

/** `payload[videoFile]` → `{ videoFile: … }`; a field sent twice is refused. */
export function collectUploadedFiles(req: Request): Record<string, UploadedRunnerFile> {
  const out: Record<string, UploadedRunnerFile> = {};
  for (const f of (req.files as Express.Multer.File[] | undefined) ?? []) {
    const field = /^payload\[(\w+)\]$/.exec(f.fieldname)?.[1];
    if (!field) throw new AppError(400, ErrorCode.INVALID_PARAMS, `Unexpected file field ${f.fieldname}`);
    if (out[field]) throw new AppError(400, ErrorCode.INVALID_PARAMS, `File field ${f.fieldname} sent twice`);
    out[field] = { field, path: f.path, originalName: f.originalname, size: f.size };
  }
  return out;
}
