import { Inject, Injectable } from '@nestjs/common';
import { VideoState, type ProbeSummary } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { LiveHlsStorageService, LIVE_MASTER_PLAYLIST } from '../media-files/live-hls-storage.service';
import { VideosService } from '../videos/videos.service';
import { chunkSequence } from './live-playlists';
import { LiveNotifierService } from './live-notifier.service';
import { llReplayRuns } from './ll-replay-files';
import type { ActiveLive, LiveVideoModel } from './live-session';

/** The end of a session's files: a replay (a VOD made of the kept chunks) or their removal. */
@Injectable()
export class LiveReplayService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly videos: VideosService,
    private readonly liveHls: LiveHlsStorageService,
    private readonly notifier: LiveNotifierService,
    private readonly events: EventBus,
  ) {}

  /** Replay when the session keeps one, removal otherwise; a failed replay removes the files. Returns the replay's video id. */
  async finish(entry: ActiveLive): Promise<number | null> {
    const video = { id: entry.videoId, uuid: entry.videoUuid };
    try {
      if (entry.saveReplay) return await this.saveReplay(entry);
      await this.liveHls.removeLive(video);
    } catch (err) {
      logger.error({ err, video: entry.videoUuid }, 'live replay failed: live files removed');
      await this.liveHls.removeLive(video).catch(() => undefined);
    }
    return null;
  }

  /**
   * The kept chunks become one MP4 (remuxed, watchable at once), stored as the video's web file;
   * runners then make its ladder. A normal live turns into that VOD; a permanent live gets a new
   * video with the replay privacy.
   */
  private async saveReplay(entry: ActiveLive): Promise<number | null> {
    const staged = await this.stageReplay(entry);
    if (!staged) {
      await this.liveHls.removeLive({ id: entry.videoId, uuid: entry.videoUuid });
      return null;
    }
    const { path, probe, chunks } = staged;
    const liveVideo = await this.videos.loadWithFiles(entry.videoId);
    if (!liveVideo) {
      await this.liveHls.discardStaged(path);
      return null;
    }
    let target: LiveVideoModel = liveVideo;
    if (entry.permanent) {
      target = await this.videos.createLive(liveVideo.channelId, {
        name: `${liveVideo.name} - ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`.slice(0, 120),
        channelId: liveVideo.channelId,
        privacy: entry.replayPrivacy ?? liveVideo.privacy,
      });
    }
    await this.liveHls.storeReplayFile({ id: target.id, name: target.name, privacy: target.privacy, uuid: target.uuid }, path, probe);
    // The live's own HLS files go: the replay plays from its web file until the ladder is made.
    await this.liveHls.removeLive({ id: entry.videoId, uuid: entry.videoUuid });
    const transcode = this.config.transcoding.enabled;
    await this.videos.setLiveState(target.id, {
      isLive: false,
      state: transcode ? VideoState.TO_TRANSCODE : VideoState.PUBLISHED,
      duration: Math.round(probe.duration),
    });
    this.notifier.stateChanged(target.id, target.uuid, transcode ? VideoState.TO_TRANSCODE : VideoState.PUBLISHED, false);
    if (transcode) this.events.emit('video.uploaded', { videoId: target.id });
    logger.info({ live: entry.videoUuid, replay: target.uuid, chunks }, 'live replay saved');
    return target.id;
  }

  /**
   * The replay's staged MP4 and its probe, `null` when nothing was kept: a low-latency live's
   * fragmented MP4 runs (ll-replay-files.ts), else the runner's chunks of the top rendition.
   */
  private async stageReplay(entry: ActiveLive): Promise<{ path: string; probe: ProbeSummary; chunks: number } | null> {
    const video = { uuid: entry.videoUuid };
    const runs = llReplayRuns(await this.liveHls.fileNames(video));
    if (runs.length > 0) {
      const staged = await this.liveHls.concatFragmentedReplay(video, runs);
      return { ...staged, chunks: runs.reduce((n, r) => n + r.segments.length, 0) };
    }
    const names = await this.liveHls.chunks(video);
    const byIndex = new Map<string, string[]>();
    for (const n of names) {
      const index = n.split('-')[0]!;
      byIndex.set(index, [...(byIndex.get(index) ?? []), n]);
    }
    // The variant with the most bytes per chunk is the top one; its index is the master's first
    // variant when the runner lists them top first. Take the longest list, then the lowest index.
    const master = (await this.liveHls.readText(video, LIVE_MASTER_PLAYLIST)) ?? '';
    const firstVariant = /^(\w+)\.m3u8$/m.exec(master)?.[1];
    const index = firstVariant && byIndex.has(firstVariant) ? firstVariant : [...byIndex.keys()].sort()[0];
    const chunks = index ? (byIndex.get(index) ?? []).sort((a, b) => (chunkSequence(a) ?? 0) - (chunkSequence(b) ?? 0)) : [];
    if (chunks.length === 0) return null;
    return { ...(await this.liveHls.concatReplay(video, chunks)), chunks: chunks.length };
  }
}
