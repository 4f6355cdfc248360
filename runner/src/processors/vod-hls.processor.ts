import { randomUUID } from 'node:crypto';
import {
  buildHlsCommand,
  decideStreamCopy,
  hlsPlaylistFileName,
  hlsVideoFileName,
} from '@flotilla/shared';
import { downloadAndProbe, transcode } from './common';
import type { Processor } from './processor';

/**
 * One HLS rung: a single fragmented MP4 plus its media playlist. Remuxed when the input already is
 * that rung in a browser-playable form, encoded with the shared profile otherwise.
 */
export const processVodHls: Processor<'vod-hls-transcoding'> = async (ctx) => {
  const { input, output } = ctx.payload;
  const { videoPath, audioPath, probe, audioProbe } = await downloadAndProbe(ctx, input.videoFileUrl, input.separatedAudioFileUrl[0]);

  const copy = decideStreamCopy(probe, { resolution: output.resolution, fps: output.fps, separatedAudioInput: !!audioPath });
  ctx.log(copy.copy ? `${output.resolution}p by stream copy` : `${output.resolution}p encoded (${copy.reason})`);

  const name = randomUUID();
  const videoFileName = hlsVideoFileName(name, output.resolution);
  const playlistFileName = hlsPlaylistFileName(name, output.resolution);
  const command = buildHlsCommand({
    input: videoPath,
    audioInput: audioPath,
    probe,
    audioProbe,
    resolution: output.resolution,
    fps: output.fps,
    copy: copy.copy,
    // Split renditions: the video rung carries no audio; rung 0 is the audio one.
    noAudio: output.separatedAudio && output.resolution > 0,
    videoFileName,
    playlistFileName,
    threads: ctx.ffmpeg.threads,
    progress: true,
  });
  await transcode(ctx, command, audioProbe?.duration || probe.duration);

  return {
    files: {
      videoFile: ctx.workspace.outputPath(videoFileName),
      resolutionPlaylistFile: ctx.workspace.outputPath(playlistFileName),
    },
    customUploads: {
      videoFile: output.videoFileCustomUpload,
      resolutionPlaylistFile: output.resolutionPlaylistFileCustomUpload,
    },
  };
};
