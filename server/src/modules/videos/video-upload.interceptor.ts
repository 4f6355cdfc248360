import { Inject, Injectable, type Type, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';
import { catchError, finalize, type Observable } from 'rxjs';
import { ErrorCode } from '@flotilla/shared';
import { AppError } from '../../common/app-error';
import { multipartClientError } from '../../common/multipart-errors';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { removeStaged, stagingFolder } from '../media-files';

/** Images attached to uploads and updates are small; larger ones are refused by multer. */
export const VIDEO_IMAGE_MAX_SIZE = 8 * 1024 * 1024;

export type UploadedFiles = Partial<Record<'videofile' | 'thumbnailfile' | 'previewfile', Express.Multer.File[]>>;
export type MultipartRequest = Request & { files?: UploadedFiles };

export function allUploadedFiles(req: MultipartRequest): Express.Multer.File[] {
  return Object.values(req.files ?? {}).flat();
}

/**
 * Streams multipart uploads to the temporary folder (never into memory) and turns `tags[0]`…
 * fields into arrays (multer's append-field). Non-multipart bodies (JSON) pass through untouched.
 * Files the handler did not take are removed when the request ends, whatever happened.
 */
function makeInterceptor(withVideo: boolean, keepOnSuccess: boolean): Type<NestInterceptor> {
  @Injectable()
  class VideoMultipartInterceptor implements NestInterceptor {
    private readonly handler: ReturnType<multer.Multer['fields']>;
    constructor(@Inject(CONFIG) private readonly config: AppConfig) {
      const fields = [{ name: 'thumbnailfile', maxCount: 1 }, { name: 'previewfile', maxCount: 1 }];
      if (withVideo) fields.push({ name: 'videofile', maxCount: 1 });
      this.handler = multer({
        storage: multer.diskStorage({ destination: stagingFolder(config) }),
        limits: { fileSize: withVideo ? config.uploads.max_file_size + 1 : VIDEO_IMAGE_MAX_SIZE, files: 3, fields: 100, fieldSize: 64 * 1024 },
      }).fields(fields);
    }

    async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const req = ctx.switchToHttp().getRequest<MultipartRequest>();
      const res = ctx.switchToHttp().getResponse<Response>();
      await new Promise<void>((resolve, reject) =>
        this.handler(req, res, (err: unknown) => {
          if (!err) return resolve();
          const e = err as { code?: string; field?: string };
          if (e.code === 'LIMIT_FILE_SIZE') {
            const max = e.field === 'videofile' ? this.config.uploads.max_file_size : VIDEO_IMAGE_MAX_SIZE;
            return reject(
              new AppError(413, ErrorCode.MAX_FILE_SIZE_REACHED, `${e.field ?? 'file'} is larger than ${max} bytes`, {
                headers: { 'X-File-Maximum-Size': String(max) },
              }),
            );
          }
          if (e.code === 'LIMIT_UNEXPECTED_FILE') return reject(new AppError(400, ErrorCode.INVALID_PARAMS, `Unexpected file field ${e.field}`));
          reject(multipartClientError(err) ?? err);
        }),
      );
      const cleanup = () => removeStaged(allUploadedFiles(req).map((f) => f.path));
      return next.handle().pipe(
        catchError(async (err) => {
          await cleanup();
          throw err;
        }),
        finalize(() => {
          if (!keepOnSuccess) void cleanup();
        }),
      );
    }
  }
  return VideoMultipartInterceptor;
}

/** Legacy upload: `videofile` + images. */
export const VideoUploadInterceptor = makeInterceptor(true, false);
/** Resumable init (multipart when images are attached): images are kept for the session. */
export const ResumableInitInterceptor = makeInterceptor(false, true);
/** PUT /videos/:id and POST /videos/live: images only. */
export const VideoImagesInterceptor = makeInterceptor(false, false);
