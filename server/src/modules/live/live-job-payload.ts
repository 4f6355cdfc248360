import { LIVE_MASTER_PLAYLIST } from '../media-files/live-hls-storage.service';
import type { LiveRtmpHlsTranscodingPayload, LiveRtmpHlsTranscodingPrivatePayload } from '@flotilla/shared';
import type { AppConfig } from '../../config/config';
import { LIVE_RESOLUTION_KEYS } from '../../config/config.schema';
import type { KeyframeClock, Publisher } from './rtmp-ingest.service';
import { SEGMENT_LIST_SIZE, segmentDurationOf, type ActiveLive } from './live-session';
import { streamHintOf } from './live-stream-hint';

/** No `streamHint` key at all when there is no hint: the payload is then PeerTube's, field for field. */
function withHint(hint: ReturnType<typeof streamHintOf>): { streamHint?: NonNullable<typeof hint> } {
  return hint ? { streamHint: hint } : {};
}

/** No keyframe at all this long after the wait began: the stream has no video (or sends none yet). */
const NO_KEYFRAME_MS = 2500;

/**
 * The longest distance between the source's keyframes, seconds: measured between keyframes, or,
 * with only one seen, the time since it (a lower bound, taken when the wait gave up). Undefined
 * before any keyframe.
 */
export function keyframeIntervalOf(clock: Readonly<KeyframeClock>, now = Date.now()): number | undefined {
  if (clock.count >= 2) return clock.maxGapMs / 1000;
  if (clock.count === 1 && clock.firstAt !== null) return (now - clock.firstAt) / 1000;
  return undefined;
}

/**
 * Waits until the source's keyframe interval is known against the segment duration: a second
 * keyframe, or none for longer than a segment after the first (then it is too long to copy). At
 * most about one segment plus the wait for a first keyframe.
 */
export async function waitForKeyframes(publisher: Publisher, segmentDuration: number): Promise<void> {
  const start = Date.now();
  const limitMs = segmentDuration * 1000 + 500;
  for (;;) {
    const k = publisher.keyframes();
    const now = Date.now();
    if (k.count >= 2) return;
    if (k.firstAt !== null ? now - k.firstAt > limitMs : now - start > NO_KEYFRAME_MS) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Flotilla's `input.keyframeInterval`, only when the live is transcoded: a Flotilla runner copies
 * the top rung only when the source's keyframes come at least once a segment (a copy's segments are
 * cut on the source's keyframes). A remux has no choice, and PeerTube runners ignore the field.
 */
function keyframeField(config: AppConfig, publisher: Publisher): { keyframeInterval?: number } {
  if (!config.live.transcoding.enabled) return {};
  const interval = keyframeIntervalOf(publisher.keyframes());
  return interval !== undefined && interval > 0 ? { keyframeInterval: Math.round(interval * 1000) / 1000 } : {};
}

/** The rungs: enabled live resolutions not above the input's, plus the input's own. */
export function toTranscode(config: AppConfig, publisher: Publisher): LiveRtmpHlsTranscodingPayload['output']['toTranscode'] {
  const meta = publisher.metadata();
  const t = config.live.transcoding;
  const inputRes = meta ? Math.min(meta.width, meta.height) : 720;
  const sourceFps = Math.round(meta?.fps ?? 30) || 30;
  // A remux keeps the source's frame rate (a 60 fps stream stays 60 fps, as PeerTube's remux).
  if (!t.enabled) return [{ resolution: inputRes, fps: sourceFps }];
  const fps = Math.min(sourceFps, t.fps.max);
  const rungs = LIVE_RESOLUTION_KEYS.filter((k) => t.resolutions[k]).map((k) => parseInt(k, 10)).filter((r) => r < inputRes);
  if (t.always_transcode_original_resolution || rungs.length === 0) rungs.push(inputRes);
  return [...new Set(rungs)].sort((a, b) => b - a).map((resolution) => ({ resolution, fps }));
}

/** The RTMP base URL runners pull from (the stream key follows). */
export function rtmpBase(config: AppConfig): string {
  const host = config.live.rtmp.public_hostname ?? config.webserver.hostname;
  return `rtmp://${host}:${config.live.rtmp.port}/live`;
}

/** PeerTube's `live-rtmp-hls-transcoding` payloads, plus Flotilla's stream hint and renumbering of a continued session. */
export function liveJobPayloads(
  config: AppConfig,
  entry: ActiveLive,
  publisher: Publisher,
  latencyMode: number,
): { payload: LiveRtmpHlsTranscodingPayload; privatePayload: LiveRtmpHlsTranscodingPrivatePayload } {
  return {
    payload: {
      // PeerTube's fields, plus Flotilla's optional stream hint (PeerTube runners ignore it).
      input: { rtmpUrl: `${rtmpBase(config)}/${entry.streamKey}`, ...withHint(streamHintOf(publisher.metadata())), ...keyframeField(config, publisher) },
      output: {
        toTranscode: toTranscode(config, publisher),
        segmentDuration: segmentDurationOf(latencyMode),
        segmentListSize: SEGMENT_LIST_SIZE,
      },
    },
    privatePayload: {
      videoUUID: entry.videoUuid,
      masterPlaylistName: LIVE_MASTER_PLAYLIST,
      outputDirectory: entry.videoUuid,
      sessionId: String(entry.sessionId),
      segmentOffset: entry.segmentOffset,
      generation: entry.generation,
    },
  };
}
