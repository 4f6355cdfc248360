import { Module } from '@nestjs/common';
import { VideosModule } from '../videos/videos.module';
import { TrackerService } from './tracker.service';

/** P2P delivery: the WebSocket tracker at /tracker/socket. */
@Module({ imports: [VideosModule], providers: [TrackerService], exports: [TrackerService] })
export class P2PModule {}
