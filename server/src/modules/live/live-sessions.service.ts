import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  ErrorCode,
  LiveVideoError,
  LiveVideoLatencyMode,
  liveRtmpHlsUpdatePayloadSchema,
  liveRtmpHlsTranscodingPrivatePayloadSchema,
  VideoState,
  type LiveRtmpHlsTranscodingPayload,
  type LiveRtmpHlsTranscodingPrivatePayload,
} from '@flotilla/shared';
import { badRequest } from '../../common/app-error';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { LIVE_RESOLUTION_KEYS } from '../../config/config.schema';
import { EventBus } from '../../platform/events/event-bus.service';
import { LiveVideosNamespace } from '../../platform/sockets/live-videos.namespace';
import { LiveHlsStorageService, LIVE_MASTER_PLAYLIST } from '../media-files/live-hls-storage.service';
import { RunnerJobHandlers, type RunnerJobModel, type UploadedRunnerFile } from '../runners';
import { RunnerJobsService } from '../runners/runner-jobs.service';
import { VideosService } from '../videos/videos.service';
import { chunkSequence, offsetChunkName, rewriteContinuedPlaylist, SAFE_CHUNK_NAME, SAFE_PLAYLIST_NAME } from './live-playlists';
import type { VideoLiveModel } from './live.model';
import { LlHlsSessionsService } from './ll-hls-sessions.service';
import { LiveRepository } from './live.repository';
import { RtmpIngestService, type Publisher } from './rtmp-ingest.service';

const JOB_TYPE = 'live-rtmp-hls-transcoding' as const;
type VideoModel = NonNullable<Awaited<ReturnType<VideosService['loadWithFiles']>>>;
/** PeerTube's live job priority (the transcoding one). */
const LIVE_JOB_PRIORITY = 100;
/** PeerTube's live playlist window. */
const SEGMENT_LIST_SIZE = 15;
/** A job's last chunks may still arrive after a reconnect: the next job's numbers start this far on. */
const OFFSET_MARGIN = 5;
/** Longest wait for the runner's end of job before a session's files are processed anyway. */
const JOB_END_WAIT_MS = 30_000;

/** PeerTube's segment durations: 2 s in small-latency mode, 4 s otherwise. */
export function segmentDurationOf(latencyMode: number): number {
  return latencyMode === LiveVideoLatencyMode.SMALL_LATENCY ? 2 : 4;
}

/** What this process knows of a live that is on (or in its reconnect window). */
interface ActiveLive {
  videoId: number;
  videoUuid: string;
  liveId: number;
  sessionId: number;
  streamKey: string;
  permanent: boolean;
  saveReplay: boolean;
  replayPrivacy: number | null;
  userId: number | null;
  publisher: Publisher | null;
  jobUuid: string | null;
  jobDone: boolean;
  generation: number;
  segmentOffset: number;
  /** Highest stored chunk sequence (after offset) of any rendition. */
  maxSeq: number;
  /** Chunks the current job sent: a job that never sent one is not worth a takeover (bad input). */
  chunksThisJob: number;
  takeovers: number;
  graceTimer: NodeJS.Timeout | null;
  durationTimer: NodeJS.Timeout | null;
  jobWaitTimer: NodeJS.Timeout | null;
  ended: boolean;
  published: boolean;
}

/**
 * The life of a live session: the RTMP publish is checked (key, state, limits) before anything is
 * made, a `live-rtmp-hls-transcoding` runner job is created (PeerTube's payload, so a PeerTube
 * runner can serve it), its updates are stored through media-files, the state is pushed on
 * `/live-videos`, and at the end the files are removed or turned into a replay.
 * RTMP ingest runs in one server process: sessions are held in this process's memory.
 */
