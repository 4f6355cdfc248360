import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ErrorCode, LiveVideoError, LiveVideoLatencyMode, liveRtmpHlsTranscodingPrivatePayloadSchema, RunnerJobState, VideoState, type LiveRtmpHlsTranscodingPrivatePayload } from '@flotilla/shared';
import { badRequest } from '../../common/app-error';
import { logger } from '../../common/logger';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { EventBus } from '../../platform/events/event-bus.service';
import { LiveHlsStorageService } from '../media-files/live-hls-storage.service';
import { RunnerJobHandlers, type RunnerJobModel, type UploadedRunnerFile } from '../runners';
import { RunnerJobsService } from '../runners/runner-jobs.service';
import { VideosService } from '../videos/videos.service';
import { LiveChunksService } from './live-chunks.service';
import { liveJobPayloads, waitForKeyframes } from './live-job-payload';
import { LiveNotifierService } from './live-notifier.service';
import { LiveReplayService } from './live-replay.service';
import { LiveRunnerWatch } from './live-runner-watch';
import { JOB_END_WAIT_MS, LIVE_JOB_PRIORITY, LIVE_JOB_TYPE as JOB_TYPE, newActiveLive, OFFSET_MARGIN, segmentDurationOf, type ActiveLive, type LiveVideoModel } from './live-session';
import type { VideoLiveModel } from './live.model';
import { LlHlsSessionsService } from './ll-hls-sessions.service';
import { LiveRepository } from './live.repository';
import { RtmpIngestService, type Publisher } from './rtmp-ingest.service';

export { segmentDurationOf } from './live-session';

