import { Controller, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, looseInt, VideoPrivacy, text } from '@flotilla/shared';
import { AppError, notFound } from '../../common/app-error';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { zod } from '../../common/zod.pipe';
import { VideoFormatterService } from './video-formatter.service';
import { VideosService } from './videos.service';

const oembedQuery = z.object({
  url: text().min(1).max(2000),
  format: z.enum(['json', 'xml']).optional(),
  maxwidth: looseInt.pipe(z.number().int().min(1)).optional(),
  maxheight: looseInt.pipe(z.number().int().min(1)).optional(),
});

/** Watch and embed URLs of this instance that name a video. */
const VIDEO_PATH = /^\/(?:w|videos\/watch|videos\/embed)\/([A-Za-z0-9-]{1,40})\/?$/;

/** oEmbed for the embed player: what other sites use to turn a watch URL into an iframe. */
@Controller('services/oembed')
export class OEmbedController {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly videos: VideosService,
    private readonly formatter: VideoFormatterService,
  ) {}

  @Get()
  async oembed(@Query(zod(oembedQuery)) q: z.infer<typeof oembedQuery>) {
    if (q.format === 'xml') throw new AppError(501 as never, ErrorCode.BAD_REQUEST, 'Only the json format is served');
    let url: URL;
    try {
      url = new URL(q.url);
    } catch {
      throw new AppError(400, ErrorCode.INVALID_PARAMS, 'url is not a URL');
    }
    const m = VIDEO_PATH.exec(url.pathname);
    if (url.host !== this.config.webserverHost || !m) throw notFound('url is not a video of this instance');
    // Only what anyone may watch is embeddable: public and unlisted videos.
    // An oEmbed consumer is anonymous: anything it may not watch simply does not exist for it.
    const video = await this.videos.loadVisible(m[1], undefined).catch((err: unknown) => {
      if (err instanceof AppError && (err.status === 401 || err.status === 403)) throw notFound('Video not found');
      throw err;
    });
    if (video.privacy !== VideoPrivacy.PUBLIC && video.privacy !== VideoPrivacy.UNLISTED) throw notFound('Video not found');
    const d = this.formatter.details(video);
    const width = Math.min(q.maxwidth ?? 560, 1920);
    const height = Math.min(q.maxheight ?? Math.round((width * 9) / 16), 1080);
    const src = `${this.config.webserverUrl}/videos/embed/${d.uuid}`;
    const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return {
      type: 'video',
      version: '1.0',
      title: d.name,
      author_name: d.channel.displayName,
      author_url: d.channel.url,
      provider_name: this.config.instance.name,
      provider_url: this.config.webserverUrl,
      html: `<iframe width="${width}" height="${height}" sandbox="allow-same-origin allow-scripts allow-popups" title="${escape(d.name)}" src="${src}" frameborder="0" allowfullscreen></iframe>`,
      width,
      height,
      ...(d.thumbnailPath ? { thumbnail_url: this.config.webserverUrl + d.thumbnailPath, thumbnail_width: 280, thumbnail_height: 157 } : {}),
    };
  }
}
