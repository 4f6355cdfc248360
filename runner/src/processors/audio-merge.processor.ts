import { randomUUID } from 'node:crypto';
import { buildAudioMergeCommand } from '@flotilla/shared';
import type { Processor } from './processor';
import { transcode } from './common';

/** Audio upload + preview image → an H.264/AAC MP4 showing the image for the length of the audio. */
export const processAudioMerge: Processor<'vod-audio-merge-transcoding'> = async (ctx) => {
  const { input, output } = ctx.payload;
  ctx.setPhase('downloading');
  const [audioPath, imagePath] = await Promise.all([
    ctx.download(input.audioFileUrl, 'input-audio'),
    ctx.download(input.previewFileUrl, 'input-preview'),
  ]);
  ctx.setPhase('probing');
  const [audioProbe, imageProbe] = await Promise.all([
    ctx.probe(audioPath),
    ctx.probe(imagePath, 'image').catch(() => null),
  ]);
  if (!audioProbe.audio) throw new Error('The audio input has no audio stream');

  const outputFileName = `output-${randomUUID()}.mp4`;
  // An image probes as a one-frame video stream; its size lets us scale it to the rung.
  const image = imageProbe?.video ?? null;
  const command = buildAudioMergeCommand({
    imageInput: imagePath,
    audioInput: audioPath,
    imageSize: image ? { width: image.width, height: image.height } : null,
    audio: audioProbe.audio,
    resolution: output.resolution,
    fps: output.fps || 25,
    durationSeconds: audioProbe.duration,
    outputFileName,
    threads: ctx.ffmpeg.threads,
    progress: true,
  });
  await transcode(ctx, command, audioProbe.duration);

  return {
    files: { videoFile: ctx.workspace.outputPath(outputFileName) },
    customUploads: { videoFile: output.videoFileCustomUpload },
  };
};