/** A live that keeps its replay needs at least this much quota left to start (PeerTube's figure). */
const MIN_REPLAY_QUOTA = 1000;

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
  private runnerWatch: LiveRunnerWatch | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly repo: LiveRepository,
    private readonly videos: VideosService,
    private readonly jobs: RunnerJobsService,
    private readonly handlers: RunnerJobHandlers,
    private readonly liveHls: LiveHlsStorageService,
    private readonly notifier: LiveNotifierService,
    private readonly chunks: LiveChunksService,
    private readonly replay: LiveReplayService,
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
    this.events.on('video.hidden-changed', ({ uuid, hidden }) => (hidden ? this.onVideoHidden(uuid) : undefined));
    this.notifier.watchViewers();
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
    this.runnerWatch = new LiveRunnerWatch(() => this.active.values(), this.jobs);
    this.runnerWatch.start();
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
    this.runnerWatch?.stop();
    for (const entry of this.active.values()) this.clearTimers(entry);
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
    const saveReplay = live.saveReplay && this.config.live.allow_replay;
    const admission = (await this.videos.blacklistOf(video.id)).blacklisted ? { error: LiveVideoError.BLACKLISTED } : await this.admission(userId, saveReplay);
    if ('error' in admission) {
      await this.recordRefusal(video.id, video.uuid, saveReplay, admission.error);
      return false;
    }

    const session = await this.repo.openSession(video.id, saveReplay);
    if (!session) return false;
    const entry = this.entryFor(live, video, session.id);
    entry.publisher = publisher;
    entry.quotaLeft = admission.quotaLeft;
    this.active.set(video.id, entry);
    try {
      await this.liveHls.prepare({ id: video.id, uuid: video.uuid });
      await this.createJob(entry, publisher);
      this.watchAcceptance(entry);
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

  /**
   * Whether a publish may start: the lives on air (instance, user) under the limits, and, for a live
   * that keeps its replay, some quota left (PeerTube refuses under 1000 bytes). Otherwise the
   * session error the refusal is recorded with.
   */
  private async admission(userId: number | null, saveReplay: boolean): Promise<{ error: LiveVideoError } | { quotaLeft: number | null }> {
    const { max_instance_lives: maxInstance, max_user_lives: maxUser } = this.config.live;
    if (maxInstance >= 0 && (await this.repo.countOpenSessions()) >= maxInstance) return { error: LiveVideoError.LIVE_LIMIT_REACHED };
    if (maxUser >= 0 && userId !== null && (await this.repo.countOpenSessions(userId)) >= maxUser) return { error: LiveVideoError.LIVE_LIMIT_REACHED };
    if (!saveReplay || userId === null) return { quotaLeft: null };
    const quotaLeft = await this.videos.quotaLeft(userId);
    if (quotaLeft !== null && quotaLeft < MIN_REPLAY_QUOTA) return { error: LiveVideoError.QUOTA_EXCEEDED };
    return { quotaLeft };
  }

  /** A refused publish leaves its reason in the session list: a session ended as it began, nothing else made. */
  private async recordRefusal(videoId: number, uuid: string, saveReplay: boolean, error: LiveVideoError): Promise<void> {
    const session = await this.repo.openSession(videoId, saveReplay);
    if (!session) return;
    await this.repo.endSession(session.id, error);
    await this.repo.markEndingProcessed(session.id, null);
    logger.info({ video: uuid, error }, 'live publish refused');
  }

  /**
   * Stored chunk bytes count against the quota of a live that keeps its replay: past what was left
   * at its start, the session ends with QUOTA_EXCEEDED (PeerTube's rule), the replay keeping what came.
   */
  private countBytes(entry: ActiveLive, bytes: number): void {
    entry.bytes += bytes;
    if (!entry.saveReplay || entry.quotaLeft === null || entry.ended || entry.bytes <= entry.quotaLeft) return;
    logger.info({ video: entry.videoUuid, bytes: entry.bytes, quotaLeft: entry.quotaLeft }, 'live reached the user quota');
    const publisher = entry.publisher;
    void this.endSession(entry, LiveVideoError.QUOTA_EXCEEDED).finally(() => publisher?.kick());
  }

  private entryFor(live: VideoLiveModel, video: LiveVideoModel, sessionId: number): ActiveLive {
    return newActiveLive(live, video, sessionId, this.config.live.allow_replay);
  }

  private async waitForMetadata(publisher: Publisher): Promise<void> {
    for (let i = 0; i < 20 && !publisher.metadata(); i++) await new Promise((r) => setTimeout(r, 100));
  }

  private async createJob(entry: ActiveLive, publisher: Publisher): Promise<void> {
    await this.waitForMetadata(publisher);
    const live = await this.repo.byVideoId(entry.videoId);
    // The session may have ended during the waits (publisher gone, live hidden): no encoder for it.
    if (entry.ended) return;
    if (live?.latencyMode === LiveVideoLatencyMode.LOW_LATENCY) return this.startLowLatency(entry, publisher);
    const latencyMode = live?.latencyMode ?? 1;
    // Whether the top rung may be copied depends on the source's keyframe interval (a remux keeps it anyway).
    if (this.config.live.transcoding.enabled) await waitForKeyframes(publisher, segmentDurationOf(latencyMode));
    if (entry.ended) return;
    entry.encoderStarted = true;
    const { payload, privatePayload } = liveJobPayloads(this.config, entry, publisher, latencyMode);
    // remote_runners off: PeerTube transcodes the live on the server itself; here, the embedded runner.
    const embeddedRunnerOnly = !this.config.live.transcoding.remote_runners.enabled;
    const job = await this.jobs.create({ type: JOB_TYPE, payload: () => payload, privatePayload, priority: LIVE_JOB_PRIORITY, videoUUID: entry.videoUuid, embeddedRunnerOnly });
    entry.jobUuid = job?.uuid ?? null;
  }

  /** The session goes on with a new job (a reconnect, a runner takeover): numbering continues. */
  private async continueOnNewJob(entry: ActiveLive, publisher: Publisher): Promise<void> {
    entry.generation += 1;
    entry.segmentOffset = entry.maxSeq + 1 + OFFSET_MARGIN;
    entry.jobDone = false;
    entry.chunksThisJob = 0;
    await this.createJob(entry, publisher);
    this.watchAcceptance(entry);
  }

  /** A job no runner takes would leave the live "waiting" forever: it ends with NO_RUNNER after `live.runner_accept_timeout`. */
  private watchAcceptance(entry: ActiveLive): void {
    const jobUuid = entry.jobUuid;
    const wait = this.config.live.runner_accept_timeout;
    if (!jobUuid || wait <= 0) return;
    if (entry.acceptTimer) clearTimeout(entry.acceptTimer);
    entry.acceptTimer = setTimeout(() => void this.checkAccepted(entry, jobUuid), wait);
    entry.acceptTimer.unref();
  }

  private async checkAccepted(entry: ActiveLive, jobUuid: string): Promise<void> {
    entry.acceptTimer = null;
    if (entry.ended || entry.jobUuid !== jobUuid) return;
    const job = await this.jobs.findByUuid(jobUuid).catch(() => null);
    if (!job || job.state !== RunnerJobState.PENDING) return;
    logger.warn({ video: entry.videoUuid, job: jobUuid }, 'no runner took the live job: session ends');
    const publisher = entry.publisher;
    entry.publisher = null;
    // The job is cancelled there.
    await this.endSession(entry, LiveVideoError.NO_RUNNER);
    publisher?.kick();
  }

  private stateChanged(videoId: number, uuid: string, state: number, isLive: boolean): void {
    this.notifier.stateChanged(videoId, uuid, state, isLive);
  }

  // --- end ------------------------------------------------------------------------------------

  private onPublisherGone(publisher: Publisher, reason: 'closed' | 'frozen'): void {
    const entry = [...this.active.values()].find((e) => e.publisher === publisher);
    if (!entry || entry.ended) return;
    entry.publisher = null;
    const grace = this.config.live.reconnect_grace;
    logger.info({ video: entry.videoUuid, reason }, 'live publisher gone');
    // Only a permanent live waits for its encoder to come back (Flotilla); an ordinary live ends
    // as soon as its publisher's socket closes, as PeerTube's does.
    if (grace > 0 && reason === 'closed' && entry.permanent) {
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
    for (const t of [entry.graceTimer, entry.durationTimer, entry.jobWaitTimer, entry.acceptTimer]) if (t) clearTimeout(t);
    entry.graceTimer = entry.durationTimer = entry.jobWaitTimer = entry.acceptTimer = null;
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
    await this.cancelPendingJob(entry);
    // Ended before any encoder started (its creation, still waiting, sees the end): nothing to wait for.
    if (!entry.encoderStarted) entry.jobDone = true;
    if (entry.jobDone) {
      await this.processEnding(entry);
    } else {
      entry.jobWaitTimer = setTimeout(() => void this.processEnding(entry), JOB_END_WAIT_MS);
      entry.jobWaitTimer.unref();
    }
  }

  /** A job no runner took yet has nothing to do once the session is over: cancelled, so no runner pulls a stream that is gone. */
  private async cancelPendingJob(entry: ActiveLive): Promise<void> {
    const jobUuid = entry.jobUuid;
    if (!jobUuid || entry.jobDone) return;
    const job = await this.jobs.findByUuid(jobUuid).catch(() => null);
    if (!job || job.state !== RunnerJobState.PENDING) return;
    entry.jobUuid = null;
    entry.jobDone = true;
    await this.jobs.cancel(jobUuid).catch((err: unknown) => logger.warn({ err, job: jobUuid }, 'live job not cancelled'));
  }

  /** After the session and its job: replay or removal. Runs once. */
  private async processEnding(entry: ActiveLive): Promise<void> {
    if (this.active.get(entry.videoId) !== entry) return;
    this.active.delete(entry.videoId);
    this.clearTimers(entry);
    const replayVideoId = await this.replay.finish(entry);
    await this.repo.markEndingProcessed(entry.sessionId, replayVideoId);
  }

  /** A moderator hid the live: its session ends with BLACKLISTED (5) and the publisher is cut, as PeerTube does. */
  private async onVideoHidden(uuid: string): Promise<void> {
    const entry = [...this.active.values()].find((e) => e.videoUuid === uuid.toLowerCase() || e.videoUuid === uuid);
    if (!entry || entry.ended) return;
    logger.info({ video: entry.videoUuid }, 'live hidden by a moderator: session ends');
    // A normal live's replay is the hidden video itself; a permanent live's would be a new video
    // that nothing hides: that one is not kept.
    if (entry.permanent) entry.saveReplay = false;
    const publisher = entry.publisher;
    await this.endSession(entry, LiveVideoError.BLACKLISTED);
    publisher?.kick();
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
   * A chunk / playlists from the runner (PeerTube's update payload), stored by LiveChunksService;
   * the first master playlist of the session puts the live on air.
   */
  private async onJobUpdate(job: RunnerJobModel, files: Record<string, UploadedRunnerFile>, payload: Record<string, unknown> | undefined): Promise<void> {
    const { entry, priv } = this.entryOfJob(job);
    if (!priv) throw badRequest(ErrorCode.INVALID_PARAMS, 'This job is not a live session');
    const { masterWritten, chunkBytes } = await this.chunks.store(priv, entry, files, payload);
    if (entry && chunkBytes > 0) this.countBytes(entry, chunkBytes);
    if (masterWritten && entry) await this.markPublished(entry);
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
    entry.encoderStarted = true;
    const generation = entry.generation;
    this.llHls.start({ id: entry.videoId, uuid: entry.videoUuid }, publisher, { keepSegments: entry.saveReplay, continues: generation > 0 }, {
      onReady: () => void this.markPublished(entry).catch((err: unknown) => logger.error({ err, video: entry.videoUuid }, 'cannot publish the live')),
      onSegmentStored: (bytes) => this.countBytes(entry, bytes),
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
      // A dead runner's ffmpeg may outlive it and keep pulling: cut it before the next runner pulls.
      entry.publisher.cutPullers();
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

