import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { apCollection, AP_COLLECTION_PAGE_SIZE, AP_CONTENT_TYPE, ErrorCode, looseInt } from '@flotilla/shared';
import { nameParam } from '../../common/params';
import { notFound } from '../../common/app-error';
import { zod } from '../../common/zod.pipe';
import { ChannelsService } from '../channels/channels.service';
import { AccountsService } from '../users/accounts.service';
import { ActorJsonService } from './actor-json.service';
import { FollowsService } from '../federation/follows.service';
import { wantsActivityJson } from './negotiation';

type NameParam = z.infer<typeof nameParam>;
const pageQuery = z.object({ page: looseInt.pipe(z.number().int().min(1).max(100000)).optional() });

function sendAp(res: Response, body: unknown): void {
  res.status(200).type(AP_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * The read side of local actors. These URLs are also web pages: without an ActivityPub Accept
 * header they redirect to the client's routes (/a/:name, /c/:name).
 */
@Controller()
export class ActorsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
    private readonly json: ActorJsonService,
    private readonly follows: FollowsService,
  ) {}

  /** Browsers go to the client's page; on the page's own path (client not built) there is nothing to show. */
  private toWebPage(req: Request, res: Response, page: string): void {
    if (req.path === page || req.path.startsWith(page + '/')) {
      throw notFound('The web client is not built on this server (npm run build)', ErrorCode.ROUTE_NOT_FOUND);
    }
    res.redirect(302, page);
  }

  @Get(['accounts/:name', 'account/:name', 'a/:name', 'accounts/:name/video-channels'])
  async account(@Param(zod(nameParam)) p: NameParam, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!wantsActivityJson(req)) return this.toWebPage(req, res, `/a/${encodeURIComponent(p.name)}`);
    const account = await this.accounts.findByHandle(p.name);
    if (!account.Actor!.isLocal()) return res.redirect(302, account.Actor!.url);
    sendAp(res, this.json.account(account));
  }

  @Get(['video-channels/:name', 'c/:name', 'video-channels/:name/videos', 'c/:name/videos'])
  async channel(@Param(zod(nameParam)) p: NameParam, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!wantsActivityJson(req)) return this.toWebPage(req, res, `/c/${encodeURIComponent(p.name)}`);
    const channel = await this.channels.findByHandle(p.name);
    if (!channel.Actor!.isLocal()) return res.redirect(302, channel.Actor!.url);
    sendAp(res, this.json.channel(channel));
  }

  /**
   * Followers, following, playlists and outbox collections in PeerTube's paging shape: followers
   * and following list the accepted follows' actor URLs; playlists and outbox are empty so far.
   */
  @Get(
    ['accounts', 'video-channels'].flatMap((kind) =>
      ['followers', 'following', 'playlists', 'outbox'].map((c) => `${kind}/:name/${c}`),
    ),
  )
  async collection(
    @Param(zod(nameParam)) p: NameParam,
    @Query(zod(pageQuery)) q: z.infer<typeof pageQuery>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const name = p.name;
    const collection = req.path.slice(req.path.lastIndexOf('/') + 1);
    const isChannel = req.path.startsWith('/video-channels/');
    const owner = isChannel ? (await this.channels.findByHandle(name)).Actor! : (await this.accounts.findByHandle(name)).Actor!;
    const id = `${owner.url}/${collection}`;
    const start = ((q.page ?? 1) - 1) * AP_COLLECTION_PAGE_SIZE;
    // Followers and following are the accepted follows (federation); playlists and outbox are still empty.
    const page =
      collection === 'followers' || collection === 'following'
        ? await this.follows.collectionPage(collection, owner.id, start, AP_COLLECTION_PAGE_SIZE)
        : { total: 0, urls: [] as string[] };
    sendAp(res, apCollection(id, page.total, q.page, page.urls));
  }
}
