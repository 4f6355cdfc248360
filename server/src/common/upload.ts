import { FileInterceptor } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';

/**
 * Multipart image field kept in memory (images are small). The limit sits a little above the
 * accepted size so the service can answer 413 with X-File-Maximum-Size itself.
 */
export const ImageField = (field: string, maxBytes: number) =>
  FileInterceptor(field, { storage: memoryStorage(), limits: { fileSize: maxBytes + 1, files: 1, fields: 50 } });
