import { Injectable } from '@nestjs/common';
import type { VideosService } from '../videos/videos.service';
import { DeliveryService } from './delivery.service';
import { FollowsService } from './follows.service';
import { hostOf } from './remote-actors.service';

type LoadedVideo = NonNullable<Awaited<ReturnType<VideosService['loadWithFiles']>>>;

/**
 * A local video's audience: the followers of its account, its channel and this instance (the actors
 * that share it). Third parties' activities about the video (ratings, comments, shares) are forwarded
 * to it, as PeerTube's forwardVideoRelatedActivity does, so that those followers count them too.
 */
@Injectable()
export class VideoAudienceService {
  constructor(
    private readonly follows: FollowsService,
    private readonly delivery: DeliveryService,
  ) {}

  /**
   * §6.4: the activity goes on unchanged (its author's RsaSignature2017 kept), each POST signed by the
   * instance actor; the sender's host is skipped (it has the activity already).
   */
  async forward(activity: object, video: LoadedVideo, senderUrl: string): Promise<void> {
    const channel = video.VideoChannel!;
    const instance = await this.follows.instanceActor();
    const followers = await this.follows.followerIds([channel.Account!.Actor!.id, channel.Actor!.id, instance.id]);
    await this.delivery.forward(followers, activity, instance.id, [hostOf(senderUrl)]);
  }
}
