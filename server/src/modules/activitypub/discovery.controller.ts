import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { ErrorCode, type WebFingerResponse, text } from '@flotilla/shared';
import { AppError, notFound } from '../../common/app-error';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { zod } from '../../common/zod.pipe';
import { ActorsService } from '../actors/actors.service';
import { ServerConfigService } from '../server-config/server-config.service';
import { PEERTUBE_API_VERSION } from '../server-config/server-config.service';
import { UsersService } from '../users/users.service';
import { VideosService } from '../videos/videos.service';
import { INSTANCE_ACTOR_NAME } from '../../bootstrap';

const webfingerQuery = z.object({ resource: text().min(1).max(400) });

/** Strips the default port so acct:name@host and acct:name@host:443 name the same instance. */
function sanitizeHost(host: string, https: boolean): string {
  const lower = host.toLowerCase();
  return lower.replace(https ? /:443$/ : /:80$/, '');
}

@Controller()
export class DiscoveryController {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly serverConfig: ServerConfigService,
    private readonly actors: ActorsService,
    private readonly users: UsersService,
    private readonly videos: VideosService,
  ) {}

  @Get('.well-known/webfinger')
  async webfinger(@Query(zod(webfingerQuery)) q: z.infer<typeof webfingerQuery>, @Res() res: Response): Promise<void> {
    const m = /^acct:([^@]+)@([^@]+)$/.exec(q.resource.replace(/^acct:@/, 'acct:'));
    if (!m) throw new AppError(400, ErrorCode.INVALID_PARAMS, 'resource must be acct:<name>@<host>');
    const [, name, host] = m;
    if (sanitizeHost(host, this.config.webserver.https) !== this.config.webserverHost.toLowerCase()) {
      throw notFound(`${host} is not this instance`);
    }
    const url = await this.actors.localActorUrl(name);
    if (!url) throw notFound(`No actor named ${name} on this instance`);
    const body: WebFingerResponse = {
      subject: q.resource,
      aliases: [url],
      links: [
        { rel: 'self', type: 'application/activity+json', href: url },
        { rel: 'http://ostatus.org/schema/1.0/subscribe', template: `${this.config.webserverUrl}/remote-interaction?uri={uri}` },
      ],
    };
    res.type('application/jrd+json; charset=utf-8').send(JSON.stringify(body));
  }

  @Get('.well-known/nodeinfo')
  nodeinfoLinks() {
    return {
      links: [
        { rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${this.config.webserverUrl}/nodeinfo/2.0.json` },
        { rel: 'https://www.w3.org/ns/activitystreams#Application', href: `${this.config.webserverUrl}/accounts/${INSTANCE_ACTOR_NAME}` },
      ],
    };
  }

  @Get('.well-known/host-meta')
  hostMeta(@Res() res: Response): void {
    const template = `${this.config.webserverUrl}/.well-known/webfinger?resource={uri}`;
    res
      .type('application/xml; charset=utf-8')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n` +
          `  <Link rel="lrdd" type="application/xrd+xml" template="${template}"/>\n</XRD>\n`,
      );
  }

  @Get('nodeinfo/:version.json')
  async nodeinfo(@Param('version') version: string, @Res() res: Response): Promise<void> {
    if (version !== '2.0') throw notFound(`NodeInfo ${version} is not served (2.0 is)`);
    const users = await this.users.usage();
    const localPosts = await this.videos.countLocal();
    const cfg = this.serverConfig.build();
    const body = {
      version: '2.0',
      software: { name: 'peertube', version: PEERTUBE_API_VERSION },
      protocols: ['activitypub'],
      services: { inbound: [], outbound: ['atom1.0', 'rss2.0'] },
      openRegistrations: this.config.signup.enabled,
      usage: { users, localPosts, localComments: 0 },
      metadata: {
        taxonomy: { postsName: 'Videos' },
        nodeName: this.config.instance.name,
        nodeDescription: this.config.instance.short_description,
        nodeConfig: {
          search: cfg.search,
          plugin: cfg.plugin,
          theme: cfg.theme,
          email: cfg.email,
          contactForm: cfg.contactForm,
          transcoding: cfg.transcoding,
          live: cfg.live,
          import: cfg.import,
          autoBlacklist: cfg.autoBlacklist,
          avatar: cfg.avatar,
          video: cfg.video,
          videoCaption: cfg.videoCaption,
          user: cfg.user,
          trending: cfg.trending,
          tracker: cfg.tracker,
        },
      },
    };
    res.type('application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.0#"; charset=utf-8').send(JSON.stringify(body));
  }
}
