import { randomUUID } from 'node:crypto';
import { buildWebVideoCommand, decideStreamCopy } from '@flotilla/shared';
import type { Processor } from './processor';
import { downloadAndProbe, transcode } from './common';

/** A progressive MP4 at the asked resolution (remuxed with faststart when the input already fits). */
export const processVodWebVideo: Processor<'vod-web-video-transcoding'> = async (ctx) => {
  const { input, output } = ctx.payload;
  const { videoPath, audioPath, probe, audioProbe } = await downloadAndProbe(ctx, input.videoFileUrl, input.separatedAudioFileUrl[0]);

  const copy = decideStreamCopy(probe, { resolution: output.resolution, fps: output.fps, separatedAudioInput: !!audioPath });
  ctx.log(copy.copy ? `${output.resolution}p web video by stream copy` : `${output.resolution}p web video encoded (${copy.reason})`);

  const outputFileName = `output-${randomUUID()}.mp4`;
  const command = buildWebVideoCommand({
    input: videoPath,
    audioInput: audioPath,
    probe,
    audioProbe,
    resolution: output.resolution,
    fps: output.fps,
    copy: copy.copy,
    outputFileName,
    threads: ctx.ffmpeg.threads,
    progress: true,
  });
  await transcode(ctx, command, audioProbe?.duration || probe.duration);

  return {
    files: { videoFile: ctx.workspace.outputPath(outputFileName) },
    customUploads: { videoFile: output.videoFileCustomUpload },
  };
};
