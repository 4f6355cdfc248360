import { ErrorCode } from '@flotilla/shared';
import { AppError } from './app-error';

/**
 * Runs an in-memory image decode (sharp to a Buffer, no file written) and turns its failure into a
 * 400: sharp reads only the header for `metadata()`, so a truncated or corrupt body is found when the
 * pixels are decoded. Writing the result stays outside, so a full disk is still the server's 500.
 */
export async function decodeUploadedImage<T>(decode: () => Promise<T>): Promise<T> {
  try {
    return await decode();
  } catch {
    throw new AppError(400, ErrorCode.INVALID_IMAGE, 'The file is not a readable image (corrupt or truncated)');
  }
}
