import { Module } from '@nestjs/common';
import { TrackerService } from './tracker.service';

/** P2P delivery: the WebSocket tracker at /tracker/socket. */
@Module({ providers: [TrackerService], exports: [TrackerService] })
export class P2PModule {}
