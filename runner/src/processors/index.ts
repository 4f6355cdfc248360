import type { RunnerJobType } from '@flotilla/shared';
import { processAudioMerge } from './audio-merge.processor';
import { processLiveHls } from './live-hls.processor';
import type { Processor } from './processor';
import { processVodHls } from './vod-hls.processor';
import { processVodWebVideo } from './vod-web-video.processor';

export const PROCESSORS: { [T in RunnerJobType]: Processor<T> } = {
  'vod-hls-transcoding': processVodHls,
  'vod-web-video-transcoding': processVodWebVideo,
  'vod-audio-merge-transcoding': processAudioMerge,
  'live-rtmp-hls-transcoding': processLiveHls,
};

/** Job types asked for by default: the ones this runner really does. */
export const DEFAULT_JOB_TYPES: RunnerJobType[] = ['vod-hls-transcoding', 'vod-web-video-transcoding', 'vod-audio-merge-transcoding', 'live-rtmp-hls-transcoding'];

export * from './processor';
export * from './ffmpeg';
