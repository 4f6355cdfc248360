import { Injectable, type OnModuleInit } from '@nestjs/common';
import { RemoteTrackersService } from '../videos/remote-trackers.service';
import { FederationRepository } from './federation.repository';

/** Hands the videos API the origin trackers kept with each remote video (remote playback with P2P). */
@Injectable()
export class RemoteVideoTrackersService implements OnModuleInit {
  constructor(
    private readonly trackers: RemoteTrackersService,
    private readonly repo: FederationRepository,
  ) {}

  onModuleInit(): void {
    this.trackers.provide(async (videoId) => (await this.repo.remoteVideo(videoId))?.trackerUrls ?? []);
  }
}
