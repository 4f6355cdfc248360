import { Injectable } from '@nestjs/common';

type Lookup = (videoId: number) => Promise<string[]>;

/**
 * The tracker URLs of remote videos. They come with the origin's Video object and federation keeps
 * them; the API gives them as `trackerUrls` so that viewers of a remote video announce to the
 * origin's tracker and join the swarm of the origin's own viewers (PeerTube answers a remote
 * video's stored trackers, never its own). Federation depends on videos, so it hands the lookup in
 * at start instead of videos importing it.
 */
@Injectable()
export class RemoteTrackersService {
  private lookup: Lookup | null = null;

  provide(lookup: Lookup): void {
    this.lookup = lookup;
  }

  /** The origin's tracker URLs of a remote video; none when unknown (the player then stays on HTTP). */
  async of(videoId: number): Promise<string[]> {
    return this.lookup ? this.lookup(videoId) : [];
  }
}
