import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { FileCredentials } from './static-files.service';

/**
 * What may open a private file: the `Authorization` header and the `videoFileToken` query (PeerTube's
 * video file token), as the static-file routes read them.
 */
export const FileCreds = createParamDecorator((_: unknown, ctx: ExecutionContext): FileCredentials => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const token = req.query.videoFileToken;
  return { authorization: req.headers.authorization, videoFileToken: typeof token === 'string' ? token : undefined };
});
