import { Inject, Injectable } from '@nestjs/common';
import { VideoState, type ProbeSummary } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { LiveHlsStorageService, LIVE_MASTER_PLAYLIST } from '../media-files/live-hls-storage.service';
import { ImageFilesService } from '../media-files/image-files.service';
import { VideosService } from '../videos/videos.service';
import { LiveRepository } from './live.repository';
import { chunkSequence } from './live-playlists';
import { LiveNotifierService } from './live-notifier.service';
import { llReplayRuns } from './ll-replay-files';
import type { ActiveLive, LiveVideoModel } from './live-session';

/** PeerTube's longest video name. */
const VIDEO_NAME_MAX = 120;

/** The end of a session's files: a replay (a VOD made of the kept chunks) or their removal. */
@Injectable()
export class LiveReplayService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly videos: VideosService,
    private readonly liveHls: LiveHlsStorageService,
    private readonly notifier: LiveNotifierService,
    private readonly events: EventBus,
    private readonly images: ImageFilesService,
    private readonly repo: LiveRepository,
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
   * video (replayVideoOf).
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
    const target = entry.permanent ? await this.replayVideoOf(entry, liveVideo) : liveVideo;
    try {
      // Pictures first: frames come from the staged file, which storing moves away.
      if (target !== liveVideo) await this.replayPictures(liveVideo, target, { video: path, probe });
      else await this.framePictures(target, { video: path, probe });
      await this.liveHls.storeReplayFile({ id: target.id, name: target.name, privacy: target.privacy, uuid: target.uuid }, path, probe);
    } catch (err) {
      // A permanent live's replay video without its file would be an empty video for ever.
      if (target !== liveVideo) await this.videos.delete(target).catch(() => undefined);
      throw err;
    }
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
   * A permanent live's replay of one session, as PeerTube makes it: a new video in the live's channel
   * with the live's attributes and the replay privacy, named `<live name> - <session start>`.
   * waitTranscoding stays false, as the live's: the replay plays from its web file at once. Its state
   * is set once its file is stored.
   */
  private async replayVideoOf(entry: ActiveLive, live: LiveVideoModel): Promise<LiveVideoModel> {
    const startDate = (await this.repo.sessionById(entry.sessionId))?.startDate ?? new Date();
    const suffix = ` - ${startDate.toISOString().slice(0, 16).replace('T', ' ')}`;
    return this.videos.createLive(live.channelId, {
      name: live.name.slice(0, VIDEO_NAME_MAX - suffix.length).trimEnd() + suffix,
      channelId: live.channelId,
      privacy: entry.replayPrivacy ?? live.privacy,
      category: live.category ?? undefined,
      licence: live.licence ?? undefined,
      language: live.language ?? undefined,
      description: live.description ?? undefined,
      support: live.support ?? undefined,
      tags: live.tags,
      nsfw: live.nsfw,
      commentsPolicy: live.commentsPolicy,
      downloadEnabled: live.downloadEnabled,
    });
  }

  /** The pictures the owner uploaded to the live (PeerTube copies them), frames of the replay for the others. */
  private async replayPictures(live: LiveVideoModel, replay: LiveVideoModel, source: { video: string; probe: ProbeSummary }): Promise<void> {
    await this.images.makeDerivedImages(live, replay, source).catch(async (err: Error) => {
      // Pictures are not worth losing the replay for: placeholders stand in (federation needs an icon).
      logger.warn({ err: err.message, replay: replay.uuid }, 'replay pictures not made: placeholders instead');
      await this.images.makeImagesWithoutFrames(replay, {});
    });
  }

  /** A normal live is its own replay: frames of it replace the placeholders (not the owner's uploads). */
  private async framePictures(video: LiveVideoModel, source: { video: string; probe: ProbeSummary }): Promise<void> {
    await this.images.replaceGeneratedImages(video, source).catch((err: Error) => {
      logger.warn({ err: err.message, replay: video.uuid }, 'replay frames not made: the live pictures stay');
    });
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