@Injectable()
export class LiveSessionsService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly active = new Map<number, ActiveLive>();

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly repo: LiveRepository,
    private readonly videos: VideosService,
    private readonly jobs: RunnerJobsService,
    private readonly handlers: RunnerJobHandlers,
    private readonly liveHls: LiveHlsStorageService,
    private readonly sockets: LiveVideosNamespace,
    private readonly events: EventBus,
    private readonly rtmp: RtmpIngestService,
    private readonly llHls: LlHlsSessionsService,
  ) {}

  /** Registered before any bootstrap hook: the stall watchdog sizes its sweep from the policies. */
  onModuleInit(): void {
    this.handlers.register(JOB_TYPE, {
      // PeerTube's live job is never retried. Flotilla gives a live whose runner vanished (off the
      // socket and silent) to another runner quickly (onJobFailed); a runner on the socket gets the
      // configured live window (it sends nothing while it probes and cuts its first segments).
      policy: {
        stallWindowMs: this.config.live.runner_takeover_after,
        connectedStallWindowMs: this.config.runners.stalled_jobs.live,
        abortable: false,
        maxFailures: 1,
      },
      complete: (job) => this.onJobCompleted(job),
      onUpdate: (job, files, payload) => this.onJobUpdate(job, files, payload),
      onFinalError: (job, message) => this.onJobFailed(job, message, LiveVideoError.RUNNER_JOB_ERROR),
      onCancel: (job) => this.onJobFailed(job, 'cancelled', LiveVideoError.RUNNER_JOB_CANCEL),
    });
    this.events.on('video.deleted', ({ videoId }) => this.onVideoDeleted(videoId));
    this.sockets.onFollowersChange((videoId) => this.viewersChanged(videoId));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.live.enabled || !this.config.live.rtmp.enabled) return;
    // Sessions left open by a server that stopped mid-live: ended once this process holds the RTMP
    // listener (a process that cannot bind it is not the ingest, and must not end others' sessions).
    const leftOpen = await this.repo.openSessions();
    const started = await this.rtmp.start({
      onPublish: (p) => this.onPublish(p),
      onPublisherGone: (p, reason) => this.onPublisherGone(p, reason),
    });
    if (!started) return;
    for (const session of leftOpen) {
      if (session.liveVideoId === null) continue;
      const live = await this.repo.byVideoId(session.liveVideoId);
      const video = live ? await this.videos.loadWithFiles(live.videoId) : null;
      if (!live || !video) {
        await this.repo.endSession(session.id, null);
        continue;
      }
      const entry = this.entryFor(live, video, session.id);
      entry.jobDone = true;
      entry.saveReplay = session.saveReplay;
      this.active.set(video.id, entry);
      logger.warn({ video: video.uuid, session: session.id }, 'live session left open by a stopped server: ended');
      await this.endSession(entry, null);
    }
  }

  async onModuleDestroy(): Promise<void> {
    for (const entry of this.active.values()) this.clearTimers(entry);
  }

  /**
   * Viewers of a live are the sockets following it on `/live-videos` (every watch page of a live
   * follows it): recounted shortly after a change, across server processes, and pushed as
   * `views-change`.
   */
  private readonly viewerTimers = new Map<number, NodeJS.Timeout>();
  private viewersChanged(videoId: number): void {
    if (this.viewerTimers.has(videoId)) return;
    const timer = setTimeout(() => {
      this.viewerTimers.delete(videoId);
      void this.sockets.followers(videoId).then(
        (viewers) => this.sockets.emitToLiveVideo(videoId, 'views-change', { viewers }),
        (err: unknown) => logger.warn({ err, videoId }, 'cannot count live viewers'),
      );
    }, 300);
    timer.unref();
    this.viewerTimers.set(videoId, timer);
  }

  /** Whether the live of this video is broadcasting in this process (for the API). */
  isOn(videoId: number): boolean {
    const entry = this.active.get(videoId);
    return !!entry && !entry.ended;
  }

  // --- publish --------------------------------------------------------------------------------

  private async onPublish(publisher: Publisher): Promise<boolean> {
    const live = await this.repo.byStreamKey(publisher.streamKey);
    if (!live) return false;
    const video = await this.videos.loadWithFiles(live.videoId);
    if (!video || !video.isLive) return false;
    const existing = this.active.get(video.id);
    if (existing && !existing.ended && existing.graceTimer && !existing.publisher) {
      // The same key within the reconnect window: the session goes on with a new job.
      clearTimeout(existing.graceTimer);
      existing.graceTimer = null;
      existing.publisher = publisher;
      logger.info({ video: video.uuid, generation: existing.generation }, 'live publisher reconnected: session continues');
      await this.continueOnNewJob(existing, publisher);
      return true;
    }
    if (existing) return false;
    if (video.state === VideoState.LIVE_ENDED && !live.permanentLive) return false;
    if (!this.config.live.enabled) return false;
    const userId = video.VideoChannel?.Account?.userId ?? null;
    const { max_instance_lives: maxInstance, max_user_lives: maxUser } = this.config.live;
    if (maxInstance >= 0 && (await this.repo.countOpenSessions()) >= maxInstance) return false;
    if (maxUser >= 0 && userId !== null && (await this.repo.countOpenSessions(userId)) >= maxUser) return false;

    const session = await this.repo.openSession(video.id, live.saveReplay && this.config.live.allow_replay);
    if (!session) return false;
    const entry = this.entryFor(live, video, session.id);
    entry.publisher = publisher;
    this.active.set(video.id, entry);
    try {
      await this.liveHls.prepare({ id: video.id, uuid: video.uuid });
      await this.createJob(entry, publisher);
    } catch (err) {
      logger.error({ err, video: video.uuid }, 'cannot start the live session');
      this.active.delete(video.id);
      await this.repo.endSession(session.id, LiveVideoError.FFMPEG_ERROR);
      await this.liveHls.removeLive({ id: video.id, uuid: video.uuid }).catch(() => undefined);
      return false;
    }
    const maxDuration = this.config.live.max_duration;
    if (maxDuration > 0) {
      entry.durationTimer = setTimeout(() => {
        logger.info({ video: video.uuid }, 'live reached its maximum duration');
        void this.endSession(entry, LiveVideoError.DURATION_EXCEEDED).finally(() => entry.publisher?.kick());
      }, maxDuration);
      entry.durationTimer.unref();
    }
    logger.info({ video: video.uuid, session: session.id }, 'live session started');
    return true;
  }

  private entryFor(live: VideoLiveModel, video: VideoModel, sessionId: number): ActiveLive {
    return {
      videoId: video.id,
      videoUuid: video.uuid,
      liveId: live.id,
      sessionId,
      streamKey: live.streamKey,
      permanent: live.permanentLive,
      saveReplay: live.saveReplay && this.config.live.allow_replay,
      replayPrivacy: live.replayPrivacy,
      userId: video.VideoChannel?.Account?.userId ?? null,
      publisher: null,
      jobUuid: null,
      jobDone: false,
      generation: 0,
      segmentOffset: 0,
      maxSeq: -1,
      chunksThisJob: 0,
      takeovers: 0,
      graceTimer: null,
      durationTimer: null,
      jobWaitTimer: null,
      ended: false,
      published: false,
    };
  }

  /** The rungs: enabled live resolutions not above the input's, plus the input's own. */
  private toTranscode(publisher: Publisher): LiveRtmpHlsTranscodingPayload['output']['toTranscode'] {
    const meta = publisher.metadata();
    const t = this.config.live.transcoding;
    const inputRes = meta ? Math.min(meta.width, meta.height) : 720;
    const fps = Math.min(Math.round(meta?.fps ?? 30) || 30, t.fps.max);
    if (!t.enabled) return [{ resolution: inputRes, fps }];
    const rungs = LIVE_RESOLUTION_KEYS.filter((k) => t.resolutions[k]).map((k) => parseInt(k, 10)).filter((r) => r < inputRes);
    if (t.always_transcode_original_resolution || rungs.length === 0) rungs.push(inputRes);
    return [...new Set(rungs)].sort((a, b) => b - a).map((resolution) => ({ resolution, fps }));
  }

  private async waitForMetadata(publisher: Publisher): Promise<void> {
    for (let i = 0; i < 20 && !publisher.metadata(); i++) await new Promise((r) => setTimeout(r, 100));
  }

  private rtmpBase(): string {
    const host = this.config.live.rtmp.public_hostname ?? this.config.webserver.hostname;
    return `rtmp://${host}:${this.config.live.rtmp.port}/live`;
  }

  private async createJob(entry: ActiveLive, publisher: Publisher): Promise<void> {
    await this.waitForMetadata(publisher);
    const live = await this.repo.byVideoId(entry.videoId);
    if (live?.latencyMode === LiveVideoLatencyMode.LOW_LATENCY) return this.startLowLatency(entry, publisher);
    const payload: LiveRtmpHlsTranscodingPayload = {
      input: { rtmpUrl: `${this.rtmpBase()}/${entry.streamKey}` },
      output: {
        toTranscode: this.toTranscode(publisher),
        segmentDuration: segmentDurationOf(live?.latencyMode ?? 1),
        segmentListSize: SEGMENT_LIST_SIZE,
      },
    };
    const privatePayload: LiveRtmpHlsTranscodingPrivatePayload = {
      videoUUID: entry.videoUuid,
      masterPlaylistName: LIVE_MASTER_PLAYLIST,
      outputDirectory: entry.videoUuid,
      sessionId: String(entry.sessionId),
      segmentOffset: entry.segmentOffset,
      generation: entry.generation,
    };
    const job = await this.jobs.create({ type: JOB_TYPE, payload: () => payload, privatePayload, priority: LIVE_JOB_PRIORITY, videoUUID: entry.videoUuid });
    entry.jobUuid = job?.uuid ?? null;
  }

  /** The session goes on with a new job (a reconnect, a runner takeover): numbering continues. */
  private async continueOnNewJob(entry: ActiveLive, publisher: Publisher): Promise<void> {
    entry.generation += 1;
    entry.segmentOffset = entry.maxSeq + 1 + OFFSET_MARGIN;
    entry.jobDone = false;
    entry.chunksThisJob = 0;
    await this.createJob(entry, publisher);
  }

  /** Viewers on /live-videos, and the domain event federation listens to. */
  private stateChanged(videoId: number, uuid: string, state: number, isLive: boolean): void {
    this.sockets.emitToLiveVideo(videoId, 'state-change', { state });
    this.events.emit('video.live-state-changed', { videoId, uuid, state, isLive });
  }

  // --- end ------------------------------------------------------------------------------------

  private onPublisherGone(publisher: Publisher, reason: 'closed' | 'frozen'): void {
    const entry = [...this.active.values()].find((e) => e.publisher === publisher);
    if (!entry || entry.ended) return;
    entry.publisher = null;
    const grace = this.config.live.reconnect_grace;
    logger.info({ video: entry.videoUuid, reason }, 'live publisher gone');
    if (grace > 0 && reason === 'closed') {
      entry.graceTimer = setTimeout(() => {
        entry.graceTimer = null;
        void this.endSession(entry, null);
      }, grace);
      entry.graceTimer.unref();
      return;
    }
    void this.endSession(entry, reason === 'frozen' ? LiveVideoError.BAD_SOCKET_HEALTH : null);
  }

  private clearTimers(entry: ActiveLive): void {
    for (const t of [entry.graceTimer, entry.durationTimer, entry.jobWaitTimer]) if (t) clearTimeout(t);
    entry.graceTimer = entry.durationTimer = entry.jobWaitTimer = null;
  }

  /** The session is over for viewers: row ended, state pushed; files are processed when the job is done. */
  private async endSession(entry: ActiveLive, error: number | null): Promise<void> {
    if (entry.ended) return;
    entry.ended = true;
    if (entry.graceTimer) clearTimeout(entry.graceTimer);
    if (entry.durationTimer) clearTimeout(entry.durationTimer);
    entry.graceTimer = entry.durationTimer = null;
    try {
      await this.repo.endSession(entry.sessionId, error);
      const state = entry.permanent ? VideoState.WAITING_FOR_LIVE : VideoState.LIVE_ENDED;
      await this.videos.setLiveState(entry.videoId, { state });
      this.stateChanged(entry.videoId, entry.videoUuid, state, true);
      logger.info({ video: entry.videoUuid, error }, 'live session ended');
    } catch (err) {
      logger.error({ err, video: entry.videoUuid }, 'cannot end the live session');
    }
    if (entry.jobDone) {
      await this.processEnding(entry);
    } else {
      entry.jobWaitTimer = setTimeout(() => void this.processEnding(entry), JOB_END_WAIT_MS);
      entry.jobWaitTimer.unref();
    }
  }

  /** After the session and its job: replay or removal. Runs once. */
  private async processEnding(entry: ActiveLive): Promise<void> {
    if (this.active.get(entry.videoId) !== entry) return;
    this.active.delete(entry.videoId);
    this.clearTimers(entry);
    const video = { id: entry.videoId, uuid: entry.videoUuid };
    let replayVideoId: number | null = null;
    try {
      if (entry.saveReplay) replayVideoId = await this.saveReplay(entry);
      else await this.liveHls.removeLive(video);
    } catch (err) {
      logger.error({ err, video: entry.videoUuid }, 'live replay failed: live files removed');
      await this.liveHls.removeLive(video).catch(() => undefined);
    }
    await this.repo.markEndingProcessed(entry.sessionId, replayVideoId);
  }

  /**
   * The kept chunks of the top rendition become one MP4 (remuxed, watchable at once), stored as
   * the video's web file; runners then make its ladder. A normal live turns into that VOD; a
   * permanent live gets a new video with the replay privacy.
   */
  private async saveReplay(entry: ActiveLive): Promise<number | null> {
    const names = await this.liveHls.chunks({ uuid: entry.videoUuid });
    const byIndex = new Map<string, string[]>();
    for (const n of names) {
      const index = n.split('-')[0]!;
      byIndex.set(index, [...(byIndex.get(index) ?? []), n]);
    }
    // The variant with the most bytes per chunk is the top one; its index is the master's first
    // variant when the runner lists them top first. Take the longest list, then the lowest index.
    const master = (await this.liveHls.readText({ uuid: entry.videoUuid }, LIVE_MASTER_PLAYLIST)) ?? '';
    const firstVariant = /^(\w+)\.m3u8$/m.exec(master)?.[1];
    const index = firstVariant && byIndex.has(firstVariant) ? firstVariant : [...byIndex.keys()].sort()[0];
    const chunks = index ? (byIndex.get(index) ?? []).sort((a, b) => (chunkSequence(a) ?? 0) - (chunkSequence(b) ?? 0)) : [];
    if (chunks.length === 0) {
      await this.liveHls.removeLive({ id: entry.videoId, uuid: entry.videoUuid });
      return null;
    }
    const { path, probe } = await this.liveHls.concatReplay({ uuid: entry.videoUuid }, chunks);
    const liveVideo = await this.videos.loadWithFiles(entry.videoId);
    if (!liveVideo) {
      await this.liveHls.discardStaged(path);
      return null;
    }
    let target: VideoModel = liveVideo;
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
    this.stateChanged(target.id, target.uuid, transcode ? VideoState.TO_TRANSCODE : VideoState.PUBLISHED, false);
    if (transcode) this.events.emit('video.uploaded', { videoId: target.id });
    logger.info({ live: entry.videoUuid, replay: target.uuid, chunks: chunks.length }, 'live replay saved');
    return target.id;
  }

  private async onVideoDeleted(videoId: number): Promise<void> {
    const entry = this.active.get(videoId);
    if (!entry) return;
    entry.saveReplay = false;
    this.clearTimers(entry);
    entry.publisher?.kick();
    entry.ended = true;
    this.active.delete(videoId);
    this.llHls.stop(entry.videoUuid);
  }

  // --- runner job -----------------------------------------------------------------------------

  private entryOfJob(job: RunnerJobModel): { entry: ActiveLive | undefined; priv: LiveRtmpHlsTranscodingPrivatePayload | null } {
    const parsed = liveRtmpHlsTranscodingPrivatePayloadSchema.safeParse(job.privatePayload);
    if (!parsed.success) return { entry: undefined, priv: null };
    const priv = parsed.data;
    const entry = [...this.active.values()].find((e) => String(e.sessionId) === priv.sessionId);
    return { entry, priv };
  }

  /**
   * A chunk / playlists from the runner (PeerTube's update payload). The chunk is stored first,
   * then the media playlist, then the master: a viewer never sees a name before its file.
   */
  private async onJobUpdate(job: RunnerJobModel, files: Record<string, UploadedRunnerFile>, payload: Record<string, unknown> | undefined): Promise<void> {
    const parsed = liveRtmpHlsUpdatePayloadSchema.safeParse(payload ?? {});
    if (!parsed.success) throw badRequest(ErrorCode.INVALID_PARAMS, 'Invalid live update payload');
    const body = parsed.data;
    if (!SAFE_CHUNK_NAME.test(body.videoChunkFilename)) throw badRequest(ErrorCode.INVALID_PARAMS, 'Invalid videoChunkFilename');
    if (body.resolutionPlaylistFilename !== undefined && !SAFE_PLAYLIST_NAME.test(body.resolutionPlaylistFilename)) throw badRequest(ErrorCode.INVALID_PARAMS, 'Invalid resolutionPlaylistFilename');
    if (body.type === 'add-chunk' && !files.videoChunkFile) throw badRequest(ErrorCode.INVALID_PARAMS, 'add-chunk needs payload[videoChunkFile]');
    if (files.resolutionPlaylistFile && body.resolutionPlaylistFilename === undefined) throw badRequest(ErrorCode.INVALID_PARAMS, 'payload[resolutionPlaylistFile] needs resolutionPlaylistFilename');
    if (body.resolutionPlaylistFilename !== undefined && !files.resolutionPlaylistFile) throw badRequest(ErrorCode.INVALID_PARAMS, 'resolutionPlaylistFilename without its file');

    const { entry, priv } = this.entryOfJob(job);
    if (!priv) throw badRequest(ErrorCode.INVALID_PARAMS, 'This job is not a live session');
    const video = { id: entry?.videoId ?? (await this.videoIdOf(priv.videoUUID)), uuid: priv.videoUUID };
    if (video.id === null) return;
    const offset = priv.segmentOffset ?? 0;
    const generation = priv.generation ?? 0;
    const stored = offsetChunkName(body.videoChunkFilename, offset);
    if (body.type === 'add-chunk') {
      await this.liveHls.addChunk(video as { id: number; uuid: string }, stored, files.videoChunkFile!.path);
      const seq = chunkSequence(stored);
      if (entry && seq !== null) entry.maxSeq = Math.max(entry.maxSeq, seq);
      if (entry && entry.generation === generation) entry.chunksThisJob++;
    } else {
      await this.liveHls.removeChunk(video as { id: number; uuid: string }, stored, entry?.saveReplay ?? false);
    }
    // A previous job of the session still flushing: its chunks are kept, its playlists are old.
    const current = !entry || entry.generation === generation;
    if (current && body.resolutionPlaylistFilename && files.resolutionPlaylistFile) {
      const text = await this.liveHls.readStaged(files.resolutionPlaylistFile.path);
      await this.liveHls.writePlaylist(video, body.resolutionPlaylistFilename, rewriteContinuedPlaylist(text, offset, generation));
    }
    if (current && files.masterPlaylistFile) {
      await this.liveHls.writeMaster(video as { id: number; uuid: string }, await this.liveHls.readStaged(files.masterPlaylistFile.path));
      if (entry) await this.markPublished(entry);
    }
  }

  /** The first playlists are in: viewers may come. */
  private async markPublished(entry: ActiveLive): Promise<void> {
    if (entry.published || entry.ended) return;
    entry.published = true;
    await this.videos.setLiveState(entry.videoId, { state: VideoState.PUBLISHED });
    this.stateChanged(entry.videoId, entry.videoUuid, VideoState.PUBLISHED, true);
  }

  /**
   * Flotilla's low-latency mode is packaged by this process (ll-hls-sessions.service.ts), not by a
   * runner: its end plays the part of the job's success or error.
   */
  private startLowLatency(entry: ActiveLive, publisher: Publisher): void {
    entry.jobUuid = null;
    const generation = entry.generation;
    this.llHls.start({ id: entry.videoId, uuid: entry.videoUuid }, publisher, { keepSegments: entry.saveReplay, continues: generation > 0 }, {
      onReady: () => void this.markPublished(entry).catch((err: unknown) => logger.error({ err, video: entry.videoUuid }, 'cannot publish the live')),
      onEnd: (failed, message) => {
        if (entry.generation !== generation || this.active.get(entry.videoId) !== entry) return;
        if (failed && entry.publisher && !entry.ended) {
          logger.warn({ video: entry.videoUuid, message }, 'low-latency live encoder failed: session ends');
          const p = entry.publisher;
          entry.publisher = null;
          entry.jobDone = true;
          void this.endSession(entry, LiveVideoError.FFMPEG_ERROR).finally(() => p.kick());
          return;
        }
        entry.jobDone = true;
        if (entry.ended) {
          if (entry.jobWaitTimer) clearTimeout(entry.jobWaitTimer);
          void this.processEnding(entry);
        }
      },
    });
  }

  private async videoIdOf(uuid: string): Promise<number | null> {
    try {
      return (await this.videos.loadByIdentifier(uuid)).id;
    } catch {
      return null;
    }
  }

  /** The runner's success: its input ended (publisher gone). */
  private async onJobCompleted(job: RunnerJobModel): Promise<void> {
    const { entry } = this.entryOfJob(job);
    if (!entry || entry.jobUuid !== job.uuid) return;
    entry.jobDone = true;
    if (entry.ended) {
      if (entry.jobWaitTimer) clearTimeout(entry.jobWaitTimer);
      await this.processEnding(entry);
    }
  }

  /** The job errored (ffmpeg failed, the runner died) or was cancelled: the session ends with that reason. */
  private async onJobFailed(job: RunnerJobModel, message: string, error: number): Promise<void> {
    const { entry } = this.entryOfJob(job);
    if (!entry || entry.jobUuid !== job.uuid) return;
    const { max_runner_takeovers: maxTakeovers } = this.config.live;
    if (error === LiveVideoError.RUNNER_JOB_ERROR && entry.publisher && !entry.ended && entry.chunksThisJob > 0 && entry.takeovers < maxTakeovers) {
      // The runner died or its ffmpeg failed after the live worked: another runner takes it over
      // while the publisher keeps streaming; viewers see a stall, not an end.
      entry.takeovers++;
      logger.warn({ video: entry.videoUuid, message, takeover: entry.takeovers }, 'live job failed: handed to another runner');
      await this.continueOnNewJob(entry, entry.publisher);
      return;
    }
    logger.warn({ video: entry.videoUuid, message }, 'live job failed: session ends');
    entry.jobDone = true;
    const publisher = entry.publisher;
    entry.publisher = null;
    await this.endSession(entry, error);
    publisher?.kick();
  }
}

