import { Module } from '@nestjs/common';
import { FederationModule } from '../federation/federation.module';
import { VideosModule } from '../videos/videos.module';
import { SearchController } from './search.controller';

/** `/api/v1/search/*`: local search, and remote objects by URL or handle through federation. */
@Module({
  imports: [VideosModule, FederationModule],
  controllers: [SearchController],
})
export class SearchModule {}
