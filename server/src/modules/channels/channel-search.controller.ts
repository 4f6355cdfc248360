import { Controller, Get, Query } from '@nestjs/common';
import { searchChannelsQuery, type ResultList, type SearchChannelsQuery, type VideoChannel } from '@flotilla/shared';
import { zod } from '../../common/zod.pipe';
import { ChannelsService } from './channels.service';

/** PeerTube's channel search (the search page's "Channels" tab). */
@Controller('api/v1/search')
export class ChannelSearchController {
  constructor(private readonly channels: ChannelsService) {}

  @Get('video-channels')
  search(@Query(zod(searchChannelsQuery)) q: SearchChannelsQuery): Promise<ResultList<VideoChannel>> {
    return this.channels.search(q);
  }
}
