import { mixin, PayloadTooLargeException, type CallHandler, type ExecutionContext, type NestInterceptor, type Type } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { ErrorCode } from '@flotilla/shared';
import { tooLarge } from './app-error';

/**
 * Multipart image field kept in memory (images are small). The limit sits a little above the
 * accepted size so the service can answer 413 with X-File-Maximum-Size itself; a file far above it
 * is stopped by multer, and that refusal gets the same answer (the limit in the header and text).
 */
export const ImageField = (field: string, maxBytes: number): Type<NestInterceptor> => {
  const Base = FileInterceptor(field, { storage: memoryStorage(), limits: { fileSize: maxBytes + 1, files: 1, fields: 50 } });
  class ImageFieldInterceptor extends Base {
    override async intercept(ctx: ExecutionContext, next: CallHandler) {
      try {
        return await super.intercept(ctx, next);
      } catch (err) {
        if (err instanceof PayloadTooLargeException) throw imageTooLarge(maxBytes);
        throw err;
      }
    }
  }
  return mixin(ImageFieldInterceptor);
};

export const imageTooLarge = (maxBytes: number) =>
  tooLarge(`The image is larger than the limit of ${maxBytes} bytes (${Math.round(maxBytes / 1024 / 1024)} MB)`, ErrorCode.MAX_FILE_SIZE_REACHED, maxBytes);
