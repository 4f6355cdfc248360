import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { ServerConfigService } from './server-config.service';

/**
 * Clients call /config first and often: the body is built and serialized once per settings version
 * (an administrator's custom config bumps it) and answered with a strong ETag.
 */
@Controller('api/v1/config')
export class ServerConfigController {
  private body = Buffer.alloc(0);
  private etag = '';
  private version = -1;

  constructor(private readonly service: ServerConfigService) {}

  @Get()
  get(@Req() req: Request, @Res() res: Response): void {
    if (this.version !== this.service.version) {
      this.version = this.service.version;
      this.body = Buffer.from(JSON.stringify(this.service.build()));
      this.etag = `"${createHash('sha1').update(this.body).digest('base64url')}"`;
    }
    if (req.headers['if-none-match'] === this.etag) {
      res.status(304).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': this.body.length, ETag: this.etag });
    res.end(this.body);
  }

  @Get('about')
  about() {
    return this.service.about();
  }
}
