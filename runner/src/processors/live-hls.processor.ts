import type { Processor } from './processor';
import { UnsupportedJobError } from './processor';

/**
 * Live transcoding is not implemented yet. The runner does not ask for live jobs by default; if one
 * is enabled and taken anyway it is reported as an error (aborting a live job is an error on the
 * server side too, so this is the honest answer).
 */
export const processLiveHls: Processor<'live-rtmp-hls-transcoding'> = async () => {
  throw new UnsupportedJobError('Live RTMP to HLS transcoding is not supported by flotilla-runner yet');
};
