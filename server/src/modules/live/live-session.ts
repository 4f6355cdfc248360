import { LiveVideoLatencyMode } from '@flotilla/shared';
import type { VideosService } from '../videos/videos.service';
import type { Publisher } from './rtmp-ingest.service';
import type { VideoLiveModel } from './live.model';

export const LIVE_JOB_TYPE = 'live-rtmp-hls-transcoding' as const;
export type LiveVideoModel = NonNullable<Awaited<ReturnType<VideosService['loadWithFiles']>>>;
/** PeerTube's live job priority (the transcoding one). */
export const LIVE_JOB_PRIORITY = 100;
/** PeerTube's live playlist window. */
export const SEGMENT_LIST_SIZE = 15;
/** A job's last chunks may still arrive after a reconnect: the next job's numbers start this far on. */
export const OFFSET_MARGIN = 5;
/** Longest wait for the runner's end of job before a session's files are processed anyway. */
export const JOB_END_WAIT_MS = 30_000;

/** PeerTube's segment durations: 2 s in small-latency mode, 4 s otherwise. */
export function segmentDurationOf(latencyMode: number): number {
  return latencyMode === LiveVideoLatencyMode.SMALL_LATENCY ? 2 : 4;
}

/** What this process knows of a live that is on (or in its reconnect window). */
export interface ActiveLive {
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
  /** An encoder was started for the session (a runner job made, or the low-latency packager). */
  encoderStarted: boolean;
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
  /** Ends the session when no runner takes its current job in time. */
  acceptTimer: NodeJS.Timeout | null;
  ended: boolean;
  published: boolean;
  /** Bytes the user may still store when the session started (replays count against the quota); null: no quota. */
  quotaLeft: number | null;
  /** Bytes of the chunks stored this session (every rendition, as PeerTube counts a live). */
  bytes: number;
}

/** A fresh session entry: generation 0, no job yet, nothing stored. */
export function newActiveLive(live: VideoLiveModel, video: LiveVideoModel, sessionId: number, allowReplay: boolean): ActiveLive {
  return {
    videoId: video.id,
    videoUuid: video.uuid,
    liveId: live.id,
    sessionId,
    streamKey: live.streamKey,
    permanent: live.permanentLive,
    saveReplay: live.saveReplay && allowReplay,
    replayPrivacy: live.replayPrivacy,
    userId: video.VideoChannel?.Account?.userId ?? null,
    publisher: null,
    jobUuid: null,
    jobDone: false,
    encoderStarted: false,
    generation: 0,
    segmentOffset: 0,
    maxSeq: -1,
    chunksThisJob: 0,
    takeovers: 0,
    graceTimer: null,
    durationTimer: null,
    jobWaitTimer: null,
    acceptTimer: null,
    ended: false,
    published: false,
    quotaLeft: null,
    bytes: 0,
  };
}
