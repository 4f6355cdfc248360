import { LIVE_MASTER_PLAYLIST } from '../media-files/live-hls-storage.service';
import type { LiveRtmpHlsTranscodingPayload, LiveRtmpHlsTranscodingPrivatePayload } from '@flotilla/shared';
import type { AppConfig } from '../../config/config';
import { LIVE_RESOLUTION_KEYS } from '../../config/config.schema';
import type { Publisher } from './rtmp-ingest.service';
import { SEGMENT_LIST_SIZE, segmentDurationOf, type ActiveLive } from './live-session';
import { streamHintOf } from './live-stream-hint';

/** No `streamHint` key at all when there is no hint: the payload is then PeerTube's, field for field. */
function withHint(hint: ReturnType<typeof streamHintOf>): { streamHint?: NonNullable<typeof hint> } {
  return hint ? { streamHint: hint } : {};
}

/** The rungs: enabled live resolutions not above the input's, plus the input's own. */
export function toTranscode(config: AppConfig, publisher: Publisher): LiveRtmpHlsTranscodingPayload['output']['toTranscode'] {
  const meta = publisher.metadata();
  const t = config.live.transcoding;
  const inputRes = meta ? Math.min(meta.width, meta.height) : 720;
  const fps = Math.min(Math.round(meta?.fps ?? 30) || 30, t.fps.max);
  if (!t.enabled) return [{ resolution: inputRes, fps }];
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
      input: { rtmpUrl: `${rtmpBase(config)}/${entry.streamKey}`, ...withHint(streamHintOf(publisher.metadata())) },
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
