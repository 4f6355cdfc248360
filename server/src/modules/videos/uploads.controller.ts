import { Body, Controller, Delete, Headers, HttpCode, Post, Put, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode, resumableInitSchema, type ResumableInit, text } from '@flotilla/shared';
import { z } from 'zod';
import { AppError } from '../../common/app-error';
import { zod } from '../../common/zod.pipe';
import { Auth, Authenticated } from '../auth';
import type { AuthContext } from '../auth/auth.service';
import { parseContentRange, rangeHeader } from './content-range';
import { ResumableUploadsService } from './resumable-uploads.service';
import { ResumableInitInterceptor, type MultipartRequest } from './video-upload.interceptor';
import { created } from './videos.controller';

const PATH = '/api/v1/videos/upload-resumable';
const uploadIdQuery = z.object({ upload_id: text().min(1).max(64) });
type UploadIdQuery = z.infer<typeof uploadIdQuery>;

/** PeerTube's resumable upload: POST init → 201 + Location, PUT chunks → 308 + Range … 200, DELETE → 204. */
@Controller('api/v1/videos/upload-resumable')
export class UploadsController {
  constructor(private readonly uploads: ResumableUploadsService) {}

  @Post()
  @HttpCode(201)
  @Authenticated()
  @UseInterceptors(ResumableInitInterceptor)
  async init(
    @Auth() auth: AuthContext,
    @Req() req: MultipartRequest,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-upload-content-length') size: string | undefined,
    @Headers('x-upload-content-type') type: string | undefined,
    @Body(zod(resumableInitSchema)) body: ResumableInit,
  ): Promise<void> {
    const id = await this.uploads.init(auth.user, body, size, type, {
      thumbnail: req.files?.thumbnailfile?.[0]?.path,
      preview: req.files?.previewfile?.[0]?.path,
    });
    res.setHeader('Location', `${PATH}?upload_id=${id}`);
    res.setHeader('Content-Length', '0');
  }

  @Put()
  @Authenticated()
  async chunk(@Auth() auth: AuthContext, @Query(zod(uploadIdQuery)) q: UploadIdQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const lengthHeader = req.headers['content-length'];
    const contentLength = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
    const rangeText = req.headers['content-range'];
    const range = parseContentRange(rangeText);
    if (rangeText !== undefined && !range) throw new AppError(400, ErrorCode.UPLOAD_INVALID_CONTENT_RANGE, `Malformed Content-Range: ${rangeText}`);
    const result = await this.uploads.put(q.upload_id, auth.user, range, contentLength, req);
    if (result.done) {
      res.status(200).json(created(result.video));
      return;
    }
    const r = rangeHeader(result.offset);
    if (r) res.setHeader('Range', r);
    res.setHeader('Content-Length', '0');
    res.status(308).end();
  }

  @Delete()
  @HttpCode(204)
  @Authenticated()
  async cancel(@Auth() auth: AuthContext, @Query(zod(uploadIdQuery)) q: UploadIdQuery): Promise<void> {
    await this.uploads.cancel(q.upload_id, auth.user);
  }
}
