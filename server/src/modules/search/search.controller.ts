import { Controller, Get, Query } from '@nestjs/common';
import {
  searchChannelsQuery,
  searchVideosQuery,
  type ResultList,
  type SearchChannelsQuery,
  type Video,
  type VideoChannel,
  type VideoListQuery,
} from '@flotilla/shared';
import { zod } from '../../common/zod.pipe';
import { Auth, OptionalAuth } from '../auth';
import type { AuthContext } from '../auth/auth.service';
import { ChannelsService } from '../channels/channels.service';
import { RemoteLookupService, uriSearchOf } from '../federation/remote-lookup.service';
import { VideosService } from '../videos/videos.service';

const EMPTY = { total: 0, data: [] };

/**
 * PeerTube's search: free text over what this instance knows, or, when the search is a URL (videos,
 * channels) or a `name@host` handle (channels), that one object, fetched from its instance for
 * callers allowed to (config `search.remote_uri`).
 */
@Controller('api/v1/search')
export class SearchController {
  constructor(
    private readonly videos: VideosService,
    private readonly channels: ChannelsService,
    private readonly lookup: RemoteLookupService,
  ) {}

  @Get('videos')
  @OptionalAuth()
  async searchVideos(@Auth() auth: AuthContext | undefined, @Query(zod(searchVideosQuery)) q: VideoListQuery): Promise<ResultList<Video>> {
    const uri = q.search ? uriSearchOf(q.search) : null;
    if (uri?.kind === 'url') {
      const uuid = await this.lookup.videoUuid(uri, this.lookup.mayFetch(!!auth));
      // The one video, still subject to what this caller may see.
      return uuid ? this.videos.list({ ...q, search: undefined, sort: undefined, uuids: [uuid], start: 0 }, { user: auth?.user }) : EMPTY;
    }
    return this.videos.list({ ...q, sort: q.sort ?? '-match' }, { user: auth?.user });
  }

  @Get('video-channels')
  @OptionalAuth()
  async searchChannels(@Auth() auth: AuthContext | undefined, @Query(zod(searchChannelsQuery)) q: SearchChannelsQuery): Promise<ResultList<VideoChannel>> {
    const uri = q.search ? uriSearchOf(q.search) : null;
    if (uri) {
      const id = await this.lookup.channelId(uri, this.lookup.mayFetch(!!auth));
      const channel = id === null ? null : await this.channels.findById(id);
      return channel ? { total: 1, data: [this.channels.format(channel)] } : EMPTY;
    }
    return this.channels.search({ ...q, search: q.search?.replace(/^@/, '') });
  }
}
